"""Text facts the checks share: bidi controls, emptiness, links, whole-word keys."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from .key_matcher import key_matcher

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


def link_host(url: str) -> str:
    """The host a link (as LINK matched it) points to, lower case, without "www."; "" when it has none.

    The scheme is read from the link's start, not searched for: "www.a.com/go?to=https://b" points to a.com,
    and "http:///a.com" to a.com as a browser reads it.
    """
    url = url.rstrip(TRAILING_PUNCTUATION)
    scheme = re.match(r"(?i)https?:/*", url)
    try:
        host = urlsplit(f"http://{url[scheme.end() if scheme else 0 :]}").hostname or ""
    except ValueError:  # a host that NFKC-normalises into a separator ("example℀com"): a link without one
        host = ""
    return host.removeprefix("www.")


def find_keys(keys: tuple[str, ...], fields: dict[str, str]) -> list[dict[str, object]]:
    """Every whole-word key found in any of `fields`, with the field and offsets."""
    matcher = key_matcher(keys)
    return [
        {"key": m.text, "field": name, "start": m.start, "end": m.end}
        for name, value in fields.items()
        for m in matcher.find(value)
    ]
