"""Text facts the checks share: bidi controls, emptiness, links, whole-word keys."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Bidi embeddings, overrides and isolates (U+202A..U+202E, U+2066..U+2069): they can make text read
# differently from how it is stored ("Trojan Source"), so they are stripped and noted in the evidence.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u180e")

# A link is a scheme URL or a bare www. domain; WordPress counts both toward its link limit.
LINK = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"'()\[\]]+")
TRAILING_PUNCTUATION = ".,;:!?"


def strip_bidi(text: str) -> tuple[str, int]:
    """The text without bidi controls, and how many were removed."""
    return BIDI_CONTROLS.subn("", text)


def is_blank(text: str) -> bool:
    """True when nothing readable is left: only whitespace, zero-width, format characters or combining marks."""
    for ch in text:
        if ch.isspace() or ch in ZERO_WIDTH:
            continue
        category = unicodedata.category(ch)
        if category.startswith("M") or category in ("Cf", "Cc"):
            continue
        return False
    return True


def find_links(text: str) -> list[dict[str, object]]:
    """Each link with its character offsets, as evidence a moderator can read."""
    links = []
    for m in LINK.finditer(text):
        url = m.group(0).rstrip(TRAILING_PUNCTUATION)
        links.append({"url": url, "start": m.start(), "end": m.start() + len(url)})
    return links


@lru_cache(maxsize=256)
def whole_word_pattern(keys: tuple[str, ...]) -> re.Pattern[str] | None:
    """One case-insensitive pattern matching any key as a whole word with Unicode word boundaries."""
    cleaned = sorted({k.strip() for k in keys if k.strip()}, key=len, reverse=True)
    if not cleaned:
        return None
    alternatives = "|".join(re.escape(k) for k in cleaned)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def find_keys(keys: tuple[str, ...], fields: dict[str, str]) -> list[dict[str, object]]:
    """Every whole-word key found in any of `fields`, with the field and offsets."""
    pattern = whole_word_pattern(keys)
    if pattern is None:
        return []
    found = []
    for name, value in fields.items():
        for m in pattern.finditer(value):
            found.append({"key": m.group(0), "field": name, "start": m.start(), "end": m.end()})
    return found
