"""The reference's data: better-profanity's word list, its character map and its word characters.

better-profanity is the source of the list and the reference in tests; it is never called to
moderate. These are read from its package once per process.
"""

from __future__ import annotations

import json
from enum import StrEnum
from functools import lru_cache
from importlib import resources

# better-profanity 0.7.0's substitutions: each listed letter may be written as any of these.
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


class Tier(StrEnum):
    SEVERE = "severe"
    MILD = "mild"
    CONTEXT = "context"


@lru_cache(maxsize=1)
def word_characters() -> frozenset[str]:
    """The characters better-profanity keeps inside a word: letters (its Unicode list), digits, @ $ * " '."""
    from better_profanity.constants import ALLOWED_CHARACTERS

    return frozenset(ALLOWED_CHARACTERS)


@lru_cache(maxsize=1)
def default_words() -> tuple[str, ...]:
    """better-profanity's default list, lower-cased as it lower-cases it."""
    text = resources.files("better_profanity").joinpath("profanity_wordlist.txt").read_text("utf-8")
    return tuple(dict.fromkeys(w.strip().lower() for w in text.splitlines() if w.strip()))


@lru_cache(maxsize=1)
def default_tiers() -> dict[str, Tier]:
    """The project's tiering of the default list (workers/data/profanity_tiers.json); the rest is severe."""
    data = json.loads(resources.files("workers").joinpath("data/profanity_tiers.json").read_text("utf-8"))
    tiers: dict[str, Tier] = {}
    for tier in (Tier.MILD, Tier.CONTEXT):
        for word in data[tier.value]["words"]:
            tiers[word.lower()] = tier
    return tiers
