"""The site's audit log as moderators page through it: newest first, actors by name, authors by id."""

from __future__ import annotations

from dataclasses import dataclass, field

from .moderators import Moderator
from .runtime import Runtime

MAX_LIMIT = 100
ACTOR_SCAN_LIMIT = 2000  # entries an actor filter reads per page at most; past it the page says so


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
        raise NotImplementedError


@dataclass(frozen=True)
class AuditPage:
    """Entries newest first; `scanned_all` is False when an actor filter stopped at its scan budget."""

    entries: list[AuditEntry] = field(default_factory=list)
    next_cursor: str | None = None
    scanned_all: bool = True


def read_audit(
    rt: Runtime, moderator: Moderator, site: str, actor: str | None = None, cursor: str | None = None, limit: int = 50
) -> AuditPage:
    """A page of the site's audit log; UnknownSite when the site is missing or not the moderator's."""
    raise NotImplementedError
