"""A comment's body as text cut into segments, with the evidence (words, keys, links) marked where it is.

The checks' offsets are into the body with bidi controls stripped (what was scored and is shown),
so the marks are placed in that text. Stored evidence keeps the first few items of each list and
the whole count beside them (`workers.evidence`); when there were more than are marked, a summary
says how many, instead of a wall of highlights.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .models import Comment
from .text import strip_bidi

MAX_MARKS = 50  # marks highlighted at most; past that a summary says how many there are
TIERS_MARKED = {"severe": "Severe profanity", "mild": "Mild profanity"}  # context words are never profanity alone
KEY_LISTS = {"disallowed_keys": "Disallowed word", "moderation_keys": "Word held for review"}


@dataclass(frozen=True)
class Mark:
    """Why a stretch of the body is marked: `kind` (profanity, disallowed_key, moderation_key, link) and a label."""

    kind: str
    label: str


Segment = tuple[str, Mark | None]


@dataclass(frozen=True)
class MarkedText:
    """The body in order as segments; `summary` is set when there were more matches than are marked."""

    segments: list[Segment] = field(default_factory=list)
    summary: str | None = None
    matches: int = 0  # every match the checks found in the body, marked or not


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    mark: Mark


def evidence_marks(comment: Comment) -> MarkedText:
    """The body (as text, never HTML) with each piece of evidence marked at its offsets."""
    text, _ = strip_bidi(comment.body)
    spans: list[_Span] = []
    totals: list[tuple[int, str]] = []  # (how many in all, what) per list, for the summary
    for verdict in comment.evidence:
        details = verdict.get("details") or {}
        if verdict.get("check") == "profanity":
            spans += _profanity(text, details, totals)
        elif verdict.get("check") == "spam":
            spans += _spam(text, details, totals)
    kept = _without_overlaps(spans)[:MAX_MARKS]
    matches = sum(n for n, _ in totals)
    summary = None
    if matches > len(kept):
        listed = "; ".join(f"{n:,} {what}" for n, what in totals if n)
        summary = f"{listed}; the first {len(kept)} highlighted"
    return MarkedText(_segments(text, kept), summary, matches)


def _fits(text: str, item: dict[str, Any], found: str) -> bool:
    """The offsets lie in the text and point at what the check found there (stored text may be shortened)."""
    start, end = item.get("start"), item.get("end")
    if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end <= len(text):
        return False
    return text[start:end].startswith(found.removesuffix("…"))


def _profanity(text: str, details: dict[str, Any], totals: list[tuple[int, str]]) -> list[_Span]:
    matches = [m for m in details.get("matches", []) if m.get("field", "body") == "body"]
    marked = [m for m in matches if m.get("tier") in TIERS_MARKED]
    counts = details.get("counts") or {}
    total = sum(int(counts.get(tier, 0)) for tier in TIERS_MARKED) if counts else len(marked)
    if total:
        words = list(dict.fromkeys(str(m.get("word", "")) for m in marked))
        shown = ", ".join(words[:5]) + (", …" if len(words) > 5 else "")
        totals.append((total, f"profanity matches ({shown})" if shown else "profanity matches"))
    return [
        _Span(m["start"], m["end"], Mark("profanity", f"{TIERS_MARKED[m['tier']]}: {m.get('word', '')}"))
        for m in marked
        if _fits(text, m, str(m.get("text", "")))
    ]


def _spam(text: str, details: dict[str, Any], totals: list[tuple[int, str]]) -> list[_Span]:
    spans = []
    for name, label in KEY_LISTS.items():
        keys = [k for k in details.get(name, []) if k.get("field") == "body"]
        if keys:
            totals.append((int(details.get(f"{name}_count", len(keys))), f"{label.lower()} matches"))
        spans += [
            _Span(k["start"], k["end"], Mark(name.removesuffix("s"), f"{label}: {k.get('key', '')}"))
            for k in keys
            if _fits(text, k, "")
        ]
    links = details.get("links", [])
    if links:
        totals.append((int(details.get("links_count", len(links))), "links"))
    spans += [_Span(x["start"], x["end"], Mark("link", "Link")) for x in links if _fits(text, x, str(x.get("url", "")))]
    return spans


def _without_overlaps(spans: list[_Span]) -> list[_Span]:
    """Spans in order; one that overlaps an earlier one is dropped (a key that is also a listed word is marked once)."""
    kept: list[_Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if not kept or span.start >= kept[-1].end:
            kept.append(span)
    return kept


def _segments(text: str, spans: list[_Span]) -> list[Segment]:
    segments: list[Segment] = []
    at = 0
    for span in spans:
        if span.start > at:
            segments.append((text[at : span.start], None))
        segments.append((text[span.start : span.end], span.mark))
        at = span.end
    if at < len(text):
        segments.append((text[at:], None))
    return segments
