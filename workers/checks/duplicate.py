"""The same author posting the same body in the same thread again."""

from __future__ import annotations

from ..models import Action, Comment, Verdict
from ..policy import Policy
from . import CheckContext


def check_duplicate(comment: Comment, policy: Policy, context: CheckContext) -> Verdict:
    """Reject a comment whose author, thread and body match a recent comment; anonymous ones are not compared."""
    if not comment.author_key:
        return Verdict("duplicate", Action.PASS, details={"skipped": "no author identity (no email, no IP)"})
    if context.duplicate_of:
        return Verdict("duplicate", Action.REJECT, ("spam.duplicate",), details={"duplicate_of": context.duplicate_of})
    return Verdict("duplicate", Action.PASS)
