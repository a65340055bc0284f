"""Matching with better-profanity's verdicts, in time linear in the text.

better-profanity splits text into words (runs of its word characters), and for each word followed
by a separator first tries the word joined with the next one, two, … words (up to the most
separators any listed word has), with and without the separators between them, then the word
alone. A candidate matches a listed word of the same length when each character is the word's
letter or one of that letter's substitutes (`*` for a vowel, `@` for a or o, `1` for i or l, …).

Here the list is indexed once: each word under its *fold*, where every letter and all its
substitutes share one character. A text is read once, in C, into the same folded form (every
character that is not a word character a space), and one regex, a trie of the listed folds with
separators allowed between any two letters, finds each word where a listed word could begin, alone
or joined with the next words. Only there are the reference's rules applied, word by word: the
words between are never touched in Python, so a long comment with few hits costs one regex pass.

Quirks kept on purpose, because they decide the reference's verdict:
- a word that starts at the text's last character is never joined to the word before it;
- text whose first word character is its last character is never profane;
- quotes and apostrophes are word characters: `"fuck"` and `fuck's` are not the listed word.

One difference, for word lists beyond ASCII only: a capital whose lower case is two characters
(İ, U+0130) is read as itself, so that offsets stay true; the reference lower-cases it to i̇.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
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


WORD_CLASS = char_class(word_characters())
TOKEN = re.compile(WORD_CLASS + "+")
_NON_WORD = re.compile("[^" + WORD_CLASS[1:])


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
            return frozenset(k.encode().translate(_AS_REGEX_WORD) for k in keys if k.isascii())

        self.ascii_keys = Keys(*(ascii_of(k) for k in (self.keys.by_fold, self.keys.joinable, starts, letters)))
        self.max_joined = max([1] + [sum(c not in allowed for c in w) for w in self.words])
        self.ascii_only = all(w.isascii() for w in self.words)
        self._memo: dict[str | bytes, str | None] = {}
        self.joins: dict[tuple[str, bool], tuple[int, str] | None] = {}  # see `_join_once`
        self.reading = reading(self)  # compiled here, with the rest: a scan never waits for it

    def lookup(self, candidate: str | bytes) -> str | None:
        """The listed word this lower-cased candidate stands for, or None."""
        if candidate in self._memo:  # keyed as given: bytes are not decoded again
            return self._memo[candidate]
        text = candidate.decode("ascii") if isinstance(candidate, bytes) else candidate
        words = self.by_fold.get(text.translate(FOLD), ())
        found = next((w for w in words if matches_word(text, w)), None)
        if len(self._memo) > MEMO_LIMIT:
            self._memo.clear()
        self._memo[candidate] = found
        return found


# A word character outside ASCII: part of a word, never of a listed ASCII word. It is µ, itself a
# word character in Latin-1, so a real µ and a stand-in for another letter read the same.
OTHER_LETTER = 0xB5


# In the folded bytes, the word characters that are not regex word characters (\w) become capitals,
# which folding never leaves: every word character is then \w and every other one a space, so
# the trie can end a word with `\b`, a fifth of the pattern's length shorter than a lookahead.
_AS_REGEX_WORD = bytes.maketrans(b"\"'" + bytes([OTHER_LETTER]), b"QXZ")


def _byte_tables() -> tuple[bytes, bytes]:
    """bytes.translate tables over Latin-1: ASCII word characters lower-cased (and folded), other
    word characters OTHER_LETTER, every other byte a space. Folded, see `_AS_REGEX_WORD`."""
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
    return bytes(lower), bytes(fold).translate(_AS_REGEX_WORD)


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


def _read_bytes(text: str) -> tuple[bytes, bytes]:
    """The text lower-cased and folded, one byte a character (see `one_byte_per_character`)."""
    raw = b" " + one_byte_per_character(text)
    return raw.translate(LOWER_BYTES), raw.translate(_FOLD_BYTES)


def _read_str(text: str) -> tuple[str, str]:
    """The text lower-cased and folded, other characters as spaces, for word lists beyond ASCII."""
    kept = _NON_WORD.sub(" ", text)
    # İ (U+0130) is the one character whose lower case is two characters: kept as it is, so that
    # offsets stay true.
    lowered = "İ".join(part.lower() for part in kept.split("İ"))
    return " " + lowered, " " + lowered.translate(FOLD)


def _trie(folds: Iterable[str], word_end: str) -> str:
    """A regex for a word start (after a space) where some listed fold begins, its letters spelled
    across any number of words: separators may come between any two letters, and the match ends at
    a word's end. At each letter, going on is tried before ending, so a match that ends inside its
    first word means that no join of words can start there."""
    root: dict[str, dict[str, Any]] = {}
    for fold in folds:
        node = root
        for c in fold:
            node = node.setdefault(c, {})
        node[""] = {}

    def pattern(node: dict[str, Any]) -> str:
        onward = [re.escape(c) + pattern(child) for c, child in sorted(node.items()) if c]
        if not onward:
            return word_end
        branch = onward[0] if len(onward) == 1 else "(?:" + "|".join(onward) + ")"
        # Separators are taken whole (possessive): the next character after them is always a letter.
        if node is root:
            return branch
        return f"(?: *+{branch}|{word_end})" if "" in node else " *+" + branch

    return " (" + pattern(root) + ")"


class Reading(NamedTuple):
    """How one index reads texts: as bytes (a list of ASCII words) or as str."""

    read: Callable[[str], tuple[Any, Any]]
    starts: re.Pattern[Any]  # `_trie` of the listed folds, as letters only
    words: re.Pattern[Any]
    space: Any
    keys: Keys


def reading(index: WordIndex) -> Reading:
    """The index's reading; its one regex is most of the compile time."""
    letters = {"".join(TOKEN.findall(f)) for f in index.keys.by_fold}
    if index.ascii_only:
        starts = re.compile(_trie(letters, r"\b").encode().translate(_AS_REGEX_WORD))
        return Reading(_read_bytes, starts, re.compile(rb"[^ ]+"), b" ", index.ascii_keys)
    return Reading(_read_str, re.compile(_trie(letters, "(?![^ ])")), re.compile(r"[^ ]+"), " ", index.keys)


class Scan(NamedTuple):
    """What one pass over a text found."""

    hits: list[Hit]  # the reference's hits
    spelled: list[tuple[int, int]]  # spans where a listed word is spelled across words, with no hit
    lowered: Any  # the text as read: lower-cased, other characters spaces, after one leading space


def scan(index: WordIndex, text: str) -> list[Hit]:
    """Every listed word as the reference finds it, in order, with offsets into `text`."""
    return scan_text(index, text).hits


def scan_text(index: WordIndex, text: str) -> Scan:
    """The reference's hits, and where a listed word is spelled across words that it does not join.

    One regex search finds each word where a listed word could start; the reference's rules are
    then applied there, word by word. Text between such words is never looked at in Python.
    """
    form = index.reading
    lowered, folded = form.read(text)
    size = len(folded)
    allowed = word_characters()
    # The reference never joins a word that starts at the text's last character to the one before,
    # and text whose first word character is its last is never profane.
    lone_tail = bool(text) and text[-1] in allowed and (len(text) == 1 or text[-2] not in allowed)
    if not text or (lone_tail and not folded[:-1].strip()):
        return Scan([], [], lowered)
    partner_limit = size - 1 if lone_tail else size  # a join partner ends before this
    # The reference keeps a window of the next words, refilled one word at a time; when no listed
    # word has more than one separator the window is one word, emptied at every other word, and
    # those words are never joined. The count restarts after a joined hit.
    every_other = index.max_joined == 1
    words_since_window, counted_to = 0, 0  # counted as the scan goes, so the count stays linear
    found: list[Hit] = []
    spelled: list[tuple[int, int]] = []
    pos = 0
    search, space, lookup = form.starts.search, form.space, index.lookup
    while (m := search(folded, pos)) is not None:
        start, reach = m.span(1)
        end = folded.find(space, start)
        end = size if end == -1 else end
        hit = None
        if reach > end and every_other:
            words_since_window += len(form.words.findall(folded, counted_to, start))
            counted_to = start
        # A listed fold that runs on into the next words: the reference's joins.
        if reach > end and not (every_other and words_since_window % 2):
            hit = _join_once(index, form, text, lowered, folded, start, end, reach, partner_limit)
            if hit is not None:
                words_since_window, counted_to = 0, hit.end + 1
        if hit is None and (word := lookup(lowered[start:end])) is not None:
            hit = Hit(start - 1, end - 1, word)  # offsets into `text`: the reading has one space before
        if hit is not None:
            found.append(hit)
        elif reach > end:
            spelled.append((start - 1, reach - 1))
        pos = end if hit is None else hit.end + 1  # a joined hit's words are not looked at again
    return Scan(found, spelled, lowered)


def _join_once(
    index: WordIndex,
    form: Reading,
    text: str,
    lowered: Any,
    folded: Any,
    start: int,
    end: int,
    reach: int,
    partner_limit: int,
) -> Hit | None:
    """`_join`, remembered by the words it can look at: those the trie's match spans (no listed word
    reaches past it), and whether the text's last word is among them. A comment repeating one
    phrase thousands of times is then joined once."""
    key = (text[start - 1 : reach - 1], reach > partner_limit)
    if key not in index.joins:
        hit = _join(index, form, text, lowered, folded, start, end, partner_limit)
        if len(index.joins) > MEMO_LIMIT:
            index.joins.clear()
        index.joins[key] = None if hit is None else (hit.end - hit.start, hit.word)
        return hit
    known = index.joins[key]
    return None if known is None else Hit(start - 1, start - 1 + known[0], known[1])


def _join(
    index: WordIndex, form: Reading, text: str, lowered: Any, folded: Any, start: int, end: int, partner_limit: int
) -> Hit | None:
    """The shortest join of the word at `start` with the next words that is listed, with and without
    the separators between them (the reference's order)."""
    keys = form.keys
    plain_l, plain_f = lowered[start:end], folded[start:end]
    plain_alive = True
    spaced_alive = plain_f in keys.separated_starts
    letters_f = plain_f  # the words run together: a spaced join can only match if these could
    for partner in islice(form.words.finditer(folded, end), index.max_joined):
        a, b = partner.span()
        if b > partner_limit:
            return None
        if plain_alive:
            plain_l += lowered[a:b]
            plain_f += folded[a:b]
            if plain_f in keys.by_fold and (word := index.lookup(plain_l)):
                return Hit(start - 1, b - 1, word)
            plain_alive = plain_f in keys.joinable
        if spaced_alive:
            letters_f += folded[a:b]
            spaced_alive = letters_f in keys.separated_letters
        if spaced_alive:
            spaced = text[start - 1 : b - 1].lower()
            spaced_f = spaced.translate(FOLD)
            if spaced_f in index.keys.by_fold and (word := index.lookup(spaced)):
                return Hit(start - 1, b - 1, word)
            spaced_alive = spaced_f in index.keys.joinable
        if not (plain_alive or spaced_alive):
            return None
    return None
