"""What a moderator reads: a review queue a page at a time, one item in full, and each queue's count.

Paging and filters read the queues' indexes (`QueueIndex`), never the whole queue; text search
scans the filtered queue in order within a budget (see `queue_search`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import Comment
from .moderators import Moderator
from .queue_index import Queue
from .reports import Report
from .runtime import Runtime

MAX_LIMIT = 100  # items per page at most
DECIDED_DAYS = 7  # the decided queue shows what people decided this recently: where a slip is undone


class InvalidQuery(ValueError):
    """A queue query that cannot be answered as asked (a bad cursor, a limit out of range)."""


@dataclass(frozen=True)
class QueueQuery:
    """Which queue, which of the moderator's sites, which filters, and where the page starts."""

    queue: Queue
    site: str | None = None
    thread: str | None = None
    reason: str | None = None
    author: str | None = None  # the author's pseudonymous id (`a_…`)
    q: str | None = None  # text searched for in the body and the author's name
    cursor: str | None = None
    limit: int = 50


@dataclass(frozen=True)
class RecentComment:
    """One of an author's latest comments, as their history lists it."""

    id: str
    status: str
    created_at: float
    excerpt: str


@dataclass(frozen=True)
class AuthorHistory:
    """How an author's comments on the site stand now, and their latest ones."""

    author_id: str
    published: int
    held: int
    rejected: int
    recent: list[RecentComment] = field(default_factory=list)


@dataclass(frozen=True)
class QueueItem:
    """A comment as a moderator reviews it: with its reports, its author's history and who decided it."""

    comment: Comment
    author_id: str
    reports: list[Report]
    history: AuthorHistory
    pipeline_error: str  # "" unless the pipeline failed on it
    decided_by: str | None  # who made its last change (an e-mail or "pipeline"); None while queued


@dataclass(frozen=True)
class QueuePage:
    """A page of a queue; `scanned_all` is False when a search stopped at its budget before the page filled."""

    items: list[QueueItem]
    next_cursor: str | None
    scanned_all: bool = True


def read_queue(rt: Runtime, moderator: Moderator, query: QueueQuery) -> QueuePage:
    """A page of the queue over the moderator's sites (or `query.site`, if theirs: else an empty page)."""
    raise NotImplementedError


def read_item(rt: Runtime, moderator: Moderator, comment_id: str) -> QueueItem:
    """One comment as the queue shows it; UnknownComment when it is missing or on a site not theirs."""
    raise NotImplementedError


def queue_counts(rt: Runtime, moderator: Moderator, site: str | None = None) -> dict[Queue, int]:
    """How many comments wait in each queue over the moderator's sites (or `site`, if theirs)."""
    raise NotImplementedError
