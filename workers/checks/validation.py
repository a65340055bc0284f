"""What needs policy or state at decision time: empty bodies, closed threads, unpublished parents."""

from __future__ import annotations

from ..models import Action, Comment, Status, Verdict
from ..policy import Policy
from ..text import is_blank
from . import CheckContext


def check_validation(comment: Comment, policy: Policy, context: CheckContext) -> Verdict:
    """Reject empty or late comments; hold a reply whose parent is no longer published."""
    details: dict[str, object] = {}
    if context.bidi_removed:
        details["bidi_controls_removed"] = context.bidi_removed
    if is_blank(context.body):
        return Verdict("validation", Action.REJECT, ("invalid.empty",), details=details)
    if comment.thread_id in policy.closed_threads:
        return Verdict("validation", Action.REJECT, ("invalid.thread_closed",), details=details)
    if comment.parent_id and context.parent_status in (Status.HELD, Status.REJECTED):
        details["parent_status"] = context.parent_status.value
        return Verdict("validation", Action.HOLD, ("invalid.parent_unpublished",), details=details)
    return Verdict("validation", Action.PASS, details=details)
