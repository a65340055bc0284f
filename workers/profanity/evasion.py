"""Deliberate additions beyond the reference: evasions better-profanity misses.

- `fullwidth`: compatibility forms (ｆｕｃｋ, 𝐟𝐮𝐜𝐤, ⓕⓤⓒⓚ) read as their ASCII letters (NFKC);
- `lookalike`: letters of other scripts that look like Latin ones (Cyrillic а, е, о, р, с, …), from
  Unicode's confusables data (the table: `lookalikes.py`); in a comment written in another script,
  only in words that mix scripts;
- `accent`: accented Latin letters read without their accents (fück);
- `separator`: a listed word spelled out in single letters (f u c k, f.u.c.k, s_h_i_t) where the
  reference does not join them: at the text's end, or in more words than it joins (`spelled.py`);
- `repeat`: a letter stretched to three or more (fuuuck, shiiit); doubled letters are not
  stretching, so "good" never reads as "god" and "assess" never as "ass".

The first three map one character to one character, so offsets into the original text stay true.
"""

from __future__ import annotations

import re
from bisect import bisect_right, insort
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby

from . import lookalikes
from .reference import FOLD, MEMO_LIMIT, Scan, WordIndex, char_class, matches_word, scan, scan_text
from .spelled import SpelledOut

WINDOW_MARGIN = 64  # characters read around a disguised letter: enough for a joined phrase


@lru_cache(maxsize=1)
def normalization() -> tuple[dict[int, str], dict[int, str]]:
    """One-to-one character map to ASCII, and the addition each mapped character belongs to."""
    table: dict[int, str] = {}
    category: dict[int, str] = {}
    for kind, characters in lookalikes.load().items():
        for c, target in characters.items():
            table[ord(c)], category[ord(c)] = target, kind
    return table, category


def _one_of(chars: list[str], repeat: str = "") -> str:
    """A regex for one of these characters (or a run, with `repeat` "+"). Characters past the BMP
    are tested only behind a cheap range check: a class with any of them is tested range by range,
    one with none as a bitmap, and the scan goes over every character of the text."""
    bmp = [c for c in chars if ord(c) < 0x10000]
    astral = [c for c in chars if ord(c) >= 0x10000]
    parts = [char_class(bmp) + repeat] if bmp else []
    if astral:
        parts.append(f"(?=[\\U00010000-\\U0010FFFF]){char_class(astral)}{repeat}")
    return "(?:" + "|".join(parts) + ")"


@lru_cache(maxsize=1)
def mapped_pattern() -> re.Pattern[str]:
    """Runs of characters the table maps."""
    return re.compile(_one_of([chr(k) for k in normalization()[0]], "+"))


@lru_cache(maxsize=1)
def native_letter_pattern() -> re.Pattern[str]:
    """A letter beyond ASCII that looks like no Latin letter (Я, Ж, λ): the mark of a text in another script."""
    return re.compile(f"(?![\\x00-\\x7f])(?!{_one_of([chr(k) for k in normalization()[0]])})[^\\W\\d_]")


@lru_cache(maxsize=1)
def latin_variants_pattern() -> re.Pattern[str]:
    """Runs of Latin letters in disguise: fullwidth, mathematical, enclosed, accented."""
    table, category = normalization()
    return re.compile(_one_of([chr(k) for k in table if category[k] != "lookalike"], "+"))


_BEYOND_ASCII = re.compile(r"[^\x00-\x7f]+")
_ASCII_LETTERS = re.compile(r"[A-Za-z]+")
_NOT_LETTER = bytes(0 if 0x61 <= b <= 0x7A else 0xFF for b in range(256))


@dataclass(frozen=True)
class ExtraHit:
    start: int
    end: int
    word: str
    via: str


def _skeleton(text: str) -> tuple[str, list[int]]:
    """The text with each run of one character collapsed to it, and the length of each run."""
    runs = [(c, len(list(group))) for c, group in groupby(text)]
    return "".join(c for c, _ in runs), [n for _, n in runs]


def stretches(lowered: bytes) -> list[int]:
    """Where a lower-case ASCII letter starts a run of three or more of itself.

    Done on the whole text as integers, in C: byte i of (a ^ b) | (a ^ c) | m is zero exactly when
    bytes i, i+1 and i+2 are the same letter (a, b, c: the text from offsets 0, 1 and 2; m: 0xFF
    where byte i is not a letter). A regex for this tries a match at every character and is 3x slower.
    """
    n = len(lowered) - 2
    if n <= 0:
        return []
    a, b, c, m = (
        int.from_bytes(part, "big")
        for part in (lowered[:-2], lowered[1:-1], lowered[2:], lowered[:-2].translate(_NOT_LETTER))
    )
    same = ((a ^ b) | (a ^ c) | m).to_bytes(n, "big")
    found, i = [], same.find(0)
    while i != -1:
        found.append(i)
        i = same.find(0, i + 1)
    return found


class Evasions:
    """The additions for one word list."""

    def __init__(self, index: WordIndex) -> None:
        self.index = index
        self.table, self.category = normalization()
        self.mapped = mapped_pattern()
        self.latin_variants = latin_variants_pattern()
        self.native_letter = native_letter_pattern()
        self.spelled_out = SpelledOut(index)
        self.stretched: dict[str, str | None] = {}  # see `_stretched_word`
        # Listed words by their folded letters with runs collapsed: (word, its letters so collapsed,
        # the length of each run).
        self.by_skeleton: dict[str, list[tuple[str, str, list[int]]]] = {}
        for word in index.words:
            skeleton, runs = _skeleton(word.translate(FOLD))
            self.by_skeleton.setdefault(skeleton, []).append((word, _skeleton(word)[0], runs))

    def find(self, text: str, taken: list[tuple[int, int]], scanned: Scan) -> list[ExtraHit]:
        """Hits the reference misses in `text`, not overlapping the spans already `taken`, given what
        the reference's scan of the text found."""
        hits: list[ExtraHit] = []
        shadow, spelled, lowered = text, scanned.spelled, scanned.lowered
        windows = [] if text.isascii() else self._windows(text)
        if windows:
            # Disguised letters read as ASCII, one character for one, so offsets hold; each window
            # is scanned again, and its findings replace the text's there.
            # Pieces joined once: splicing each window into the whole text would copy it per window.
            shadow_parts, lowered_parts, rescans, cursor = [], [], [], 0
            for start, end in windows:
                window = text[start:end].translate(self.table)
                again = scan_text(self.index, window)
                rescans.append((start, again))
                shadow_parts += [text[cursor:start], window]
                lowered_parts += [lowered[cursor + 1 : start + 1], again.lowered[1:]]
                cursor = end
            shadow = "".join([*shadow_parts, text[cursor:]])
            lowered = lowered[:1] + lowered[:0].join([*lowered_parts, lowered[cursor + 1 :]])
            spelled = [(s, e) for s, e in spelled if not _overlapping(windows, s, e)]
            spelled += [(s + start, e + start) for start, again in rescans for s, e in again.spelled]
            hits.extend(self._disguised(text, shadow, taken, rescans))
        for start, end in spelled:
            if (word := self.spelled_out.spaced_word(shadow[start:end])) is not None:
                hits.append(ExtraHit(start, end, word, "separator"))
        if isinstance(lowered, str):
            lowered = lowered.encode("latin-1", "replace")  # one byte a character
        hits += [
            ExtraHit(start, end, word, "separator") for start, end, word in self.spelled_out.starred(shadow, lowered)
        ]
        hits.extend(self._stretched(shadow, lowered))
        return _without_overlaps(hits, taken)

    def _stretched_word(self, token: str) -> str | None:
        """The listed word this lower-cased token stretches, or None; remembered, as a comment may repeat it."""
        if token in self.stretched:
            return self.stretched[token]
        if len(self.stretched) > MEMO_LIMIT:
            self.stretched.clear()
        found = None
        skeleton, runs = _skeleton(token.translate(FOLD))
        letters = _skeleton(token)[0]
        # Prefer the listed word spelled with the token's own letters ("fuck" over "fvck"), then the
        # one with the fewest letters stretched ("shittt": "shitt" over "shit"), then the alphabet: the
        # list is a set, whose order differs from process to process.
        candidates = sorted(self.by_skeleton.get(skeleton, ()), key=lambda c: (c[1] != letters, -len(c[0]), c[0]))
        for word, _, word_runs in candidates:
            # Each letter as often as the word has it, or stretched to three or more.
            if all(r == w or (r > w and r >= 3) for r, w in zip(runs, word_runs, strict=True)):
                stretched = "".join(ch * r for ch, r in zip(_letters(word, word_runs), runs, strict=True))
                if matches_word(token, stretched):
                    found = word
                    break
        self.stretched[token] = found
        return found

    def _windows(self, text: str) -> list[tuple[int, int]]:
        """Stretches of text around characters the table maps, widened to whole words, merged.

        In text mostly beyond ASCII (a comment in Russian, Greek, …) a word in another script is
        the writer's own: only Latin letters in disguise and words mixing scripts are read as
        ASCII, and without the margin, so that the words around them stay as written.
        """
        windows: list[tuple[int, int]] = []
        mostly_beyond_ascii = (len(text) - len(text.encode("ascii", "ignore"))) * 2 > len(text)
        # ... and written in it: some of its letters look like no Latin one. ЅНІТ, all look-alikes, is not.
        if mostly_beyond_ascii and self.native_letter.search(text):
            found = [m.span() for m in self.latin_variants.finditer(text)]
            found += [run.span() for run in _ASCII_LETTERS.finditer(text) if self._against_lookalike(text, *run.span())]
            found.sort()
            margin = 0
        else:  # the table maps no ASCII: look only beyond it
            found = [m.span() for run in _BEYOND_ASCII.finditer(text) for m in self.mapped.finditer(text, *run.span())]
            margin = WINDOW_MARGIN
        for m_start, m_end in found:
            start = max(0, m_start - margin)
            end = min(len(text), m_end + margin)
            start = max(0, text.rfind(" ", 0, start))
            end = text.find(" ", end) if text.find(" ", end) != -1 else len(text)
            if windows and start <= windows[-1][1]:
                windows[-1] = (windows[-1][0], end)
            else:
                windows.append((start, end))
        return windows

    def _against_lookalike(self, text: str, start: int, end: int) -> bool:
        """Whether Latin letters at [start, end) touch a look-alike letter of another script (fuсk)."""
        return any(0 <= i < len(text) and self.category.get(ord(text[i])) == "lookalike" for i in (start - 1, end))

    def _disguised(
        self, text: str, shadow: str, taken: list[tuple[int, int]], rescans: list[tuple[int, Scan]]
    ) -> list[ExtraHit]:
        """Words the reference finds once look-alike, fullwidth and accented letters are read as ASCII.

        A hit there that overlaps one found in the original text (the shadow can join words the
        original kept apart) is scanned again on the part the original hit does not cover.
        """
        hits = []
        pending = [(start, h) for start, again in rescans for h in again.hits]
        while pending:
            offset, h = pending.pop()
            start, end = h.start + offset, h.end + offset
            changed = {self.category[ord(c)] for c in text[start:end] if ord(c) in self.category}
            if not changed:
                continue  # the reference finds it in the original text
            overlapping = _overlapping(taken, start, end)
            if not overlapping:
                via = next(c for c in ("lookalike", "fullwidth", "accent") if c in changed)
                hits.append(ExtraHit(start, end, h.word, via))
                continue
            cursor = start
            for s, e in [*sorted(overlapping), (end, end)]:
                if s > cursor:
                    pending.extend((cursor, sub) for sub in scan(self.index, shadow[cursor:s]))
                cursor = max(cursor, e)
        return hits

    def _stretched(self, shadow: str, lowered: bytes) -> list[ExtraHit]:
        """Words with a letter stretched: `lowered` is the shadow as read, after one leading space."""
        hits = []
        done = -1
        for i in stretches(lowered):
            if i < done:
                continue  # another run in a word already looked at
            start = lowered.rfind(b" ", 0, i) + 1
            end = lowered.find(b" ", i)
            end = len(lowered) if end == -1 else end
            done = end
            word = self._stretched_word(shadow[start - 1 : end - 1].lower())
            if word is not None:
                hits.append(ExtraHit(start - 1, end - 1, word, "repeat"))
        return hits


def _letters(word: str, runs: list[int]) -> list[str]:
    """The word's letter for each run (its first character)."""
    letters, i = [], 0
    for r in runs:
        letters.append(word[i])
        i += r
    return letters


def _overlapping(spans: list[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    """The spans of a sorted list of disjoint spans that overlap [start, end)."""
    i = bisect_right(spans, (start, start))
    if i and spans[i - 1][1] > start:
        i -= 1
    found = []
    while i < len(spans) and spans[i][0] < end:
        if spans[i][1] > start:
            found.append(spans[i])
        i += 1
    return found


def _without_overlaps(hits: list[ExtraHit], taken: list[tuple[int, int]]) -> list[ExtraHit]:
    """Keep hits, earliest and longest first, that overlap neither `taken` nor each other."""
    kept: list[ExtraHit] = []
    spans = sorted(taken)
    for h in sorted(hits, key=lambda h: (h.start, -(h.end - h.start))):
        if not _overlapping(spans, h.start, h.end):
            kept.append(h)
            insort(spans, (h.start, h.end))
    return kept
