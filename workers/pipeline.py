"""The checks in order, and how their verdicts make one decision."""

from __future__ import annotations

import time
from collections.abc import Sequence

from .checks import Check, CheckContext
from .checks.authors import check_author
from .checks.duplicate import check_duplicate
from .checks.premoderation import check_policy
from .checks.profanity import check_profanity
from .checks.spam import check_spam
from .checks.validation import check_validation
from .evidence import bounded
from .models import STATUS_FOR_ACTION, Action, Comment, Decision, Verdict
from .policy import Policy
from .profanity import Tier, censor

CHECKS: tuple[Check, ...] = (
    check_validation,
    check_author,
    check_duplicate,
    check_spam,
    check_profanity,
    check_policy,
)


def _censored(text: str, field: str, verdicts: Sequence[Verdict], policy: Policy) -> str:
    """`text` with every profanity match in `field` that the site censors masked."""
    censored_tiers = set()
    if policy.profanity_action is Action.CENSOR:
        censored_tiers.add(Tier.SEVERE.value)
    if policy.profanity_mild_action is Action.CENSOR:
        censored_tiers.add(Tier.MILD.value)
    spans = [
        (m["start"], m["end"])
        for v in verdicts
        if v.check == "profanity"
        for m in v.details.get("matches", [])
        if m["tier"] in censored_tiers and m.get("field", "body") == field
    ]
    return censor(text, spans)


def decide(comment: Comment, policy: Policy, context: CheckContext, checks: Sequence[Check] | None = None) -> Decision:
    """Run every check; the strongest action wins (reject > hold > censor > pass); all verdicts are kept, bounded."""
    timed = tuple(_timed(check, comment, policy, context) for check in (CHECKS if checks is None else checks))
    verdicts = tuple(verdict for verdict, _ in timed)
    action = max((v.action for v in verdicts), key=lambda a: a.strength, default=Action.PASS)
    reasons = tuple(r for v in verdicts if v.action is action and action is not Action.PASS for r in v.reasons)
    status = STATUS_FOR_ACTION[action]
    published_body = published_name = None
    if action is Action.CENSOR:
        published_body = _censored(context.body, "body", verdicts, policy)
        masked_name = _censored(comment.author.name, "author.name", verdicts, policy)
        published_name = masked_name if masked_name != comment.author.name else None
    elif context.bidi_removed:
        published_body = context.body
    # The censored body above needs every match; what is stored is the bounded evidence.
    verdicts = tuple(bounded(v) for v in verdicts)
    check_seconds = tuple((verdict.check, seconds) for verdict, seconds in timed)
    return Decision(status, action, reasons, verdicts, published_body, published_name, check_seconds)


def _timed(check: Check, comment: Comment, policy: Policy, context: CheckContext) -> tuple[Verdict, float]:
    """The check's verdict and the seconds it took."""
    started = time.perf_counter()
    verdict = check(comment, policy, context)
    return verdict, time.perf_counter() - started
