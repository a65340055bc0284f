"""How the desk shows stored values: times, links a reader supplied, the spam model's figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from workers.decision_outcomes import Conflict
from workers.models import Comment, Status

from . import bp

# How a status reads in "Already … by …": a person's publish is an approval.
STATUS_WORDS = {Status.PUBLISHED: "approved", Status.REJECTED: "rejected", Status.HELD: "held", Status.QUEUED: "queued"}


DESK_DRIVERS = 5  # the desk names at most this many things that made a comment look like spam


@dataclass(frozen=True)
class SpamSignal:
    """The spam model's probability for a comment and what drove it (the strongest first), in words."""

    probability: float | None
    tokens: list[tuple[str, float, str]]  # what in the comment, its weight in log-odds, what it means


@bp.app_template_filter("when")
def when(timestamp: float | None) -> str:
    """A stored Unix time as a person reads it, in UTC (moderators of one site sit in many zones)."""
    if timestamp is None:
        return ""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


@bp.app_template_filter("iso_time")
def iso_time(timestamp: float | None) -> str:
    """A stored Unix time for a `<time datetime>` attribute."""
    return "" if timestamp is None else datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


@bp.app_template_filter("http_link")
def http_link(url: str | None) -> str | None:
    """The URL when it is an http(s) link a browser may follow, else None (shown as text: no `javascript:`)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


@bp.app_template_filter("percent")
def percent(probability: float | None) -> str:
    return "unknown" if probability is None else f"{probability * 100:.1f}%"


def conflict_message(conflict: Conflict) -> str:
    """ "Already rejected by ana@example.org at 2026-11-30 04:20 UTC": who decided first, and when."""
    if conflict.decided_by in (None, "pipeline"):
        said = f"Already {conflict.status.value} by the checks"
    else:
        said = f"Already {STATUS_WORDS.get(conflict.status, conflict.status.value)} by {conflict.decided_by}"
    return f"{said} at {when(conflict.decided_at)}" if conflict.decided_at else said


def spam_signal(comment: Comment) -> SpamSignal | None:
    """What the spam check's model said about the comment, or None when it never ran or abstained."""
    for entry in comment.evidence:
        if entry.get("check") != "spam":
            continue
        model: dict[str, Any] = (entry.get("details") or {}).get("model") or {}
        tokens = [
            (str(t.get("token", "")), float(t.get("weight", 0.0)), str(t.get("words") or t.get("token", "")))
            for t in model.get("tokens") or []
        ]
        score = entry.get("score")
        if score is None and not tokens:
            return None
        # The desk says why a comment may be spam; what speaks for it stays in the evidence and the API.
        toward_spam = [t for t in tokens if t[1] > 0][:DESK_DRIVERS] if score is not None and score >= 0.5 else []
        return SpamSignal(probability=None if score is None else float(score), tokens=toward_spam)
    return None


@bp.app_context_processor
def desk_helpers() -> dict[str, Any]:
    """Shared by every desk template, rather than passed by each view."""
    return {"spam_signal": spam_signal}
