"""The reference's data: better-profanity's word list, its character map and its word characters.

better-profanity is the source of the list and the reference in tests; it is never called to
moderate. Its data files are read once per process, without importing it: its import builds a
filter of its own, a fifth of our whole compile time, that nothing here uses.
"""

from __future__ import annotations

import json
import string
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from importlib.util import find_spec
from pathlib import Path

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


def _reference_file(name: str) -> Path:
    """A data file of the better-profanity package, found without importing the package."""
    spec = find_spec("better_profanity")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("better-profanity is not installed; it is the source of the word list")
    return Path(spec.submodule_search_locations[0]) / name


@lru_cache(maxsize=1)
def word_characters() -> frozenset[str]:
    """The characters better-profanity keeps inside a word: letters (its Unicode list), digits, @ $ * " '.

    As its `constants.ALLOWED_CHARACTERS` builds them (a test compares the two)."""
    letters = json.loads(_reference_file("alphabetic_unicode.json").read_text("utf-8"))
    return frozenset(string.ascii_letters) | frozenset(string.digits) | frozenset("@$*\"'") | frozenset(letters)


@lru_cache(maxsize=1)
def default_words() -> tuple[str, ...]:
    """better-profanity's default list, lower-cased as it lower-cases it."""
    text = _reference_file("profanity_wordlist.txt").read_text("utf-8")
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
