"""What a moderator reads: a review queue a page at a time, one item in full, and each queue's count.

Paging and filters read the queues' indexes (`QueueIndex`), never the whole queue; text search
scans the filtered queue in order within a budget (see `queue_search`).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from .exceptions import UnknownComment
from .models import Comment, Status
from .moderators import Moderator
from .queue_index import Facet, Queue
from .queue_search import InvalidQuery, decode_cursor, find_page, scopes_for
from .reports import Report, ReportCounts, parse_latest
from .runtime import Runtime
from .store import PIPELINE_ERROR_FIELD, comment_from_hash, decode, decode_hash, is_comment_id

MAX_LIMIT = 100  # items per page at most
DECIDED_SECONDS = 7 * 86400  # the decided queue shows what people decided this recently: where a slip is undone
RECENT = 5  # comments an author's history lists
EXCERPT = 120  # characters of a recent comment shown


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
    reports: list[Report]  # the latest few (`LATEST_KEPT`), oldest first
    report_counts: ReportCounts  # all its open reports, counted
    history: AuthorHistory
    pipeline_error: str  # "" unless the pipeline failed on it
    decided_by: str | None  # who made its last change (an e-mail or "pipeline"); None while queued


@dataclass(frozen=True)
class QueuePage:
    """A page of a queue; `scanned_all` is False when a search stopped at its budget before the page filled."""

    items: list[QueueItem]
    next_cursor: str | None
    scanned_all: bool = True


def visible_sites(rt: Runtime, moderator: Moderator, site: str | None = None) -> list[str]:
    """The sites the moderator may read (`site` alone, if theirs; none if not: never an error that reveals it)."""
    if site is not None:
        return [site] if moderator.may_moderate(site) and rt.sites.exists(site) else []
    return rt.sites.all_ids() if moderator.is_admin else sorted(moderator.sites)


def read_queue(rt: Runtime, moderator: Moderator, query: QueueQuery) -> QueuePage:
    """A page of the queue over the moderator's sites (or `query.site`, if theirs: else an empty page)."""
    if not 1 <= query.limit <= MAX_LIMIT:
        raise InvalidQuery(f"limit must be between 1 and {MAX_LIMIT}")
    after = decode_cursor(query.cursor) if query.cursor else None
    filters = [
        (f, v)
        for f, v in ((Facet.THREAD, query.thread), (Facet.REASON, query.reason), (Facet.AUTHOR, query.author))
        if v
    ]
    k = rt.keys
    sites = [
        (site, k.queue(site, query.queue), [k.queue_facet(site, query.queue, f, v) for f, v in filters])
        for site in visible_sites(rt, moderator, query.site)
    ]
    newest_first = query.queue is Queue.DECIDED
    found = find_page(
        rt.connection,
        scopes_for(rt.connection, sites),
        comment_key=k.comment,
        after=after,
        newest_first=newest_first,
        floor=time.time() - DECIDED_SECONDS if newest_first else None,
        limit=query.limit,
        text=(query.q or "").strip() or None,
    )
    items = _items(rt, [c.position.comment_id for c in found.candidates])
    return QueuePage(items=items, next_cursor=found.next_cursor, scanned_all=found.scanned_all)


def read_item(rt: Runtime, moderator: Moderator, comment_id: str) -> QueueItem:
    """One comment as the queue shows it; UnknownComment when it is missing or on a site not theirs."""
    items = _items(rt, [comment_id]) if is_comment_id(comment_id) else []
    if not items or not moderator.may_moderate(items[0].comment.site_id):
        raise UnknownComment(comment_id)
    return items[0]


def queue_counts(rt: Runtime, moderator: Moderator, site: str | None = None) -> dict[Queue, int]:
    """How many comments wait in each queue over the moderator's sites (or `site`, if theirs)."""
    floor = time.time() - DECIDED_SECONDS
    sites = visible_sites(rt, moderator, site)
    with rt.connection.pipeline(transaction=False) as pipe:
        for s in sites:
            pipe.zcard(rt.keys.queue(s, Queue.HELD))
            pipe.zcard(rt.keys.queue(s, Queue.REPORTED))
            pipe.zcount(rt.keys.queue(s, Queue.DECIDED), floor, "+inf")
        counts = pipe.execute()
    return {queue: sum(counts[i::3]) for i, queue in enumerate((Queue.HELD, Queue.REPORTED, Queue.DECIDED))}


def _items(rt: Runtime, ids: list[str]) -> list[QueueItem]:
    """The comments in full, in order, in three round trips for the whole page (comments, authors, recents)."""
    k = rt.keys
    with rt.connection.pipeline(transaction=False) as pipe:
        for comment_id in ids:
            pipe.hgetall(k.comment(comment_id))
            rt.reports.read(pipe, comment_id)  # two replies: the counts and the latest few
            pipe.lindex(k.audit(comment_id), -1)
        rows = pipe.execute()
    read = []
    for i in range(0, len(rows), 4):
        raw, counts, latest, last = rows[i : i + 4]
        if raw:  # a comment expired between the index read and this one is left out
            fields = decode_hash(raw)
            comment = comment_from_hash(fields)
            author_id = rt.authors.id_of(comment.site_id, comment.author_key)
            reported = (parse_latest(latest), ReportCounts.from_hash(counts))
            read.append((comment, fields.get(PIPELINE_ERROR_FIELD, ""), reported, last, author_id))
    histories = _histories(rt, {(c.site_id, a) for c, _, _, _, a in read if a})
    names: dict[str, str] = {}
    items = []
    for comment, error, (latest_reports, counts), last, author_id in read:
        history = histories.get((comment.site_id, author_id)) or AuthorHistory(author_id, 0, 0, 0, [])
        recent = [r for r in history.recent if r.id != comment.id][:RECENT]
        decided_by = None
        if last is not None and comment.status is not Status.QUEUED:
            actor = json.loads(last)["actor"]
            decided_by = names.setdefault(actor, rt.moderators.display_name(actor))
        items.append(
            QueueItem(
                comment=comment,
                author_id=author_id,
                reports=latest_reports,
                report_counts=counts,
                history=AuthorHistory(author_id, history.published, history.held, history.rejected, recent),
                pipeline_error=error,
                decided_by=decided_by,
            )
        )
    return items


def _histories(rt: Runtime, authors: set[tuple[str, str]]) -> dict[tuple[str, str], AuthorHistory]:
    """Each author's counts by status and latest comments (one more than shown: the item itself may be one)."""
    k = rt.keys
    order = sorted(authors)
    with rt.connection.pipeline(transaction=False) as pipe:
        for site, author_id in order:
            pipe.hgetall(k.author_statuses(site, author_id))
            pipe.zrevrange(k.author_comments(site, author_id), 0, RECENT)
        rows = pipe.execute()
    recent_ids = {decode(i) for ids in rows[1::2] for i in ids}
    with rt.connection.pipeline(transaction=False) as pipe:
        for comment_id in sorted(recent_ids):
            pipe.hmget(k.comment(comment_id), ["status", "created_at", "body"])
        recent = dict(zip(sorted(recent_ids), pipe.execute(), strict=True))
    histories = {}
    for (site, author_id), statuses, ids in zip(order, rows[0::2], rows[1::2], strict=True):
        counts = {key: int(value) for key, value in decode_hash(statuses).items()}
        shown = []
        for raw_id in ids:
            status, created_at, body = (decode(v) for v in recent[decode(raw_id)])
            if status:  # a rejected comment past its keeping time is gone from the history's list
                shown.append(RecentComment(decode(raw_id), status, float(created_at), _excerpt(body)))
        histories[(site, author_id)] = AuthorHistory(
            author_id, counts.get("published", 0), counts.get("held", 0), counts.get("rejected", 0), shown
        )
    return histories


def _excerpt(body: str) -> str:
    """The start of a body on one line, cut at EXCERPT characters."""
    flat = " ".join(body.split())
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1] + "…"


__all__ = [
    "AuthorHistory",
    "InvalidQuery",
    "QueueItem",
    "QueuePage",
    "QueueQuery",
    "RecentComment",
    "queue_counts",
    "read_item",
    "read_queue",
]
