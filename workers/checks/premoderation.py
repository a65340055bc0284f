"""Site policy: premoderation and new-commenter premoderation, skipped for trusted authors."""

from __future__ import annotations

from ..models import Action, Comment, Verdict
from ..policy import Policy
from . import CheckContext


def is_trusted(policy: Policy, context: CheckContext) -> bool:
    return context.trusted or (policy.trust_approved_authors and context.prior_published > 0)


def check_policy(comment: Comment, policy: Policy, context: CheckContext) -> Verdict:
    """Hold everything under premoderation, or an author's first N comments; trusted authors skip both."""
    trusted = is_trusted(policy, context)
    details = {"trusted": trusted, "prior_comments": context.prior_comments}
    if trusted:
        return Verdict("policy", Action.PASS, details=details)
    if policy.premoderation:
        return Verdict("policy", Action.HOLD, ("policy.premoderation",), details=details)
    if context.prior_comments < policy.new_commenter_premoderation:
        return Verdict("policy", Action.HOLD, ("policy.new_commenter",), details=details)
    return Verdict("policy", Action.PASS, details=details)
