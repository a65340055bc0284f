"""Whether comments are flowing: Redis answers, a worker is alive, the oldest queued comment is young.

Read-only: RQ's `Worker.all()` and registry counts may clean up keys as they read, so the worker
registry and each worker's heartbeat are read directly; nothing here writes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from redis import Redis
from redis.exceptions import RedisError
from rq.utils import utcparse
from rq.worker_registration import REDIS_WORKER_KEYS

from .keys import Keys

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Readiness:
    """The three checks an orchestrator needs, and the limits they were judged by."""

    redis_ok: bool
    workers_alive: int
    oldest_seconds: float | None  # None: nothing queued (or Redis did not answer)
    limit_seconds: int

    @property
    def workers_ok(self) -> bool:
        return self.workers_alive > 0

    @property
    def queue_age_ok(self) -> bool:
        return self.redis_ok and (self.oldest_seconds is None or self.oldest_seconds < self.limit_seconds)

    @property
    def ready(self) -> bool:
        return self.redis_ok and self.workers_ok and self.queue_age_ok

    def as_dict(self) -> dict[str, Any]:
        """The `/readyz` body: no hosts, ports or error text, only figures."""
        oldest = None if self.oldest_seconds is None else round(self.oldest_seconds, 1)
        return {
            "ready": self.ready,
            "checks": {
                "redis": {"ok": self.redis_ok},
                "workers": {"ok": self.workers_ok, "alive": self.workers_alive},
                "queue_age": {"ok": self.queue_age_ok, "oldest_seconds": oldest, "limit_seconds": self.limit_seconds},
            },
        }


def redis_now(connection: Redis) -> float:
    """Redis's clock (TIME), the one clock web and workers on different hosts share."""
    seconds, micros = connection.time()
    return float(seconds) + micros / 1_000_000


def live_workers(connection: Redis, worker_ttl: int, now: float) -> int:
    """RQ workers whose last heartbeat is younger than `worker_ttl` seconds."""
    worker_keys = sorted(connection.smembers(REDIS_WORKER_KEYS))
    if not worker_keys:
        return 0
    with connection.pipeline(transaction=False) as pipe:
        for key in worker_keys:
            pipe.hget(key, "last_heartbeat")
        beats: list[bytes | None] = pipe.execute()
    # A worker that died without unregistering stays in the set until its key expires; its stale
    # heartbeat, not its presence, says it is gone.
    return sum(1 for beat in beats if beat and now - utcparse(beat.decode()).timestamp() < worker_ttl)


def oldest_queued_age(connection: Redis, keys: Keys, now: float) -> float | None:
    """Seconds the oldest undecided comment has waited, or None when none waits."""
    oldest = connection.zrange(keys.queued(), 0, 0, withscores=True)
    return max(0.0, now - oldest[0][1]) if oldest else None


def check_readiness(connection: Redis, keys: Keys, worker_ttl: int, limit_seconds: int) -> Readiness:
    """Every check, from one Redis clock reading; a Redis that does not answer fails them all."""
    try:
        connection.ping()
        now = redis_now(connection)
        alive = live_workers(connection, worker_ttl, now)
        oldest = oldest_queued_age(connection, keys, now)
    except (RedisError, OSError) as exc:
        # redis-py's errors name the host and port but never the password; the answer names neither.
        log.warning("readiness: Redis does not answer: %s", exc)
        return Readiness(redis_ok=False, workers_alive=0, oldest_seconds=None, limit_seconds=limit_seconds)
    return Readiness(redis_ok=True, workers_alive=alive, oldest_seconds=oldest, limit_seconds=limit_seconds)
