"""Author rules: banned authors are rejected; trusted authors are noted for the policy check."""

from __future__ import annotations

from .. import identity
from ..models import Action, Comment, Verdict
from ..policy import Policy
from . import CheckContext


def ban_keys(comment: Comment) -> list[str]:
    """The ban-list entries that would match this comment's author."""
    return identity.ban_keys(comment.author.email, comment.client.ip, comment.author.name)


def check_author(comment: Comment, policy: Policy, context: CheckContext) -> Verdict:
    """Reject a banned email, IP or name; note a trusted author."""
    matched = [k for k in ban_keys(comment) if k in context.banned]
    if matched:
        return Verdict("author", Action.REJECT, ("author.banned",), details={"banned": matched})
    return Verdict("author", Action.PASS, details={"trusted": context.trusted})
