"""Whether Redis is set to refuse writes when full (`noeviction`) rather than drop keys.

Everything lives in one Redis: an evicted key is a lost comment, a lost job or a half-written index,
with no error anywhere. So the memory policy must be `noeviction`; operators are warned otherwise.
"""

from __future__ import annotations

import logging

from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

REQUIRED_POLICY = "noeviction"
EVICTION_CODE = "redis_may_evict"  # what `/readyz` says for the warning (its sentence names the configuration)


def memory_policy(connection: Redis) -> str | None:
    """Redis's `maxmemory-policy`, or None when it will not say (CONFIG refused or renamed, or no answer)."""
    try:
        answer = connection.config_get("maxmemory-policy")
    except RedisError as exc:
        # Managed Redis services often refuse CONFIG (an ACL without it, or the command renamed away);
        # the policy is then set in the provider's console, and docs/operations.md says which to pick.
        log.debug("maxmemory-policy unreadable: %s", type(exc).__name__)
        return None
    policy = answer.get("maxmemory-policy") or answer.get(b"maxmemory-policy")
    if policy is None:
        return None
    return policy.decode() if isinstance(policy, bytes) else str(policy)


def eviction_warning(connection: Redis) -> str | None:
    """A sentence for operators when Redis may evict keys; None when it is `noeviction` or cannot be read.

    An unreadable policy is not a warning: a managed Redis that refuses CONFIG would otherwise show
    as degraded for ever, for a setting only its console can show.
    """
    policy = memory_policy(connection)
    if policy is None or policy == REQUIRED_POLICY:
        return None
    return (
        f"Redis maxmemory-policy is {policy}, not {REQUIRED_POLICY}: when memory is full Redis drops keys "
        "(comments, jobs) instead of refusing writes; set maxmemory-policy noeviction"
    )
