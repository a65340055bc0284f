"""RQ entry points. Each takes ids, re-reads the store, and is safe to run more than once."""

from __future__ import annotations

import time
import traceback
from types import TracebackType

from redis import Redis
from redis.client import Pipeline
from rq import get_current_job
from rq.job import Job

from .moderation import hold_after_failure, moderate
from .recovery import settle_delivery
from .runtime import Runtime, runtime_for
from .store import decode, decode_hash
from .webhooks import DeliveryFailed, check_webhook_url, post_event


def _runtime() -> Runtime:
    job = get_current_job()
    assert job is not None, "called outside an RQ job"
    return runtime_for(job.connection)


def moderate_comment(comment_id: str) -> str | None:
    """Run the checks on a queued comment and record the decision (a no-op once decided)."""
    status = moderate(_runtime(), comment_id)
    return status.value if status else None


def moderation_failed(
    job: Job, connection: Redis, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    """On the last failed try (or a worker lost mid-job with no retries left) hold with `pipeline_error`."""
    if job.retries_left:
        return
    error = "".join(traceback.format_exception(exc_type, exc, tb)) if tb else f"{exc_type.__name__}: {exc}"
    hold_after_failure(runtime_for(connection), job.args[0], error)


def _keep_for(client: Redis | Pipeline, key: str, seconds: int) -> None:
    """The delivery record expires after `seconds`; 0 keeps it."""
    if seconds > 0:
        client.expire(key, seconds)
    else:
        client.persist(key)


def _count_attempt(rt: Runtime, event_id: str) -> None:
    """Count the try, and keep the record no longer than a failed one is kept after its last try.

    Set here rather than when it fails, so a record whose last try never reports back expires too;
    the failed list's entries older than that go with it.
    """
    keep = rt.settings.failed_delivery_keep_seconds
    rt.connection.hincrby(rt.keys.delivery(event_id), "attempts", 1)
    _keep_for(rt.connection, rt.keys.delivery(event_id), keep)
    if keep > 0:
        rt.connection.zremrangebyscore(rt.keys.failed_deliveries(), "-inf", time.time() - keep)


def deliver_webhook(event_id: str) -> int:
    """POST the event to the site's current URL, signed with its current secret; raise to retry."""
    rt = _runtime()
    k = rt.keys
    record = decode_hash(rt.connection.hgetall(k.delivery(event_id)))
    if not record or record.get("state") == "delivered":
        return 0
    site = rt.sites.get(record["site_id"])
    if not site.webhook_url:
        with rt.connection.pipeline() as pipe:
            settle_delivery(pipe, k, event_id, "skipped", {"last_error": "no webhook URL"})
            _keep_for(pipe, k.delivery(event_id), rt.settings.delivered_keep_seconds)
            pipe.execute()
        return 0
    _count_attempt(rt, event_id)
    target = check_webhook_url(site.webhook_url, rt.settings.allow_private_webhooks)
    secrets = site.signing_secrets(time.time())
    status = post_event(target, secrets, event_id, record["event"].encode(), rt.settings.webhook_timeout)
    if not 200 <= status < 300:
        rt.connection.hset(k.delivery(event_id), "last_status", status)
        raise DeliveryFailed(f"{target.safe_url} answered {status}")
    with rt.connection.pipeline() as pipe:
        fields: dict[str, str | float] = {"last_status": status, "delivered_at": repr(time.time())}
        settle_delivery(pipe, k, event_id, "delivered", fields)
        pipe.zrem(k.failed_deliveries(), event_id)  # delivered after all (retried by hand)
        _keep_for(pipe, k.delivery(event_id), rt.settings.delivered_keep_seconds)
        pipe.delete(k.webhook_streak(site.id))
        pipe.execute()
    return status


def delivery_failed(
    job: Job, connection: Redis, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    """Count the endpoint's failure streak; after the last retry keep the delivery as failed for operators."""
    rt = runtime_for(connection)
    k = rt.keys
    event_id = job.args[0]
    site_id = decode(connection.hget(k.delivery(event_id), "site_id"))
    with connection.pipeline() as pipe:
        pipe.hset(k.delivery(event_id), "last_error", f"{exc_type.__name__}: {exc}")
        if site_id:
            pipe.incr(k.webhook_streak(site_id))
        if not job.retries_left:
            settle_delivery(pipe, k, event_id, "failed", {"failed_at": repr(time.time())})
        pipe.execute()
