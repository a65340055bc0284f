"""The review queues' indexes: per site and queue, a sorted set of comment ids and one per thread, reason and author.

Written on the caller's pipeline, in the same transaction as the change that moves a comment in or
out of a queue, so a queue never lists a comment that is not in it. Filters read a facet's set, not
the whole queue.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from redis.client import Pipeline

from .keys import Keys


class Queue(StrEnum):
    HELD = "held"  # held by a check or by reports: a moderator must decide
    REPORTED = "reported"  # published, with readers' reports open
    DECIDED = "decided"  # decided by a person recently: where a slip is undone


class Facet(StrEnum):
    THREAD = "thread"
    REASON = "reason"
    AUTHOR = "author"


class QueueIndex:
    """Adds comments to and removes them from a site's review queues, with their facets."""

    def __init__(self, keys: Keys) -> None:
        self.keys = keys

    def facets(self, thread_id: str, reasons: Iterable[str], author_id: str) -> list[tuple[Facet, str]]:
        """The facets a comment is filed under in a queue."""
        facets = [(Facet.THREAD, thread_id)] + [(Facet.REASON, r) for r in dict.fromkeys(reasons)]
        if author_id:
            facets.append((Facet.AUTHOR, author_id))
        return facets

    def add(
        self,
        pipe: Pipeline,
        site_id: str,
        queue: Queue,
        comment_id: str,
        score: float,
        facets: list[tuple[Facet, str]],
    ) -> None:
        """File the comment in the queue (and each facet) at `score`, the time it is ordered by."""
        pipe.zadd(self.keys.queue(site_id, queue), {comment_id: score})
        for facet, value in facets:
            pipe.zadd(self.keys.queue_facet(site_id, queue, facet, value), {comment_id: score})

    def remove(
        self, pipe: Pipeline, site_id: str, queue: Queue, comment_id: str, facets: list[tuple[Facet, str]]
    ) -> None:
        """Take the comment out of the queue and out of each facet it was filed under."""
        pipe.zrem(self.keys.queue(site_id, queue), comment_id)
        for facet, value in facets:
            pipe.zrem(self.keys.queue_facet(site_id, queue, facet, value), comment_id)
