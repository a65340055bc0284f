"""RQ entry points. Each takes ids, re-reads the store, and is safe to run more than once."""

from __future__ import annotations

import json
import logging
import time
import traceback
from types import TracebackType

from redis import Redis
from rq import get_current_job
from rq.job import Job

from .endpoint_pause import park_if_paused, pause_when_failing
from .logs import add_log_context, logging_about
from .pipeline_decision import hold_after_failure, moderate
from .runtime import Runtime, runtime_for
from .webhooks import DeliveryFailed, check_webhook_url, post_event

log = logging.getLogger("commentgate.jobs")


def _current_job() -> Job:
    job = get_current_job()
    assert job is not None, "called outside an RQ job"
    return job


def _runtime() -> Runtime:
    return runtime_for(_current_job().connection)


def moderate_comment(comment_id: str) -> str | None:
    """Run the checks on a queued comment and record the decision (a no-op once decided)."""
    job = _current_job()
    with logging_about(comment_id=comment_id):
        # The site the submission queued it for rides in the job's meta: read with the comment, not after it.
        status = moderate(runtime_for(job.connection), comment_id, job.meta.get("site_id"))
        log.info("moderated: %s", status.value if status else "decided already")
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
    """POST the event to the site's current URL, signed with its current secret; raise to retry; park while paused."""
    rt = _runtime()
    record = rt.deliveries.get(event_id)
    if not record or record.get("state") == "delivered":
        return 0
    add_log_context(site_id=record["site_id"], comment_id=json.loads(record["event"])["comment"]["id"])
    site = rt.sites.get(record["site_id"])
    if not site.webhook_url:
        rt.deliveries.skip(event_id)
        return 0
    if park_if_paused(rt, site.id, event_id, record["event"]):  # waits for `webhooks resume`
        return 0
    rt.deliveries.count_attempt(event_id)
    target = check_webhook_url(site.webhook_url, rt.settings.allow_private_webhooks)
    secrets = site.signing_secrets(time.time())
    status = post_event(target, secrets, event_id, record["event"].encode(), rt.settings.webhook_timeout)
    if not 200 <= status < 300:
        rt.deliveries.record_status(event_id, status)
        raise DeliveryFailed(f"{target.endpoint} answered {status}")
    rt.deliveries.mark_delivered(event_id, site.id, status)
    return status


def delivery_failed(
    job: Job, connection: Redis, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    """Count the endpoint's failure streak (pausing it at the limit); after the last retry keep it as failed."""
    error = f"{exc_type.__name__}: {exc}"
    rt = runtime_for(connection)
    rt.deliveries.record_failure(job.args[0], error, last_try=not job.retries_left)
    pause_when_failing(rt, rt.deliveries.get(job.args[0]).get("site_id", ""))
