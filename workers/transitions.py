"""Status changes: one compare-and-set per change, written with its audit entry, event and webhook job."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from redis.client import Pipeline
from redis.exceptions import WatchError

from .exceptions import UnknownComment
from .metrics import COMMENTS_DECIDED, DECISION_LATENCY
from .models import Comment, Status
from .reports import REPORTS_ACTOR
from .runtime import Runtime
from .store import Event, comment_from_hash, decode_hash, new_event_id

# The event a site receives for each of the pipeline's own decisions.
PIPELINE_EVENTS = {
    Status.PUBLISHED: "comment.published",
    Status.HELD: "comment.held",
    Status.REJECTED: "comment.rejected",
}
PIPELINE_ACTOR = "pipeline"  # the audit actor of the checks' decisions
# Who decided, as the decided counter labels it: a moderator's actor is their id, too many values for a label.
DECIDED_BY = {PIPELINE_ACTOR: "pipeline", REPORTS_ACTOR: "reports"}  # any other actor is a moderator
ExtraWrites = Callable[[Pipeline, Comment], None]
StillWanted = Callable[[Pipeline, Comment], bool]  # a last check on the WATCHed keys, before MULTI


@dataclass(frozen=True)
class Applied:
    """The change was made; `event` is what the site is told."""

    event: Event


@dataclass(frozen=True)
class Lost:
    """The comment had moved on: its status now, and who moved it last and when (None without an audit entry)."""

    status: Status
    actor: str | None
    at: float | None


Outcome = Applied | Lost


def apply_transition(
    rt: Runtime,
    comment_id: str,
    *,
    expected: Collection[Status],
    to: Status,
    actor: str,
    reasons: tuple[str, ...],
    event_type: str,
    evidence: list[dict[str, Any]] | None = None,
    published_body: str | None = None,
    published_name: str | None = None,
    extra: ExtraWrites | None = None,
    note: str | None = None,
    watch: Collection[str] = (),
    still_wanted: StillWanted | None = None,
    webhook_url: str | None = None,
) -> Outcome:
    """Move a comment to `to` if its status is one of `expected`; else say who moved it last, and when.

    WATCH makes this a compare-and-set: two workers deciding the same comment record one decision.
    The webhook job is enqueued in the same MULTI/EXEC, so an event is never told without being
    recorded, nor recorded without being queued for delivery; the change's figures ride the same EXEC.
    `still_wanted`, when given, is asked once the status matches (WATCHing the comment and `watch`):
    False leaves the comment as it is. `webhook_url` is the site's as the caller read it; None reads it here.
    """
    key = rt.keys.comment(comment_id)
    with rt.connection.pipeline() as pipe:
        while True:
            try:
                pipe.watch(key, *watch)
                raw = pipe.hgetall(key)
                if not raw:
                    raise UnknownComment(comment_id)
                comment = comment_from_hash(decode_hash(raw))
                if comment.status not in expected or (still_wanted is not None and not still_wanted(pipe, comment)):
                    last = pipe.lindex(rt.keys.audit(comment_id), -1)
                    pipe.reset()
                    return _lost(comment.status, last)
                author_id = rt.authors.id_of(comment.site_id, comment.author_key, pipe)  # before MULTI: runs at once
                event = Event(
                    id=new_event_id(),
                    type=event_type,
                    created=time.time(),
                    comment={
                        "id": comment.id,
                        "thread_id": comment.thread_id,
                        "status": to.value,
                        "reasons": list(reasons),
                    },
                )
                if webhook_url is None:
                    webhook_url = rt.sites.webhook_url(comment.site_id, pipe)
                if webhook_url:
                    rt.queues.enqueue_delivery(event.id, pipeline=pipe)  # first: RQ opens the MULTI
                    rt.deliveries.add_pending(pipe, comment.site_id, event)
                else:
                    pipe.multi()
                rt.comments.add_transition(
                    pipe,
                    comment,
                    to=to,
                    reasons=reasons,
                    actor=actor,
                    event=event,
                    evidence=evidence,
                    published_body=published_body,
                    published_name=published_name,
                    author_id=author_id,
                    note=note,
                )
                count_change(rt, pipe, comment, to=to, reasons=reasons, actor=actor, at=event.created)
                if extra is not None:
                    extra(pipe, comment)
                pipe.execute()
                return Applied(event)
            except WatchError:
                continue


def count_change(
    rt: Runtime, pipe: Pipeline, comment: Comment, *, to: Status, reasons: tuple[str, ...], actor: str, at: float
) -> None:
    """The decided counter, the minute's count and, for a decision on a queued comment, the reader's wait."""
    labels = {
        "decision": to.value,
        "reason": reasons[0] if reasons else "none",
        "by": DECIDED_BY.get(actor, "moderator"),
    }
    rt.metrics.count(pipe, COMMENTS_DECIDED, labels)
    rt.metrics.count_minute(pipe, to.value, at)
    if comment.status is Status.QUEUED:  # only the pipeline decides a queued comment: the wait ends here
        rt.metrics.observe(pipe, DECISION_LATENCY, max(0.0, at - comment.created_at))


def _lost(status: Status, last_entry: bytes | None) -> Lost:
    """The outcome of a change that did not apply; the audit list's last entry names who won."""
    if last_entry is None:
        return Lost(status=status, actor=None, at=None)
    entry = json.loads(last_entry)
    return Lost(status=status, actor=entry["actor"], at=entry["at"])
