"""Spam: links, disallowed and moderation keys, the honeypot, and the site's Bayesian model."""

from __future__ import annotations

from typing import Any

from ..models import Action, Comment, Verdict
from ..policy import Policy
from ..text import find_keys, find_links
from . import CheckContext


def _key_fields(comment: Comment, body: str) -> dict[str, str]:
    # WordPress matches its keys against name, email, url, body, IP and user agent.
    return {
        "author.name": comment.author.name,
        "author.email": comment.author.email,
        "author.url": comment.author.url,
        "body": body,
        "client.ip": comment.client.ip,
        "client.user_agent": comment.client.user_agent,
    }


def check_spam(comment: Comment, policy: Policy, context: CheckContext) -> Verdict:
    """The strongest of the spam signals, with every signal kept as evidence."""
    action, reasons = Action.PASS, []
    details: dict[str, Any] = {}

    def raise_to(new: Action, reason: str) -> None:
        nonlocal action
        reasons.append(reason)
        if new.strength > action.strength:
            action = new

    links = find_links(context.body)
    details["links"] = links
    if policy.max_links and len(links) >= policy.max_links:
        raise_to(Action.HOLD, "spam.links")

    fields = _key_fields(comment, context.body)
    disallowed = find_keys(tuple(policy.disallowed_keys), fields)
    if disallowed:
        details["disallowed_keys"] = disallowed
        raise_to(Action.REJECT, "spam.disallowed_key")
    moderation = find_keys(tuple(policy.moderation_keys), fields)
    if moderation:
        details["moderation_keys"] = moderation
        raise_to(Action.HOLD, "spam.moderation_key")

    if comment.honeypot.strip():
        details["honeypot"] = True
        raise_to(Action.REJECT, "spam.honeypot")

    model = context.spam
    score = model.probability if model else None
    if model is not None:
        details["model"] = {"trained": model.trained, "base": model.base, "site": model.site, "tokens": model.drivers}
        if score is None:
            details["model"]["abstained"] = True
    if model is not None and score is not None:
        if score >= policy.spam_reject and model.may_reject(policy.spam_hold):
            raise_to(Action.REJECT, "spam.classifier")
        elif score >= policy.spam_hold:
            raise_to(Action.HOLD, "spam.classifier")
    return Verdict("spam", action, tuple(reasons), score=score, details=details)
