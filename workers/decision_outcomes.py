"""What a moderator's action comes to: done, or refused because someone decided first."""

from __future__ import annotations

from dataclasses import dataclass

from .models import Status


@dataclass(frozen=True)
class Decided:
    """The action was recorded; `event_id` is the event the site is told (None when it tells nothing)."""

    comment_id: str
    status: Status
    event_id: str | None


@dataclass(frozen=True)
class Conflict:
    """The comment was not where the action needs it: its status, and who put it there and when."""

    comment_id: str
    status: Status
    decided_by: str | None  # a moderator's e-mail, or "pipeline"
    decided_at: float | None

    def as_dict(self) -> dict[str, object]:
        return {"status": self.status.value, "decided_by": self.decided_by, "decided_at": self.decided_at}


Outcome = Decided | Conflict
