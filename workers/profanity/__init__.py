"""Profanity detection: better-profanity's verdicts in linear time, deliberate additions, and tiers.

`Matcher(words)` with `additions=False` finds exactly what better-profanity 0.7.0 finds with the
same word list; with additions (the default) it also finds the evasions in `evasion.py`. Each
match carries its tier: *severe* words take the site's action, *mild* words its mild action,
*context* words are evidence only. `matcher_for(policy fields)` compiles once per process and policy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, NamedTuple

from .evasion import Evasions
from .reference import Hit, WordIndex, scan_text
from .wordlist import Tier, default_tiers, default_words, word_characters


class Match(NamedTuple):
    """One listed word found in a text. A tuple: long texts have thousands."""

    start: int
    end: int
    text: str
    word: str
    tier: Tier
    via: str = "reference"  # or the addition that found it: fullwidth, lookalike, accent, separator, repeat

    def as_dict(self) -> dict[str, Any]:
        return {
            "word": self.word,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "tier": self.tier.value,
            "via": self.via,
        }


class Matcher:
    """A compiled word list with a tier per word."""

    def __init__(self, words: Mapping[str, Tier] | Iterable[str], additions: bool = True) -> None:
        tiers = dict(words) if isinstance(words, Mapping) else dict.fromkeys(words, Tier.SEVERE)
        self.tiers = {w.lower(): t for w, t in tiers.items() if w.strip()}
        self.index = WordIndex(self.tiers)
        self.evasions = Evasions(self.index) if additions else None

    def find(self, text: str) -> list[Match]:
        """Every listed word in the text, with offsets into `text`, in order."""
        scanned = scan_text(self.index, text)
        if self.evasions is None:
            return [Match(h.start, h.end, text[h.start : h.end], h.word, self.tiers[h.word]) for h in scanned.hits]
        found = self._read_whole(text, scanned.hits, self.evasions)
        taken = [(m.start, m.end) for m in found]
        for e in self.evasions.find(text, taken, scanned):
            found.append(Match(e.start, e.end, text[e.start : e.end], e.word, self.tiers[e.word], e.via))
        found.sort(key=lambda m: m.start)
        return found

    def _read_whole(self, text: str, hits: list[Hit], evasions: Evasions) -> list[Match]:
        """The reference's hits, with single letters read as the longest listed word they spell (the
        reference takes the shortest), so that its tier decides and censoring masks all of it."""
        found = [Match(h.start, h.end, text[h.start : h.end], h.word, self.tiers[h.word]) for h in hits]
        # Spelled out, a hit's second character is a separator: most hits are turned away by that alone.
        chars = word_characters()
        spelled = [i for i, h in enumerate(hits) if h.end - h.start > 4 and text[h.start + 1] not in chars]
        inside: set[int] = set()  # hits within a longer word read
        for i in spelled:
            h = hits[i]
            longest = None if i in inside else evasions.spelled_out.longest(text, h.start, h.end)
            if longest is None or _cuts_into(hits, i + 1, longest[0]):
                continue
            end, word = longest
            found[i] = Match(h.start, end, text[h.start : end], word, self.tiers[word], "separator")
            j = i + 1
            while j < len(hits) and hits[j].end <= end:
                inside.add(j)
                j += 1
        return [m for i, m in enumerate(found) if i not in inside] if inside else found

    def contains(self, text: str) -> bool:
        """better-profanity's `contains_profanity` (any tier)."""
        return bool(self.find(text))


def _cuts_into(hits: list[Hit], i: int, end: int) -> bool:
    """Whether a hit from the i-th on starts before `end` and ends after it."""
    while i < len(hits) and hits[i].end <= end:
        i += 1
    return i < len(hits) and hits[i].start < end


def site_words(
    extra: Iterable[str] = (), allowed: Iterable[str] = (), tier_overrides: Mapping[str, str] | None = None
) -> dict[str, Tier]:
    """The default list with the project's tiers, plus a site's extra words, moves and allowed words."""
    tiers = default_tiers()
    words = {w: tiers.get(w, Tier.SEVERE) for w in default_words()}
    for w in extra:
        words[w.strip().lower()] = Tier.SEVERE
    for w, tier in (tier_overrides or {}).items():
        words[w.strip().lower()] = Tier(tier)
    for w in allowed:
        words.pop(w.strip().lower(), None)
    return words


@lru_cache(maxsize=128)
def matcher_for(
    extra: tuple[str, ...] = (), allowed: tuple[str, ...] = (), tier_overrides: tuple[tuple[str, str], ...] = ()
) -> Matcher:
    """The matcher for a site's policy, compiled once per process and shared by its comments."""
    return Matcher(site_words(extra, allowed, dict(tier_overrides)))


def censor(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """Mask each [start, end) span with as many `*` as it has characters, so offsets stay true."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = "*" * (end - start)
    return "".join(chars)


__all__ = ["Match", "Matcher", "Tier", "censor", "default_tiers", "default_words", "matcher_for", "site_words"]
