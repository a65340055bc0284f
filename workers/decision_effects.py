"""What a moderator's decision writes beside the status, on the decision's own pipeline: the label the
spam model counts the comment under, its entry in the recently-decided queue, and its place in the
reported queue when it is published again."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from redis.client import Pipeline

from .models import Comment
from .queue_index import Queue
from .reports import ReportCounts
from .runtime import Runtime

DECIDED_KEEP_SECONDS = 7 * 24 * 3600  # how long a decision stays in the recently-decided queue, to be undone
# A facet not written for this long holds only decisions past DECIDED_KEEP_SECONDS: it expires whole
# (a thread, reason or author decided on once is never written again to trim it).
DECIDED_FACET_TTL = DECIDED_KEEP_SECONDS + 24 * 3600


def relabel(rt: Runtime, pipe: Pipeline, comment: Comment, old: str, new: str) -> None:
    """Count the comment under `new` only: its earlier label is taken back in the same EXEC."""
    if old == new:
        return
    if old:
        rt.spam.learn_on(pipe, comment.site_id, comment.body, old, -1)
    if new:
        rt.spam.learn_on(pipe, comment.site_id, comment.body, new, 1)
    rt.comments.keep_learned(pipe, comment.id, new)


def file_decided(
    rt: Runtime, pipe: Pipeline, comment: Comment, previous: dict[str, Any] | None, reasons: list[str]
) -> None:
    """File the decision in the recently-decided queue, replacing the comment's earlier entry.

    Entries past DECIDED_KEEP_SECONDS leave the main set and each facet written on each write; a
    facet no longer written expires (DECIDED_FACET_TTL), so none grows for ever.
    """
    queues, site = rt.comments.queues, comment.site_id
    author_id = rt.authors.id_of(site, comment.author_key)
    if previous is not None:
        queues.remove(
            pipe, site, Queue.DECIDED, comment.id, queues.facets(comment.thread_id, previous["reasons"], author_id)
        )
    now = time.time()
    facets = queues.facets(comment.thread_id, reasons, author_id)
    queues.add(pipe, site, Queue.DECIDED, comment.id, now, facets)
    cut_off = now - DECIDED_KEEP_SECONDS
    pipe.zremrangebyscore(rt.keys.queue(site, Queue.DECIDED), "-inf", cut_off)
    for facet, value in facets:
        key = rt.keys.queue_facet(site, Queue.DECIDED, facet, value)
        pipe.zremrangebyscore(key, "-inf", cut_off)
        pipe.expire(key, DECIDED_FACET_TTL)


def unfile_decided(rt: Runtime, pipe: Pipeline, comment: Comment, reasons: list[str]) -> None:
    """Take the comment out of the recently-decided queue and the facets its decision filed it under."""
    author_id = rt.authors.id_of(comment.site_id, comment.author_key)
    facets = rt.comments.queues.facets(comment.thread_id, reasons, author_id)
    rt.comments.queues.remove(pipe, comment.site_id, Queue.DECIDED, comment.id, facets)


@dataclass(frozen=True)
class ReportsRead:
    """A comment's open reports as read before its decision: since when it is reported, and their counts."""

    since: float | None
    counts: ReportCounts


def read_reports(rt: Runtime, site_id: str, comment_id: str, watching: Pipeline | None = None) -> ReportsRead:
    """Read before the decision what the reported queue needs.

    With `watching` (a pipeline in WATCH mode, which runs commands at once) the read is part of the
    decision's compare-and-set: the caller watches the report counts, so a report filed between this
    read and the EXEC makes the decision read again.
    """
    queue, counts_key = rt.keys.queue(site_id, Queue.REPORTED), rt.keys.report_counts(comment_id)
    if watching is not None:
        since, counts = watching.zscore(queue, comment_id), watching.hgetall(counts_key)
    else:
        with rt.connection.pipeline(transaction=False) as pipe:
            pipe.zscore(queue, comment_id)
            pipe.hgetall(counts_key)
            since, counts = pipe.execute()
    return ReportsRead(since=float(since) if since is not None else None, counts=ReportCounts.from_hash(counts))


def refile_reported(rt: Runtime, pipe: Pipeline, comment: Comment, counts: ReportCounts, since: float | None) -> None:
    """A comment published again with open reports goes back to the reported queue, at its first report's time."""
    if not counts.total:
        return
    author_id = rt.authors.id_of(comment.site_id, comment.author_key)
    facets = rt.comments.queues.facets(comment.thread_id, list(counts.by_reason), author_id)
    score = since if since is not None else time.time()
    rt.comments.queues.add(pipe, comment.site_id, Queue.REPORTED, comment.id, score, facets)


def keep_review_time(rt: Runtime, pipe: Pipeline, comment_id: str, decided_at: str, decided_by: str) -> None:
    """An undo puts back the comment's earlier decision, time and decider: reports counted since then
    count on, and the comment reads as decided by whoever decided it before the slip."""
    rt.comments.restore_decider(pipe, comment_id, decided_at, decided_by)
