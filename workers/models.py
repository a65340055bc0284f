"""What a comment, a verdict and a decision are."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from . import identity


class Status(StrEnum):
    """Where a comment stands. `queued` until the pipeline decides it."""

    QUEUED = "queued"
    PUBLISHED = "published"
    HELD = "held"
    REJECTED = "rejected"


class ReportReason(StrEnum):
    """Why a reader reported a comment; also the reasons a moderator rejects with (`moderator.<reason>`)."""

    SPAM = "spam"
    ABUSE = "abuse"
    OFF_TOPIC = "off_topic"
    PERSONAL_INFO = "personal_info"
    OTHER = "other"


class Action(StrEnum):
    """What a check asks for; the strongest action of all checks wins."""

    PASS = "pass"
    CENSOR = "censor"
    HOLD = "hold"
    REJECT = "reject"

    @property
    def strength(self) -> int:
        return _STRENGTH[self]


_STRENGTH = {Action.PASS: 0, Action.CENSOR: 1, Action.HOLD: 2, Action.REJECT: 3}

# The status a comment takes for the winning action.
STATUS_FOR_ACTION = {
    Action.PASS: Status.PUBLISHED,
    Action.CENSOR: Status.PUBLISHED,
    Action.HOLD: Status.HELD,
    Action.REJECT: Status.REJECTED,
}


@dataclass(frozen=True)
class Author:
    name: str = ""
    email: str = ""
    url: str = ""


@dataclass(frozen=True)
class Client:
    ip: str = ""
    user_agent: str = ""
    referrer: str = ""


@dataclass(frozen=True)
class Comment:
    """A stored comment, as the pipeline and the API read it."""

    id: str
    site_id: str
    thread_id: str
    body: str
    author: Author
    client: Client
    status: Status
    created_at: float
    parent_id: str | None = None
    permalink: str = ""
    honeypot: str = ""
    reasons: tuple[str, ...] = ()
    evidence: tuple[dict[str, Any], ...] = ()
    decided_at: float | None = None
    published_body: str | None = None
    published_name: str | None = None  # the author's name as shown, when the site's censor masked it

    @property
    def author_key(self) -> str:
        """An author is identified by normalized email, else IP (see `identity`); '' when neither."""
        return identity.author_key(self.author.email, self.client.ip)


@dataclass(frozen=True)
class Verdict:
    """One check's answer: an action, reason codes, a score where it has one, and readable evidence."""

    check: str
    action: Action = Action.PASS
    reasons: tuple[str, ...] = ()
    score: float | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def as_evidence(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "action": self.action.value,
            "score": self.score,
            "reasons": list(self.reasons),
            "details": self.details,
        }


@dataclass(frozen=True)
class Decision:
    """The pipeline's outcome: the status to record, why, and every check's verdict."""

    status: Status
    action: Action
    reasons: tuple[str, ...]
    verdicts: tuple[Verdict, ...]
    published_body: str | None = None
    published_name: str | None = None
    # (check, seconds) for each check run, for the check-duration histogram; not part of the outcome.
    check_seconds: tuple[tuple[str, float], ...] = field(default=(), compare=False)

    @property
    def evidence(self) -> list[dict[str, Any]]:
        return [v.as_evidence() for v in self.verdicts]
