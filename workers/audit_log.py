"""The site's audit log as moderators page through it: newest first, actors by name, authors by id."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from .exceptions import UnknownSite
from .moderators import Moderator
from .queue_search import InvalidQuery
from .runtime import Runtime
from .store import decode

MAX_LIMIT = 100
ACTOR_SCAN_LIMIT = 2000  # entries an actor filter reads per page at most; past it the page says so
SCAN_CHUNK = 200
STREAM_ID = re.compile(r"\d{1,20}-\d{1,20}")


@dataclass(frozen=True)
class AuditEntry:
    """One status change: who (`actor` as stored, `actor_name` as a person reads it), when, from, to, why."""

    id: str  # the stream id: where the next page starts
    at: float
    actor: str
    actor_name: str
    from_status: str
    to_status: str
    reasons: list[str]
    comment_id: str
    thread_id: str
    author_id: str
    event_id: str
    note: str | None = None

    def as_dict(self) -> dict[str, object]:
        """The entry as the JSON API shows it."""
        shown: dict[str, object] = {
            "id": self.id,
            "at": self.at,
            "actor": self.actor_name,
            "actor_id": self.actor,
            "from": self.from_status,
            "to": self.to_status,
            "reasons": self.reasons,
            "comment_id": self.comment_id,
            "thread_id": self.thread_id,
            "author_id": self.author_id,
            "event_id": self.event_id,
        }
        if self.note:
            shown["note"] = self.note
        return shown


@dataclass(frozen=True)
class AuditPage:
    """Entries newest first; `scanned_all` is False when an actor filter stopped at its scan budget."""

    entries: list[AuditEntry] = field(default_factory=list)
    next_cursor: str | None = None
    scanned_all: bool = True


def read_audit(
    rt: Runtime, moderator: Moderator, site: str, actor: str | None = None, cursor: str | None = None, limit: int = 50
) -> AuditPage:
    """A page of the site's audit log; UnknownSite when the site is missing or not the moderator's.

    `actor` is "pipeline", a moderator's actor id (`moderator:<id>`) or e-mail. With it, at most
    ACTOR_SCAN_LIMIT entries are read per page: a page can then come back short with a cursor.
    """
    if not moderator.may_moderate(site) or not rt.sites.exists(site):
        raise UnknownSite(site)
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidQuery(f"limit must be between 1 and {MAX_LIMIT}")
    if cursor is not None and not STREAM_ID.fullmatch(cursor):
        raise InvalidQuery("cursor is not one this service returned")
    wanted = _actor_id(rt, actor) if actor else None
    stream = rt.keys.site_audit(site)
    top = f"({cursor}" if cursor else "+"
    if wanted is None and actor:
        return AuditPage()  # an e-mail no account has: no entries, whoever asks
    names: dict[str, str] = {}
    entries: list[AuditEntry] = []
    scanned = 0
    while True:
        count = limit + 1 - len(entries) if wanted is None else SCAN_CHUNK
        rows = rt.connection.xrevrange(stream, max=top, min="-", count=count)
        for position, fields in rows:
            scanned += 1
            logged = json.loads(fields[b"entry"])
            if wanted is None or logged["actor"] == wanted:
                entries.append(_entry(rt, decode(position), logged, names))
            top = f"({decode(position)}"
            if len(entries) > limit:
                page = entries[:limit]
                return AuditPage(page, page[-1].id)
            if wanted is not None and scanned >= ACTOR_SCAN_LIMIT:
                return AuditPage(entries, top[1:], scanned_all=False)
        if len(rows) < count:
            return AuditPage(entries, None)


def _actor_id(rt: Runtime, actor: str) -> str | None:
    """An actor as the log stores it: an e-mail becomes `moderator:<id>` (None when no account has it)."""
    if "@" not in actor:
        return actor
    found = rt.moderators.by_email(actor)
    return found.actor if found else None


def _entry(rt: Runtime, position: str, logged: dict[str, Any], names: dict[str, str]) -> AuditEntry:
    actor = logged["actor"]
    return AuditEntry(
        id=position,
        at=float(logged["at"]),
        actor=actor,
        actor_name=names.setdefault(actor, rt.moderators.display_name(actor)),
        from_status=logged["from"],
        to_status=logged["to"],
        reasons=list(logged.get("reasons", [])),
        comment_id=logged["comment_id"],
        thread_id=logged["thread_id"],
        author_id=logged.get("author_id", ""),
        event_id=logged.get("event_id", ""),
        note=logged.get("note"),
    )
