"""Profanity detection over better-profanity's word list, with offsets and severity tiers.

The word list and its leetspeak map come from better-profanity; matching walks a trie of the list once
per token, so the work grows with the text, not with the list.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from typing import Any

# better-profanity's substitutions: each listed letter may be written as any of these characters.
CHARS_MAPPING: dict[str, tuple[str, ...]] = {
    "a": ("a", "@", "*", "4"),
    "i": ("i", "*", "l", "1"),
    "o": ("o", "*", "0", "@"),
    "u": ("u", "*", "v"),
    "v": ("v", "*", "u"),
    "l": ("l", "1"),
    "e": ("e", "*", "3"),
    "s": ("s", "$", "5"),
    "t": ("t", "7"),
}
# A word is a run of letters, digits and the characters better-profanity keeps inside words.
TOKEN = re.compile(r"(?:[^\W_]|[@$*\"'])+")
MAX_JOINED = 4  # tokens joined to find phrases ("2 girls 1 cup") and split words ("fu ck")
_END = "\x00"


class Tier(StrEnum):
    SEVERE = "severe"
    MILD = "mild"
    CONTEXT = "context"


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    text: str
    word: str
    tier: Tier

    def as_dict(self) -> dict[str, Any]:
        return {"word": self.word, "text": self.text, "start": self.start, "end": self.end, "tier": self.tier.value}


def _reverse_map() -> dict[str, tuple[str, ...]]:
    reverse: dict[str, set[str]] = {}
    for letter, forms in CHARS_MAPPING.items():
        for form in forms:
            reverse.setdefault(form, set()).add(letter)
    return {form: tuple(sorted(letters | {form})) for form, letters in reverse.items()}


_REVERSE = _reverse_map()


def default_words() -> list[str]:
    """better-profanity's default list, read from its package data."""
    text = resources.files("better_profanity").joinpath("profanity_wordlist.txt").read_text("utf-8")
    return [w.strip().lower() for w in text.splitlines() if w.strip()]


def default_tiers() -> dict[str, Tier]:
    """The project's tiering of the default list (workers/data/profanity_tiers.json)."""
    data = json.loads(resources.files("workers").joinpath("data/profanity_tiers.json").read_text("utf-8"))
    tiers: dict[str, Tier] = {}
    for name in (Tier.MILD, Tier.CONTEXT):
        for word in data[name.value]["words"]:
            tiers[word.lower()] = name
    return tiers


class Matcher:
    """A compiled word list. Build once per process and policy (see `matcher_for`)."""

    def __init__(self, words: dict[str, Tier]) -> None:
        self.root: dict[str, Any] = {}
        for word, tier in words.items():
            node = self.root
            for ch in word:
                node = node.setdefault(ch, {})
            node[_END] = (word, tier)

    def _walk(self, text: str) -> tuple[str, Tier] | None:
        nodes = [self.root]
        for ch in text:
            forms = _REVERSE.get(ch, (ch,))
            nodes = [n[f] for n in nodes for f in forms if f in n]
            if not nodes:
                return None
        for n in nodes:
            if _END in n:
                return n[_END]
        return None

    def find(self, text: str) -> list[Match]:
        """Every listed word in the text, longest first at each position, with offsets into `text`."""
        lowered = text.lower()
        tokens = [(m.start(), m.end()) for m in TOKEN.finditer(lowered)]
        found: list[Match] = []
        i = 0
        while i < len(tokens):
            hit = None
            for j in range(min(len(tokens), i + MAX_JOINED) - 1, i - 1, -1):
                start, end = tokens[i][0], tokens[j][1]
                span = lowered[start:end]
                joined = "".join(lowered[a:b] for a, b in tokens[i : j + 1])
                result = self._walk(span) or (self._walk(joined) if j > i else None)
                if result is not None:
                    hit = Match(start, end, text[start:end], result[0], result[1])
                    i = j + 1
                    break
            if hit is None:
                i += 1
            else:
                found.append(hit)
        return found


@lru_cache(maxsize=128)
def matcher_for(
    extra: tuple[str, ...] = (), allowed: tuple[str, ...] = (), tier_overrides: tuple[tuple[str, str], ...] = ()
) -> Matcher:
    """The matcher for a site's policy, compiled once and shared by every comment of that policy."""
    tiers = default_tiers()
    words = {w: tiers.get(w, Tier.SEVERE) for w in default_words()}
    for w in extra:
        words[w.strip().lower()] = Tier.SEVERE
    for w, tier in tier_overrides:
        words[w.strip().lower()] = Tier(tier)
    for w in allowed:
        words.pop(w.strip().lower(), None)
    return Matcher({w: t for w, t in words.items() if w})


def censor(text: str, matches: Iterable[Match]) -> str:
    """Mask each matched span with as many `*` as it has characters, so offsets stay true."""
    chars = list(text)
    for m in matches:
        chars[m.start : m.end] = "*" * (m.end - m.start)
    return "".join(chars)
