"""Matching with better-profanity's verdicts, in time linear in the text.

better-profanity splits text into words (runs of its word characters), and for each word followed
by a separator first tries the word joined with the next one, two, … words (up to the most
separators any listed word has), with and without the separators between them, then the word
alone. A candidate matches a listed word of the same length when each character is the word's
letter or one of that letter's substitutes (`*` for a vowel, `@` for a or o, `1` for i or l, …).

Here the list is indexed once: each word under its *fold*, where every letter and all its
substitutes share one character. A candidate is looked up by its fold (one `str.translate` and
one dict lookup), and the few words under that fold are checked exactly. Joins are tried only
while the joined fold is a prefix of some listed word's fold, so almost every word costs two set
lookups. The loop is per word, never per character; tokenizing is one regular expression.

Quirks kept on purpose, because they decide the reference's verdict:
- a word that starts at the text's last character is never joined to the word before it;
- text whose first word character is its last character is never profane;
- quotes and apostrophes are word characters: `"fuck"` and `fuck's` are not the listed word.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, compress
from operator import add
from typing import Any, NamedTuple

from .wordlist import CHARS_MAPPING, word_characters

MEMO_LIMIT = 50_000  # verified candidates remembered per index


def _fold_table() -> dict[int, str]:
    """Union each letter with its substitutes; map every member of a class to one representative."""
    parent: dict[str, str] = {}

    def find(c: str) -> str:
        while parent.setdefault(c, c) != c:
            c = parent[c]
        return c

    for letter, forms in CHARS_MAPPING.items():
        for form in forms:
            parent[find(form)] = find(letter)
    classes: dict[str, list[str]] = {}
    for c in list(parent):
        classes.setdefault(find(c), []).append(c)
    table: dict[int, str] = {}
    for members in classes.values():
        representative = min(m for m in members if m.isalpha())
        for m in members:
            table[ord(m)] = representative
    return table


FOLD = _fold_table()


def char_class(chars: Iterable[str]) -> str:
    """A regex character class for a set of characters, as ranges."""
    points = sorted(ord(c) for c in chars)
    parts, start, prev = [], points[0], points[0]
    for p in [*points[1:], -1]:
        if p == prev + 1:
            prev = p
            continue
        parts.append(re.escape(chr(start)) + ("-" + re.escape(chr(prev)) if prev > start else ""))
        start = prev = p
    return "[" + "".join(parts) + "]"


_WORD_CLASS = char_class(word_characters())
TOKEN = re.compile(_WORD_CLASS + "+")
_ASCII_TOKEN = re.compile(r"[A-Za-z0-9@$*\"']+")  # the same words, for text that is all ASCII


class Hit(NamedTuple):
    """A listed word found at text offsets [start, end). A tuple: thousands are made per long text."""

    start: int
    end: int
    word: str


def matches_word(candidate: str, word: str) -> bool:
    """The reference's rule: same length, each character the word's letter or one of its substitutes."""
    return len(candidate) == len(word) and all(
        c == w or c in CHARS_MAPPING.get(w, ()) for c, w in zip(candidate, word, strict=True)
    )


@dataclass(frozen=True)
class Keys:
    """The index's lookup sets, as `str` (any text) or as `bytes` (the ASCII fast path)."""

    by_fold: frozenset[Any]  # folds of listed words
    joinable: frozenset[Any]  # folds of listed words and of their prefixes
    separated_starts: frozenset[Any]  # folds of the first word of listed words with separators
    separated_letters: frozenset[Any]  # their words run together, and its prefixes


class WordIndex:
    """One word list, indexed for lookups by fold."""

    def __init__(self, words: Iterable[str]) -> None:
        allowed = word_characters()
        self.words = frozenset(w.lower() for w in words if w.strip())
        by_fold: dict[str, list[str]] = {}
        for w in self.words:
            by_fold.setdefault(w.translate(FOLD), []).append(w)
        self.by_fold = {f: tuple(sorted(ws)) for f, ws in by_fold.items()}
        prefixes = {f[:i] for f in self.by_fold for i in range(1, len(f))}
        # Words with separators inside ("2 girls 1 cup", "f.u.c.k") can only match a joined span
        # with its separators; these are the folds of their first words.
        separated = [TOKEN.findall(w.translate(FOLD)) for w in self.words if any(c not in allowed for c in w)]
        starts = {parts[0] for parts in separated if parts}
        letters = {"".join(parts)[:i] for parts in separated for i in range(1, len("".join(parts)) + 1)}
        self.keys = Keys(
            frozenset(self.by_fold), frozenset(prefixes | self.by_fold.keys()), frozenset(starts), frozenset(letters)
        )

        def ascii_of(keys: Iterable[str]) -> frozenset[bytes]:
            return frozenset(k.encode() for k in keys if k.isascii())

        self.ascii_keys = Keys(*(ascii_of(k) for k in (self.keys.by_fold, self.keys.joinable, starts, letters)))
        self.max_joined = max([1] + [sum(c not in allowed for c in w) for w in self.words])
        self.ascii_only = all(w.isascii() for w in self.words)
        self._memo: dict[str, str | None] = {}

    def lookup(self, candidate: str | bytes) -> str | None:
        """The listed word this lower-cased candidate stands for, or None."""
        if isinstance(candidate, bytes):
            candidate = candidate.decode("ascii")
        if candidate in self._memo:
            return self._memo[candidate]
        words = self.by_fold.get(candidate.translate(FOLD), ())
        found = next((w for w in words if matches_word(candidate, w)), None)
        if len(self._memo) > MEMO_LIMIT:
            self._memo.clear()
        self._memo[candidate] = found
        return found


# A word character outside ASCII: part of a word, never of a listed ASCII word. It is µ, itself a
# word character in Latin-1, so a real µ and a stand-in for another letter read the same.
OTHER_LETTER = 0xB5


def _byte_tables() -> tuple[bytes, bytes]:
    """bytes.translate tables over Latin-1: ASCII word characters lower-cased (and folded), other
    word characters OTHER_LETTER, every other byte a space."""
    allowed = word_characters()
    lower, fold = bytearray(b" " * 256), bytearray(b" " * 256)
    for b in range(256):
        c = chr(b)
        if c not in allowed:
            continue
        if b < 128:
            lower[b] = ord(c.lower())
            fold[b] = ord(c.lower().translate(FOLD))
        else:
            lower[b] = fold[b] = OTHER_LETTER
    return bytes(lower), bytes(fold)


LOWER_BYTES, _FOLD_BYTES = _byte_tables()


_STAND_IN = {ord(c): chr(OTHER_LETTER) for c in word_characters() if ord(c) > 0xFF}
_NOT_STAND_IN = re.compile(f"[^{chr(OTHER_LETTER)}]")


def _beyond_latin1(error: UnicodeError) -> tuple[str, int]:
    """Encoding error handler: a character past Latin-1 becomes OTHER_LETTER or a space, one for one
    (a translate and a substitution, both in C)."""
    assert isinstance(error, UnicodeEncodeError)
    run = error.object[error.start : error.end].translate(_STAND_IN)
    return _NOT_STAND_IN.sub(" ", run), error.end


@lru_cache(maxsize=1)
def _register_error_handler() -> None:
    """Registered on first use, not at import."""
    codecs.register_error("commentgate-words", _beyond_latin1)


def one_byte_per_character(text: str) -> bytes:
    """Latin-1 bytes of the text, other word characters as OTHER_LETTER and the rest as spaces.

    The error handler runs once per run of characters past Latin-1: cheap for English with a few
    emoji, slow for a whole comment in another script, which is translated in one pass first.
    """
    _register_error_handler()
    if len(text.encode("utf-8")) - len(text) > len(text) // 8:
        text = text.translate(_STAND_IN)
    return text.encode("latin-1", errors="commentgate-words")


class Words:
    """A text's words: lower-cased, folded, and where each one is.

    ASCII text (most comments) is done in C: one `bytes.translate` turns every non-word byte into a
    space and folds the rest, and `split` cuts it. Offsets are computed only when something is found.
    """

    def __init__(self, text: str, ascii_words: bool = True) -> None:
        self.text = text
        # With a list of ASCII words, a word with any other letter can never match: such letters
        # become one placeholder byte and the whole text takes the bytes path, one byte a character.
        self.is_ascii = text.isascii() or ascii_words
        if self.is_ascii:
            raw = one_byte_per_character(text)
            self._parts = raw.translate(_FOLD_BYTES).split(b" ")
            self.folded: list[Any] = list(filter(None, self._parts))
            self.lowered: list[Any] = raw.translate(LOWER_BYTES).split()
        else:
            self._spans = [m.span() for m in TOKEN.finditer(text)]
            self.lowered = [text[a:b].lower() for a, b in self._spans]
            self.folded = [t.translate(FOLD) for t in self.lowered]
        self._starts: list[int] | None = None

    def span(self, k: int) -> tuple[int, int]:
        """Offsets of word k in the text."""
        if not self.is_ascii:
            return self._spans[k]
        start = self.starts()[k]
        return start, start + len(self.folded[k])

    def hits(self, found: list[tuple[int, int, str]]) -> list[Hit]:
        """Hits with text offsets, from (first word, last word, listed word)."""
        if not found:
            return []
        if not self.is_ascii:
            spans = self._spans
            return [Hit(spans[i][0], spans[j][1], w) for i, j, w in found]
        starts, folded = self.starts(), self.folded
        return [Hit(starts[i], starts[j] + len(folded[j]), w) for i, j, w in found]

    def starts(self) -> list[int]:
        """Where each word starts (ASCII text)."""
        if self._starts is None:
            # Each part is followed by one separator byte: a part's offset is the length of the parts
            # before it plus their number. Computed once, in C, for the first hit.
            ends = list(accumulate(map(len, self._parts), initial=0))
            where = list(compress(range(len(self._parts)), self._parts))
            self._starts = list(map(add, map(ends.__getitem__, where), where))
        return self._starts


def scan(index: WordIndex, text: str) -> list[Hit]:
    """Every listed word as the reference finds it, in order, with offsets into `text`."""
    words = Words(text, index.ascii_only)
    lowered, folded, is_ascii = words.lowered, words.folded, words.is_ascii
    n = len(folded)
    if n == 0:
        return []
    keys = index.ascii_keys if is_ascii else index.keys
    # Which words could start a hit, found by set lookups mapped in C rather than a Python loop:
    # a listed fold by itself, two words that join into a listed fold or its prefix, or the first
    # word of a listed phrase with separators.
    joins = set(compress(range(n - 1), map(keys.joinable.__contains__, map(add, folded, folded[1:]))))
    candidates = joins.union(compress(range(n), map(keys.by_fold.__contains__, folded)))
    if keys.separated_starts:
        candidates.update(compress(range(n), map(keys.separated_starts.__contains__, folded)))
    if not candidates:
        return []
    span_of = words.span
    allowed = word_characters()
    # The reference never joins a word that starts at the text's last character to the one before.
    last_is_lone_tail = text[-1] in allowed and (len(text) == 1 or text[-2] not in allowed)
    if n == 1 and last_is_lone_tail:
        return []  # its first word character is its last: never profane
    last_join_start = (n - 2 if last_is_lone_tail else n - 1) - 1  # a join needs a partner after it
    found: list[tuple[int, int, str]] = []  # first word, last word, listed word
    resume = 0  # after a joined hit, the words it spans are not looked at again
    max_joined, by_fold, starts, lookup = index.max_joined, keys.by_fold, keys.separated_starts, index.lookup
    for i in sorted(candidates):
        if i < resume:
            continue
        f = folded[i]
        if i <= last_join_start and (i in joins or f in starts):
            joined = _join(index, keys, text, lowered, folded, i, min(i + max_joined, last_join_start + 1), span_of)
            if joined is not None:
                found.append((i, *joined))
                resume = joined[0] + 1
                continue
        if f in by_fold and (alone := lookup(lowered[i])) is not None:
            found.append((i, i, alone))
    return words.hits(found)


def _join(
    index: WordIndex,
    keys: Keys,
    text: str,
    lowered: list[Any],
    folded: list[Any],
    i: int,
    last_partner: int,
    span_of: Callable[[int], tuple[int, int]],
) -> tuple[int, str] | None:
    """The shortest join of word i with the next words that is listed, with and without separators."""
    plain_l, plain_f = lowered[i], folded[i]
    plain_alive = True
    spaced_alive = plain_f in keys.separated_starts
    letters_f = plain_f  # the words run together: a spaced join can only match if these could
    for j in range(i + 1, last_partner + 1):
        if plain_alive:
            plain_l += lowered[j]
            plain_f += folded[j]
            if plain_f in keys.by_fold and (word := index.lookup(plain_l)):
                return j, word
            plain_alive = plain_f in keys.joinable
        if spaced_alive:
            letters_f += folded[j]
            spaced_alive = letters_f in keys.separated_letters
        if spaced_alive:
            spaced = text[span_of(i)[0] : span_of(j)[1]].lower()
            spaced_f = spaced.translate(FOLD)
            if spaced_f in index.keys.by_fold and (word := index.lookup(spaced)):
                return j, word
            spaced_alive = spaced_f in index.keys.joinable
        if not (plain_alive or spaced_alive):
            return None
    return None
