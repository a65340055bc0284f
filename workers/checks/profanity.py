"""Profanity: severe words take the site's action, mild words are evidence, context words never count."""

from __future__ import annotations

from collections import Counter

from ..models import Action, Comment, Verdict
from ..policy import Policy
from ..profanity import Matcher, Tier, matcher_for
from . import CheckContext

# The texts a reader writes and a site shows, by the field name evidence gives them.
CHECKED_FIELDS = ("body", "author.name")


def policy_matcher(policy: Policy) -> Matcher:
    """The site's compiled matcher. The one way to ask for it, so the worker's warm-up and the check share one."""
    # matcher_for's cache keys on the arguments as passed: `matcher_for()` and `matcher_for((), (), ())`
    # would compile the same list twice, once in every forked work horse.
    return matcher_for(
        tuple(policy.profanity_extra_words),
        tuple(policy.profanity_allowed_words),
        tuple(sorted((w, t.value) for w, t in policy.profanity_tiers.items())),
    )


def check_profanity(comment: Comment, policy: Policy, context: CheckContext) -> Verdict:
    """Find listed words in the (bidi-stripped) body and the author's name; apply the site's tier actions.

    Each match names its field, and its offsets are into that field's text.
    """
    matcher = policy_matcher(policy)
    texts = {"body": context.body, "author.name": comment.author.name}
    found = [(field, m) for field in CHECKED_FIELDS for m in matcher.find(texts[field])]
    matches = [m for _, m in found]
    severe = [m for m in matches if m.tier is Tier.SEVERE]
    mild = [m for m in matches if m.tier is Tier.MILD]
    action, reasons = Action.PASS, []
    if severe:
        action = policy.profanity_action
        reasons.append("profanity.severe")
    if mild:
        reasons.append("profanity.mild")
        mild_action = policy.profanity_mild_action
        if mild_action.strength > action.strength:
            action = mild_action
    # Every match goes to the pipeline (censoring masks them all); the stored evidence keeps the
    # first few (workers/evidence.py), so the count per tier is what tells how much there was.
    counts = Counter(m.tier.value for m in matches)
    details = {"matches": [{**m.as_dict(), "field": field} for field, m in found], "counts": dict(counts)}
    return Verdict("profanity", action, tuple(reasons), details=details)
