"""Disallowed and moderation keys: every key of a list found in one pass of one automaton.

A key matches as a whole word (Unicode word boundaries) and case-insensitively, exactly as the
regex `(?<!\\w)(?:key1|key2|…)(?!\\w)` with `re.IGNORECASE` did: at each place, leftmost first,
the longest key, and the next match starts after it. That regex tried every key at every word
start (3 s for a long comment against 40,000 keys); here one Aho-Corasick automaton (the Rust
aho-corasick crate, leftmost-longest) reads the text once, whatever the number of keys, and
reports only the matches kept.

Word boundaries are written into the text as two marker characters: END where a key may end (at
a non-word character and at the text's end) and START where a key may begin (at the text's start
and after a non-word character). Each key is written the same way and wrapped in START…END, so
every match the automaton reports already has both boundaries. Case is folded to one
representative per class of characters that `re.IGNORECASE` takes as equal (its simple lower
case, then `re`'s own table of extra equivalences, such as s and long s), one character for one, so
offsets stay true.

One difference from that regex, on purpose: U+0345 (a combining mark, not a word character) is
case-equal to U+03B9 iota (a letter); a key with that iota inside it does not match text with U+0345 in that place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# re's own table of extra case equivalences (s and long s, i and dotless i, …), as its IGNORECASE
# uses it; tests/test_key_matching.py checks the folding against re for every cased character.
from re import _casefix  # type: ignore[attr-defined]

from ahocorasick_rs import AhoCorasick, MatchKind

START, END = "\x00", "\x01"
SEPARATOR = "\n"  # between keys while they are marked; never inside one (the policy refuses control characters)
_ENDS = re.compile(r"(?!\w)")  # before a non-word character, and at the end
# Once END markers are in: before each character of the text (not a marker) whose character before
# it in the text is not a word character, or that is the first; that character stands right before
# it or right before the END marker in front of it.
_STARTS = re.compile(r"(?<!\w)(?<!\w\x01)(?=[^\x01])")
_MARKERS = str.maketrans({START: " ", END: " "})  # a marker in the text itself is a non-word character
_EXTRA_CASES: dict[int, tuple[int, ...]] = _casefix._EXTRA_CASES


@lru_cache(maxsize=4096)
def case_representative(char: str) -> str:
    """The one character standing for every character that re.IGNORECASE matches with `char`."""
    lower = char.lower()[:1] or char  # simple lower case: İ (the one with a longer full lower case) is i
    return chr(min((ord(lower), *_EXTRA_CASES.get(ord(lower), ()))))


def _folded(text: str) -> str:
    """`text` with each character replaced by its case representative (same length)."""
    table = {ord(c): case_representative(c) for c in set(text)}
    return text.translate(table)


def _marked(text: str) -> str:
    """`text` with END before each place a key may end and START before each place one may begin."""
    return _STARTS.sub(START, _ENDS.sub(END, text))


def _key_forms(keys: list[str]) -> list[str]:
    """How each key reads in a marked, folded text: START, its characters with their markers, END.

    All keys are marked in one pass, joined by a newline: a non-word character, so each key's
    START and END are written as at a text's start and end; the newline's own markers are dropped.
    """
    if not keys:
        return []
    pieces = _folded(_marked(SEPARATOR.join(keys))).split(SEPARATOR)
    return [piece.removeprefix(END).removesuffix(START) for piece in pieces]


@dataclass(frozen=True)
class KeyMatch:
    """One key found in a text: the text as written there, and its offsets."""

    text: str
    start: int
    end: int


class KeyMatcher:
    """One key list compiled into one automaton."""

    def __init__(self, keys: tuple[str, ...]) -> None:
        cleaned = sorted({k.strip() for k in keys if k.strip() and not {START, END, SEPARATOR} & set(k)})
        # A key and its case variants share one form; every form has the same length as its key plus markers.
        lengths = dict(zip(_key_forms(cleaned), map(len, cleaned), strict=True))
        self.key_lengths = list(lengths.values())
        self.automaton = AhoCorasick(list(lengths), matchkind=MatchKind.LeftmostLongest) if lengths else None

    def find(self, text: str) -> list[KeyMatch]:
        """Every key in `text`, leftmost first, the longest at each place, not overlapping."""
        if self.automaton is None or not text:
            return []
        marked = _folded(_marked(text.translate(_MARKERS)))
        found: list[KeyMatch] = []
        counted, markers = 0, 0  # markers in marked[:counted]
        for index, begin, _ in self.automaton.find_matches_as_indexes(marked):
            markers += marked.count(START, counted, begin) + marked.count(END, counted, begin)
            counted = begin
            start = begin - markers  # `begin` is the key's START marker; its first character follows
            end = start + self.key_lengths[index]
            found.append(KeyMatch(text[start:end], start, end))
        return found


@lru_cache(maxsize=256)
def key_matcher(keys: tuple[str, ...]) -> KeyMatcher:
    """The compiled matcher for a key list, once per process and list."""
    return KeyMatcher(keys)
