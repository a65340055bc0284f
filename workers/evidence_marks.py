"""A comment's body as text cut into segments, with the evidence (words, keys, links) marked where it is."""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import Comment

MAX_MARKS = 50  # marks highlighted at most; past that a summary says how many there are


@dataclass(frozen=True)
class Mark:
    """Why a stretch of the body is marked: `kind` (profanity, key, link) and a label a person reads."""

    kind: str
    label: str


Segment = tuple[str, Mark | None]


@dataclass(frozen=True)
class MarkedText:
    """The body in order as segments; `summary` is set when there were more matches than are marked."""

    segments: list[Segment] = field(default_factory=list)
    summary: str | None = None
    matches: int = 0


def evidence_marks(comment: Comment) -> MarkedText:
    """The body (as text, never HTML) with each piece of evidence marked at its offsets."""
    raise NotImplementedError
