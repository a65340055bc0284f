"""The pipeline's decision on one comment: read what the checks need, decide, record it once; and re-queue lost ones."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable

from redis.client import Pipeline
from redis.exceptions import WatchError
from rq.job import Job

from .logs import add_log_context
from .metrics import CHECK_DURATION, SWEEPER_REQUEUES
from .models import Comment, Decision, Status
from .moderation_reads import gather_context, read_site, start_try
from .pipeline import decide
from .recovery import PAGE, SETTLE_SECONDS, lost_jobs, pages, stale_executions
from .runtime import Runtime
from .store import decode
from .transitions import PIPELINE_ACTOR, PIPELINE_EVENTS, Applied, apply_transition

log = logging.getLogger("commentgate.moderation")
LOST_JOB_KEEP = 7 * 86400


def moderate(rt: Runtime, comment_id: str, site_id: str | None = None) -> Status | None:
    """Decide a queued comment (`site_id`: the site its job was queued for, if known). Returns its new
    status, or None when it was decided already."""
    # Counted on the comment, not the job: a re-queued job starts with fresh RQ retries, and a
    # comment whose checks kill the work horse must not be tried for ever. Counted before anything
    # else is read, so a try that fails reading the comment counts too.
    started = start_try(rt, comment_id, site_id)
    if started.attempts is None:
        return None
    comment = started.comment
    if comment is None or comment.status is not Status.QUEUED:
        return None
    add_log_context(site_id=comment.site_id)
    budget = 1 + len(rt.settings.moderation_retries)
    if started.attempts > budget:
        error = f"gave up before try {started.attempts}: {budget} tries (the first and each retry) failed or died"
        hold_after_failure(rt, comment_id, error)
        return Status.HELD
    policy, webhook_url = (started.site or read_site(rt, comment.site_id)).checked()
    decision = decide(comment, policy, gather_context(rt, comment, policy))
    outcome = apply_transition(
        rt,
        comment_id,
        expected={Status.QUEUED},
        to=decision.status,
        actor=PIPELINE_ACTOR,
        reasons=decision.reasons,
        event_type=PIPELINE_EVENTS[decision.status],
        evidence=decision.evidence,
        published_body=decision.published_body,
        published_name=decision.published_name,
        extra=ObserveChecks(rt, decision),
        webhook_url=webhook_url,
    )
    return decision.status if isinstance(outcome, Applied) else None


class ObserveChecks:
    """Extra write of the pipeline's decision: how long each check took, counted only if the decision is recorded."""

    def __init__(self, rt: Runtime, decision: Decision) -> None:
        self.rt, self.decision = rt, decision

    def __call__(self, pipe: Pipeline, comment: Comment) -> None:
        for check, seconds in self.decision.check_seconds:
            self.rt.metrics.observe(pipe, CHECK_DURATION, seconds, {"check": check})


PIPELINE_ERROR_MESSAGE = "the checks failed; held for a moderator"


class KeepError:
    """Extra write of a `pipeline_error` hold: the traceback, where moderators and operators can read it."""

    def __init__(self, rt: Runtime, error: str) -> None:
        self.rt, self.error = rt, error

    def __call__(self, pipe: Pipeline, comment: Comment) -> None:
        self.rt.comments.keep_pipeline_error(pipe, comment.id, self.error)


def hold_after_failure(rt: Runtime, comment_id: str, error: str) -> bool:
    """The pipeline failed for good: hold the comment for a person; the site sees a generic reason only."""
    log.error("moderation of %s failed for good; held for a moderator:\n%s", comment_id, error)
    evidence = [
        {
            "check": "pipeline",
            "action": "hold",
            "score": None,
            "reasons": ["pipeline_error"],
            "details": {"message": PIPELINE_ERROR_MESSAGE},
        }
    ]
    outcome = apply_transition(
        rt,
        comment_id,
        expected={Status.QUEUED},
        to=Status.HELD,
        actor=PIPELINE_ACTOR,
        reasons=("pipeline_error",),
        event_type=PIPELINE_EVENTS[Status.HELD],
        evidence=evidence,
        extra=KeepError(rt, error),
    )
    return isinstance(outcome, Applied)


def pipeline_error_of(rt: Runtime, comment_id: str) -> str:
    """The error that held a comment with `pipeline_error`, for moderators and operators (never the site)."""
    return rt.comments.pipeline_error(comment_id)


def sweep_lost(
    rt: Runtime, now: float | None = None, settle: float = SETTLE_SECONDS, renew: Callable[[], object] = lambda: None
) -> list[str]:
    """Queue again every comment left `queued` longer than `sweep_after` whose moderation job is nowhere.

    A page at a time, calling `renew` after each (the sweep lock). Returns the comments re-queued;
    a comment re-queued too often is held instead.
    """
    cutoff = (now or time.time()) - rt.settings.sweep_after
    requeued: list[str] = []
    held: list[str] = []
    for page in pages(rt.comments.queued_before(cutoff, page=PAGE)):
        _sweep_page(rt, page, settle, requeued, held)
        renew()
    if requeued:
        log.warning("sweeper re-queued %d comment(s) whose moderation job was lost: %s", len(requeued), requeued[:20])
    if held:
        log.error("sweeper held %d comment(s) re-queued too often: %s", len(held), held[:20])
    return requeued


def _sweep_page(rt: Runtime, comment_ids: list[str], settle: float, requeued: list[str], held: list[str]) -> None:
    # The job ids are read before looking for the jobs: the re-queue below is a compare-and-set on them.
    recorded = rt.comments.recorded_jobs(comment_ids)
    jobs = {c: job_id or f"moderate-{c}" for c, job_id in zip(comment_ids, recorded, strict=True)}
    for comment_id, job_id in lost_jobs(rt.connection, rt.queues.moderation, jobs, settle).items():
        outcome = requeue_moderation(rt, comment_id, job_id)
        if outcome is Status.QUEUED:
            requeued.append(comment_id)
        elif outcome is Status.HELD:
            held.append(comment_id)


def requeue_moderation(rt: Runtime, comment_id: str, lost_job_id: str) -> Status | None:
    """A new moderation job for the comment, recorded on it in the same transaction; or a hold once re-queued too often.

    A compare-and-set: only while the comment is `queued` and its job is still `lost_job_id`, and
    with no change to either meanwhile (another sweep, a worker picking the job up). Returns QUEUED
    or HELD for what was done, None when the comment moved on.
    """
    budget = 1 + len(rt.settings.moderation_retries)
    key = rt.keys.comment(comment_id)
    job_id = f"moderate-{comment_id}-{secrets.token_hex(4)}"
    wip = rt.queues.moderation.started_job_registry.key
    with rt.connection.pipeline() as pipe:
        try:
            pipe.watch(key, Job.key_for(lost_job_id))
            recorded = rt.comments.read_watched_job(pipe, comment_id)
            if recorded.status != Status.QUEUED.value:
                _drop_from_queued(rt, pipe, comment_id)
                return None
            if (recorded.job_id or f"moderate-{comment_id}") != lost_job_id:
                return None
            if recorded.requeues >= budget:
                pipe.reset()
                return _hold_requeued_too_often(rt, comment_id, lost_job_id, recorded.requeues)
            stale = stale_executions(pipe, rt.queues.moderation, lost_job_id)
            pipe.multi()
            rt.queues.enqueue_moderation(comment_id, pipeline=pipe, job_id=job_id)
            # A job that dies before it can count a try (its function gone after a deploy) is counted here.
            rt.comments.requeue_job(pipe, comment_id, job_id)
            rt.metrics.count(pipe, SWEEPER_REQUEUES, {"kind": "comment"})
            if stale:  # else RQ's clean-up would retry the dead execution too: two jobs for one comment
                pipe.zrem(wip, *stale)
            pipe.expire(Job.key_for(lost_job_id), LOST_JOB_KEEP)  # a lost job's hash would otherwise stay for ever
            pipe.execute()
        except WatchError:
            return None
    return Status.QUEUED


def _drop_from_queued(rt: Runtime, pipe: Pipeline, comment_id: str) -> None:
    """Take a comment gone or decided off the queued indexes (on the pipeline WATCHing its hash).

    A decision takes its comment off them itself; one left there (its hash deleted by hand or evicted)
    would hold backpressure and /readyz's queue age for ever.
    """
    site_id = decode(pipe.hget(rt.keys.comment(comment_id), "site_id"))
    site_ids = [site_id] if site_id else rt.sites.all_ids()  # a hash gone leaves no site to read
    pipe.multi()
    rt.comments.unqueue(pipe, comment_id, site_ids)
    pipe.execute()
    log.warning(
        "sweeper dropped comment %s from the queued index: it is %s", comment_id, "decided" if site_id else "gone"
    )


def _hold_requeued_too_often(rt: Runtime, comment_id: str, lost_job_id: str, requeues: int) -> Status | None:
    error = (
        f"re-queued {requeues} times by the sweeper and never decided; "
        f"the last job ({lost_job_id}) ended with: {_last_error(rt, lost_job_id)}"
    )
    return Status.HELD if hold_after_failure(rt, comment_id, error) else None


def _last_error(rt: Runtime, job_id: str) -> str:
    """The traceback RQ kept for the job's last failed run, or why there is none."""
    try:
        result = Job.fetch(job_id, connection=rt.connection).latest_result()
    except Exception as exc:  # a job hash that is gone or cannot be read says as much
        return f"(its job cannot be read: {type(exc).__name__}: {exc})"
    if result is None or not result.exc_string:
        return "(no error recorded: the job was lost, not failed)"
    return result.exc_string
