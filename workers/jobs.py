"""RQ entry points. Each takes ids, re-reads the store, and is safe to run more than once."""

from __future__ import annotations

import time
import traceback
from types import TracebackType

from redis import Redis
from rq import get_current_job
from rq.job import Job

from .moderation import hold_after_failure, moderate
from .recovery import settle_delivery
from .runtime import Runtime, runtime_for
from .store import decode, decode_hash
from .webhooks import check_webhook_url, post_event


class DeliveryFailed(Exception):
    """The site's endpoint did not accept the event (non-2xx, timeout, refused)."""


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
            pipe.execute()
        return 0
    rt.connection.hincrby(k.delivery(event_id), "attempts", 1)
    check_webhook_url(site.webhook_url, rt.settings.allow_private_webhooks)
    response = post_event(
        site.webhook_url, site.webhook_secret, event_id, record["event"].encode(), rt.settings.webhook_timeout
    )
    if not 200 <= response.status_code < 300:
        rt.connection.hset(k.delivery(event_id), "last_status", response.status_code)
        raise DeliveryFailed(f"{site.webhook_url} answered {response.status_code}")
    with rt.connection.pipeline() as pipe:
        fields: dict[str, str | float] = {"last_status": response.status_code, "delivered_at": repr(time.time())}
        settle_delivery(pipe, k, event_id, "delivered", fields)
        pipe.expire(k.delivery(event_id), 7 * 86400)
        pipe.delete(k.webhook_streak(site.id))
        pipe.execute()
    return response.status_code


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
