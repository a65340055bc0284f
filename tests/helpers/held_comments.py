"""Held comments written as the pipeline writes them (`add_queued`, then `apply_transition`), without a worker."""

from __future__ import annotations

import itertools
import time
from typing import Any

from workers.models import Author, Client, Comment, Status
from workers.queue_index import Queue
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


def decide(rt: Runtime, comment: Comment, to: Status, actor: str) -> None:
    """A person's decision as the moderators' actions record it: the change, and the comment filed in `decided`."""

    def file_decided(pipe: Any, before: Comment) -> None:
        author_id = rt.authors.id_of(before.site_id, before.author_key)
        facets = rt.comments.queues.facets(before.thread_id, before.reasons, author_id)
        rt.comments.queues.add(pipe, before.site_id, Queue.DECIDED, before.id, time.time(), facets)

    outcome = apply_transition(
        rt,
        comment.id,
        expected={comment.status},
        to=to,
        actor=actor,
        reasons=(),
        event_type="comment.approved" if to is Status.PUBLISHED else "comment.rejected",
        extra=file_decided,
    )
    assert isinstance(outcome, Applied)
