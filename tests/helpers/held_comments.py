"""Held comments written as the pipeline writes them (`add_queued`, `apply_transition`); moderators' decisions."""

from __future__ import annotations

import itertools
from typing import Any

from workers.decision_outcomes import Decided
from workers.models import Author, Client, Comment, ReportReason, Status
from workers.moderator_actions import ModeratorAction, act
from workers.moderators import Moderator
from workers.runtime import Runtime
from workers.store import new_comment_id
from workers.transitions import Applied, apply_transition

_clock = itertools.count(1)


def held_comment(
    rt: Runtime,
    site_id: str,
    *,
    body: str = "A comment for a moderator.",
    thread: str = "2025/07/a-thread",
    name: str = "Ada",
    email: str = "ada@example.org",
    ip: str = "203.0.113.7",
    reasons: tuple[str, ...] = ("policy.premoderation",),
    created_at: float | None = None,
    evidence: list[dict[str, Any]] | None = None,
) -> Comment:
    """Store a comment and hold it with `reasons`, as a real decision does; returns it as stored."""
    comment = Comment(
        id=new_comment_id(),
        site_id=site_id,
        thread_id=thread,
        body=body,
        author=Author(name=name, email=email),
        client=Client(ip=ip),
        status=Status.QUEUED,
        created_at=created_at if created_at is not None else 1_700_000_000.0 + next(_clock),
        permalink=f"https://news.example/{thread}",
    )
    with rt.connection.pipeline() as pipe:
        rt.comments.add_queued(pipe, comment)
        pipe.execute()
    outcome = apply_transition(
        rt,
        comment.id,
        expected={Status.QUEUED},
        to=Status.HELD,
        actor="pipeline",
        reasons=reasons,
        event_type="comment.held",
        evidence=evidence or [],
    )
    assert isinstance(outcome, Applied)
    stored = rt.comments.get(comment.id)
    assert stored is not None
    return stored


def decide(rt: Runtime, moderator: Moderator, comment: Comment, to: Status) -> None:
    """A moderator's decision through the actions a moderator takes (approve, reject for abuse, take down, restore)."""
    action = {
        (Status.HELD, Status.PUBLISHED): ModeratorAction.APPROVE,
        (Status.HELD, Status.REJECTED): ModeratorAction.REJECT,
        (Status.PUBLISHED, Status.REJECTED): ModeratorAction.TAKE_DOWN,
        (Status.REJECTED, Status.PUBLISHED): ModeratorAction.RESTORE,
    }[(rt.comments.status_of(comment.id), to)]
    outcome = act(rt, moderator, comment.id, action, reason=ReportReason.ABUSE if to is Status.REJECTED else None)
    assert isinstance(outcome, Decided), outcome
