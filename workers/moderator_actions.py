"""People's actions on comments: approve, reject, mark spam, take down, restore, dismiss reports, and undo.

Each action is one compare-and-set through `apply_transition`: the status, the audit entry with the
moderator and the note, the event and its webhook job, the thread listing and the review queues,
and in the same EXEC what the decision teaches the site's spam model and the comment's place in
the recently-decided queue. A second moderator acting on the same comment gets a `Conflict`
naming who decided first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from redis.client import Pipeline

from .decision_effects import (
    ReportsRead,
    file_decided,
    keep_review_time,
    read_reports,
    refile_reported,
    relabel,
    unfile_decided,
)
from .decision_outcomes import Conflict, Decided
from .exceptions import UnknownComment
from .models import Comment, ReportReason, Status
from .moderators import Moderator
from .reports import dismiss_reports
from .runtime import Runtime
from .spam_model import HAM, SPAM
from .store import ModerationState
from .transitions import Applied, ExtraWrites, Outcome, StillWanted, apply_transition


class ModeratorAction(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    SPAM = "spam"
    TAKE_DOWN = "take-down"
    RESTORE = "restore"
    DISMISS_REPORTS = "dismiss-reports"


BULK_MAX = 500  # ids in one bulk action
NOTE_MAX = 1000  # characters in a moderator's note
SPAM_CODE = "moderator.spam"
# Ids become parts of key names: anything not shaped like a comment id is simply not found.
_COMMENT_ID = re.compile(r"[0-9a-z]{1,64}")

# The statuses each action moves a comment from, and to.
MOVES: dict[ModeratorAction, tuple[frozenset[Status], Status]] = {
    ModeratorAction.APPROVE: (frozenset({Status.HELD}), Status.PUBLISHED),
    ModeratorAction.REJECT: (frozenset({Status.HELD, Status.PUBLISHED}), Status.REJECTED),
    ModeratorAction.SPAM: (frozenset({Status.HELD, Status.PUBLISHED}), Status.REJECTED),
    ModeratorAction.TAKE_DOWN: (frozenset({Status.PUBLISHED}), Status.REJECTED),
    ModeratorAction.RESTORE: (frozenset({Status.REJECTED}), Status.PUBLISHED),
}


class _Moved(Exception):
    """The comment changed between the read an action decided on and its compare-and-set: read again."""


def check_note(note: str | None) -> None:
    if note is not None and len(note) > NOTE_MAX:
        raise ValueError(f"a note is at most {NOTE_MAX} characters")


def reason_code(action: ModeratorAction, reason: ReportReason | None) -> str:
    """The reason code a decision records: `moderator.<reason>` for a rejection, else what was done."""
    if action is ModeratorAction.SPAM:
        return SPAM_CODE
    if action is ModeratorAction.REJECT:
        if reason is None:
            raise ValueError(f"reject needs a reason: one of {', '.join(r.value for r in ReportReason)}")
        return f"moderator.{reason.value}"
    if action is ModeratorAction.TAKE_DOWN:
        return f"moderator.{(reason or ReportReason.OTHER).value}"
    if action is ModeratorAction.APPROVE:
        return "moderator.approved"
    return "moderator.restored"


def event_type(action: ModeratorAction | None, before: Status, to: Status) -> str:
    """The event a site is told: what the change means for what its readers see."""
    if to is Status.HELD:
        return "comment.held"
    if to is Status.PUBLISHED:
        return "comment.approved" if action is ModeratorAction.APPROVE else "comment.restored"
    return "comment.taken_down" if before is Status.PUBLISHED else "comment.rejected"


def visible(rt: Runtime, moderator: Moderator, comment_id: str) -> ModerationState:
    """The comment's state, if the moderator may act on it; else as unknown as a missing one."""
    state = rt.comments.moderation_state(comment_id) if _COMMENT_ID.fullmatch(comment_id) else None
    if state is None or not moderator.may_moderate(state.site_id):
        raise UnknownComment(comment_id)
    return state


def act(
    rt: Runtime,
    moderator: Moderator,
    comment_id: str,
    action: ModeratorAction,
    reason: ReportReason | None = None,
    note: str | None = None,
) -> Decided | Conflict:
    """Apply one moderator's action to one comment: recorded once, or a Conflict naming who decided first."""
    action = ModeratorAction(action)
    reason = ReportReason(reason) if reason is not None else None
    check_note(note)
    if action is ModeratorAction.DISMISS_REPORTS:
        visible(rt, moderator, comment_id)
        return dismiss_reports(rt, moderator, comment_id)
    code = reason_code(action, reason)
    expected, to = MOVES[action]
    while True:
        state = visible(rt, moderator, comment_id)
        before = Status(state.status)
        if before not in expected:
            return conflict(rt, comment_id, before, state.last_entry)
        if _overrules_a_colleague(moderator, action, before, state.decided_by):
            return _decided_by(rt, comment_id, before, state)

        read: list[ReportsRead] = []

        def reports_now(pipe: Pipeline, comment: Comment, read: list[ReportsRead] = read) -> bool:
            """The open reports, read inside the compare-and-set (their counts are watched)."""
            read[:] = [read_reports(rt, comment.site_id, comment.id, watching=pipe)]
            return True

        def writes(
            pipe: Pipeline, comment: Comment, state: ModerationState = state, read: list[ReportsRead] = read
        ) -> None:
            _still_as_read(state, comment)
            reports = read[0]
            relabel(rt, pipe, comment, state.learned_as, _label_after(action, comment, state.learned_as, code))
            decision = {
                "actor": moderator.actor,
                "from": comment.status.value,
                "to": to.value,
                "reasons": [code],
                "reasons_before": list(comment.reasons),
                "learned_before": state.learned_as,
                "decided_before": state.decided_at,  # what an undo puts back
                "decided_by_before": state.decided_by,
                "reported_since": reports.since,
            }
            rt.comments.keep_decision(pipe, comment.id, decision)
            file_decided(rt, pipe, comment, state.decision, [code])
            if to is Status.PUBLISHED:
                refile_reported(rt, pipe, comment, reports.counts, (state.decision or {}).get("reported_since"))

        try:
            applied = _apply(
                rt,
                moderator,
                comment_id,
                before,
                to,
                (code,),
                event_type(action, before, to),
                writes,
                note,
                watch=(rt.keys.report_counts(comment_id),),
                still_wanted=reports_now,
            )
        except _Moved:
            continue
        return outcome_of(rt, comment_id, to, applied)


def act_many(
    rt: Runtime,
    moderator: Moderator,
    ids: Iterable[str],
    action: ModeratorAction,
    reason: ReportReason | None = None,
    note: str | None = None,
) -> dict[str, Decided | Conflict | None]:
    """The action on each id, each on its own compare-and-set; None for an id unknown or of another site."""
    ids = list(ids)
    if len(ids) > BULK_MAX:
        raise ValueError(f"at most {BULK_MAX} ids at once")
    action = ModeratorAction(action)
    reason = ReportReason(reason) if reason is not None else None
    check_note(note)
    if action is not ModeratorAction.DISMISS_REPORTS:
        reason_code(action, reason)  # refuse a missing reason before anything changes
    results: dict[str, Decided | Conflict | None] = {}
    for comment_id in dict.fromkeys(ids):
        try:
            results[comment_id] = act(rt, moderator, comment_id, action, reason, note)
        except UnknownComment:
            results[comment_id] = None
    return results


def undo(rt: Runtime, moderator: Moderator, comment_id: str) -> Decided | Conflict:
    """Reverse this moderator's last decision, if the comment is still where it put it: status, learning, queue."""
    while True:
        state = visible(rt, moderator, comment_id)
        current = Status(state.status)
        decision, last = state.decision, state.last_entry
        if not _is_theirs(moderator, decision, last, current):
            return conflict(rt, comment_id, current, last)
        assert decision is not None
        back = Status(decision["from"])
        reports = read_reports(rt, state.site_id, comment_id)

        def writes(
            pipe: Pipeline,
            comment: Comment,
            state: ModerationState = state,
            decision: Any = decision,
            reports: ReportsRead = reports,
        ) -> None:
            _still_as_read(state, comment)
            relabel(rt, pipe, comment, state.learned_as, decision["learned_before"])
            rt.comments.keep_decision(pipe, comment.id, None)  # an undo is not undone again
            unfile_decided(rt, pipe, comment, decision["reasons"])
            # Back to where it was: the reports it had still count, from when they were filed.
            keep_review_time(
                rt, pipe, comment.id, decision.get("decided_before", ""), decision.get("decided_by_before", "")
            )
            if decision["from"] == Status.PUBLISHED.value:
                refile_reported(rt, pipe, comment, reports.counts, decision.get("reported_since"))

        reasons = tuple(decision["reasons_before"])
        try:
            applied = _apply(
                rt, moderator, comment_id, current, back, reasons, event_type(None, current, back), writes, "undo"
            )
        except _Moved:
            continue
        return outcome_of(rt, comment_id, back, applied)


def conflict(rt: Runtime, comment_id: str, status: Status, last_entry: dict[str, Any] | None) -> Conflict:
    """The comment's status, and who put it there when, as a person reads it."""
    actor = last_entry["actor"] if last_entry else None
    return Conflict(
        comment_id=comment_id,
        status=status,
        decided_by=rt.moderators.display_name(actor) if actor else None,
        decided_at=last_entry["at"] if last_entry else None,
    )


def _decided_by(rt: Runtime, comment_id: str, status: Status, state: ModerationState) -> Conflict:
    """The comment's status, and who last changed it when (not who last dismissed its reports)."""
    return Conflict(
        comment_id=comment_id,
        status=status,
        decided_by=rt.moderators.display_name(state.decided_by),
        decided_at=float(state.decided_at) if state.decided_at else None,
    )


def outcome_of(rt: Runtime, comment_id: str, to: Status, outcome: Outcome) -> Decided | Conflict:
    if isinstance(outcome, Applied):
        return Decided(comment_id=comment_id, status=to, event_id=outcome.event.id)
    actor = outcome.actor
    return Conflict(
        comment_id=comment_id,
        status=outcome.status,
        decided_by=rt.moderators.display_name(actor) if actor else None,
        decided_at=outcome.at,
    )


def _apply(
    rt: Runtime,
    moderator: Moderator,
    comment_id: str,
    before: Status,
    to: Status,
    reasons: tuple[str, ...],
    event: str,
    writes: ExtraWrites,
    note: str | None,
    watch: tuple[str, ...] = (),
    still_wanted: StillWanted | None = None,
) -> Outcome:
    return apply_transition(
        rt,
        comment_id,
        expected={before},
        to=to,
        actor=moderator.actor,
        reasons=reasons,
        event_type=event,
        extra=writes,
        note=note,
        watch=watch,
        still_wanted=still_wanted,
    )


def _is_theirs(
    moderator: Moderator, decision: dict[str, Any] | None, last: dict[str, Any] | None, current: Status
) -> bool:
    """True when the comment's last change is this moderator's decision, and it is still where that put it."""
    if decision is None or last is None:
        return False
    return (
        decision["actor"] == last["actor"] == moderator.actor
        and decision["to"] == last["to"] == current.value
        and decision["from"] == last["from"]
    )


def _overrules_a_colleague(moderator: Moderator, action: ModeratorAction, before: Status, decided_by: str) -> bool:
    """Reject and spam take down what the pipeline published or this moderator approved, never a colleague's decision.

    Two moderators pressing approve and reject on one held comment must make one decision: the
    reject that comes second finds it published by someone else and gets a Conflict. Overruling a
    colleague is done on purpose, with take-down. Judged by who changed the status last: a dismissal
    of reports decides nothing about the comment.
    """
    by_a_colleague = decided_by.startswith("moderator:") and decided_by != moderator.actor
    return action in (ModeratorAction.REJECT, ModeratorAction.SPAM) and before is Status.PUBLISHED and by_a_colleague


def _still_as_read(state: ModerationState, comment: Comment) -> None:
    """Inside the compare-and-set: every change rewrites `decided_at`, so an equal one means nothing moved.

    An undo writes back the time of the decision it reverses: what was read is then the state again.
    """
    read = float(state.decided_at) if state.decided_at else None
    if comment.decided_at != read:
        raise _Moved(comment.id)


def _label_after(action: ModeratorAction, comment: Comment, learned: str, code: str) -> str:
    """The label the comment counts under after the action; plain rejections leave it as it was.

    Restoring a comment rejected as spam (by a moderator or by the spam checks) says it is ham.
    """
    if code == SPAM_CODE:
        return SPAM
    if action is ModeratorAction.APPROVE:
        return HAM
    rejected_as_spam = learned == SPAM or any(r == SPAM_CODE or r.startswith("spam.") for r in comment.reasons)
    if action is ModeratorAction.RESTORE and rejected_as_spam:
        return HAM
    return learned
