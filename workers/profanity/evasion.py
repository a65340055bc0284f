"""Deliberate additions beyond the reference: evasions better-profanity misses.

- `fullwidth`: compatibility forms (ｆｕｃｋ, 𝐟𝐮𝐜𝐤, ⓕⓤⓒⓚ) read as their ASCII letters (NFKC);
- `lookalike`: letters of other scripts that look like Latin ones (Cyrillic а, е, о, р, с, …), from
  Unicode's confusables data as packaged by confusable-homoglyphs;
- `accent`: accented Latin letters read without their accents (fück);
- `separator`: single letters spelled out with separators (f u c k, f.u.c.k, f-u-c-k), anywhere;
- `repeat`: a letter stretched to three or more (fuuuck, shiiit); doubled letters are not
  stretching, so "good" never reads as "god" and "assess" never as "ass".

The first three map one character to one character, so offsets into the original text stay true.
"""

from __future__ import annotations

import json
import re
import unicodedata
from bisect import bisect_right, insort
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .reference import FOLD, LOWER_BYTES, WordIndex, char_class, matches_word, one_byte_per_character, scan

# Blocks with letters people use to disguise Latin ones.
_SCAN_RANGES = [
    (0x00C0, 0x024F),  # Latin-1 Supplement, Latin Extended-A and -B
    (0x0370, 0x03FF),  # Greek
    (0x0400, 0x04FF),  # Cyrillic
    (0x1D00, 0x1DBF),  # phonetic extensions (small capitals)
    (0x1E00, 0x1EFF),  # Latin Extended Additional
    (0x2460, 0x24FF),  # enclosed alphanumerics
    (0xFF10, 0xFF5A),  # fullwidth digits and letters
    (0x1D400, 0x1D7FF),  # mathematical alphanumerics
    (0x1F130, 0x1F189),  # squared and negative squared letters
]
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
WINDOW_MARGIN = 64  # characters read around a disguised letter: enough for a joined phrase


@lru_cache(maxsize=1)
def normalization() -> tuple[dict[int, str], dict[int, str]]:
    """One-to-one character map to ASCII, and the addition each mapped character belongs to."""
    table: dict[int, str] = {}
    category: dict[int, str] = {}
    data = json.loads(resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8"))
    for ascii_char in sorted(data, key=lambda c: c.isalpha()):  # letters win over digits (О is o, not 0)
        target = ascii_char.lower()
        if len(ascii_char) != 1 or target not in _ASCII_ALNUM:
            continue
        for entry in data[ascii_char]:
            c = entry["c"]
            if len(c) == 1 and not c.isascii():
                table[ord(c)] = target
                category[ord(c)] = "lookalike"
    for low, high in _SCAN_RANGES:
        for point in range(low, high + 1):
            c = chr(point)
            compat = unicodedata.normalize("NFKC", c).lower()
            if len(compat) == 1 and compat in _ASCII_ALNUM:
                table[point], category[point] = compat, "fullwidth"
                continue
            base = "".join(ch for ch in unicodedata.normalize("NFKD", c) if not unicodedata.combining(ch)).lower()
            if len(base) == 1 and base in _ASCII_ALNUM and base != c.lower():
                table[point], category[point] = base, "accent"
    return table, category


@lru_cache(maxsize=1)
def mapped_pattern() -> re.Pattern[str]:
    """Runs of characters the table maps. Characters past the BMP are tested only behind a cheap
    range check, so the scan stays fast (a class with astral ranges is tested range by range)."""
    keys = [chr(k) for k in normalization()[0]]
    bmp = char_class(c for c in keys if ord(c) < 0x10000)
    astral = char_class(c for c in keys if ord(c) >= 0x10000)
    return re.compile(f"{bmp}+|(?=[\\U00010000-\\U0010FFFF]){astral}+")


# Three or more single letters, each alone, with one to three separators (not a line break) between.
SPELLED_OUT = re.compile(r"\b[^\W_](?:[^\w\n]{1,3}[^\W_]\b){2,}")
_SEP = re.compile(r"[^\w]")
# A letter three times in a row, found in the text as bytes (one byte a character, see Words):
# much faster than a Unicode pattern, and only ASCII letters are stretched in practice.
TRIPLE = re.compile(rb"([a-z])\1\1")
RUNS = re.compile(r"(.)\1*")


@dataclass(frozen=True)
class ExtraHit:
    start: int
    end: int
    word: str
    via: str


def _skeleton(text: str) -> tuple[str, list[int]]:
    runs = [m.group() for m in RUNS.finditer(text)]
    return "".join(r[0] for r in runs), [len(r) for r in runs]


class Evasions:
    """The additions for one word list."""

    def __init__(self, index: WordIndex) -> None:
        self.index = index
        self.table, self.category = normalization()
        self.mapped = mapped_pattern()
        self.by_skeleton: dict[str, list[str]] = {}
        for word in index.words:
            self.by_skeleton.setdefault(_skeleton(word.translate(FOLD))[0], []).append(word)

    def find(self, text: str, taken: list[tuple[int, int]]) -> list[ExtraHit]:
        """Hits the reference misses in `text`, not overlapping the spans already `taken`."""
        hits: list[ExtraHit] = []
        shadow = text
        windows = [] if text.isascii() else self._windows(text)
        for start, end in windows:
            window = text[start:end].translate(self.table)
            shadow = shadow[:start] + window + shadow[end:]  # one character for one: offsets hold
        if windows:
            hits.extend(self._disguised(text, shadow, taken, windows))
        for m in SPELLED_OUT.finditer(shadow):
            letters = _SEP.sub("", m.group()).lower()
            word = self.index.lookup(letters)
            if word is not None:
                hits.append(ExtraHit(m.start(), m.end(), word, "separator"))
        hits.extend(self._stretched(shadow))
        return _without_overlaps(hits, taken)

    def _windows(self, text: str) -> list[tuple[int, int]]:
        """Stretches of text around characters the table maps, widened to whole words, merged."""
        windows: list[tuple[int, int]] = []
        for m in self.mapped.finditer(text):
            start = max(0, m.start() - WINDOW_MARGIN)
            end = min(len(text), m.end() + WINDOW_MARGIN)
            start = max(0, text.rfind(" ", 0, start))
            end = text.find(" ", end) if text.find(" ", end) != -1 else len(text)
            if windows and start <= windows[-1][1]:
                windows[-1] = (windows[-1][0], end)
            else:
                windows.append((start, end))
        return windows

    def _disguised(
        self, text: str, shadow: str, taken: list[tuple[int, int]], windows: list[tuple[int, int]]
    ) -> list[ExtraHit]:
        """Words the reference finds once look-alike, fullwidth and accented letters are read as ASCII.

        A hit there that overlaps one found in the original text (the shadow can join words the
        original kept apart) is scanned again on the part the original hit does not cover.
        """
        hits = []
        pending = [(start, h) for start, end in windows for h in scan(self.index, shadow[start:end])]
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

    def _stretched(self, shadow: str) -> list[ExtraHit]:
        hits = []
        lowered = one_byte_per_character(shadow).translate(LOWER_BYTES)
        done = -1
        for m in TRIPLE.finditer(lowered):
            if m.start() < done:
                continue  # another run in a word already looked at
            start = lowered.rfind(b" ", 0, m.start()) + 1
            end = lowered.find(b" ", m.end())
            end = len(lowered) if end == -1 else end
            done = end
            token = shadow[start:end].lower()
            skeleton, runs = _skeleton(token.translate(FOLD))
            letters = _skeleton(token)[0]
            # Prefer the listed word spelled with the token's own letters ("fuck" over "fvck").
            candidates = sorted(self.by_skeleton.get(skeleton, ()), key=lambda w: _skeleton(w)[0] != letters)
            for word in candidates:
                word_runs = _skeleton(word.translate(FOLD))[1]
                # Each letter as often as the word has it, or stretched to three or more.
                if all(r == w or (r > w and r >= 3) for r, w in zip(runs, word_runs, strict=True)):
                    stretched = "".join(ch * r for ch, r in zip(_letters(word, word_runs), runs, strict=True))
                    if matches_word(token, stretched):
                        hits.append(ExtraHit(start, end, word, "repeat"))
                        break
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
