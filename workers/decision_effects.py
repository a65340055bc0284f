"""What a moderator's decision writes beside the status, on the decision's own pipeline: the label the
spam model counts the comment under, and its entry in the recently-decided queue."""

from __future__ import annotations

import time
from typing import Any

from redis.client import Pipeline

from .models import Comment
from .queue_index import Queue
from .runtime import Runtime

DECIDED_KEEP_SECONDS = 7 * 24 * 3600  # how long a decision stays in the recently-decided queue, to be undone


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

    Entries past DECIDED_KEEP_SECONDS leave the main set on each write. Their facet members may
    linger, but they carry the same score (the decision time), and readers of the decided queue
    read only the last DECIDED_KEEP_SECONDS of scores, so they are never listed.
    """
    queues, site = rt.comments.queues, comment.site_id
    author_id = rt.authors.id_of(site, comment.author_key)
    if previous is not None:
        queues.remove(
            pipe, site, Queue.DECIDED, comment.id, queues.facets(comment.thread_id, previous["reasons"], author_id)
        )
    now = time.time()
    queues.add(pipe, site, Queue.DECIDED, comment.id, now, queues.facets(comment.thread_id, reasons, author_id))
    pipe.zremrangebyscore(rt.keys.queue(site, Queue.DECIDED), "-inf", now - DECIDED_KEEP_SECONDS)


def unfile_decided(rt: Runtime, pipe: Pipeline, comment: Comment, reasons: list[str]) -> None:
    """Take the comment out of the recently-decided queue and the facets its decision filed it under."""
    author_id = rt.authors.id_of(comment.site_id, comment.author_key)
    facets = rt.comments.queues.facets(comment.thread_id, reasons, author_id)
    rt.comments.queues.remove(pipe, comment.site_id, Queue.DECIDED, comment.id, facets)
