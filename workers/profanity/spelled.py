"""Listed words spelled out in single letters: f u c k, f.u.c.k, s_h_i_t, c|u|n|t, f • u • c • k, f*u*c*k.

The reference joins single letters only inside a comment, and only as many as its window holds;
this addition finds them anywhere. Where to look costs nothing extra: the reference's scan
already marks each place where words run together into a listed word without a hit (`Scan.spelled`).

`*` is a word character to the reference (it stands for a vowel), so f*u*c*k is one word of seven
letters that its scan never splits. Letters between stars are found apart, by one regex that starts
at a `*`: a comment without one costs a search for it, in C.

A separator is one to five characters that are not word characters (a mark with up to two spaces
on either side: "f  .  u", "f . - u", "f____u"), never a line break: one letter per line is a
list, not a word. Initials and abbreviations ("J. R. R.", "U.S.A.", "a.s.a.p.") are read the same
way and only ever match when their letters are a listed word.
"""

from __future__ import annotations

import re

from .reference import MEMO_LIMIT, TOKEN, WORD_CLASS, WordIndex

SEPARATOR_LENGTH = 5  # a mark with two spaces either side
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # what str.splitlines splits on
_SEPARATOR = f"[^{WORD_CLASS[1:-1]}{LINE_BREAKS}]"
# Three or more single word characters, each alone, with a separator between each two.
SPACED = re.compile(f"{WORD_CLASS}(?:{_SEPARATOR}{{1,{SEPARATOR_LENGTH}}}{WORD_CLASS}){{2,}}")
# In the text as read (one byte a character, every character that is not a word character a
# space): from a `*`, single letters with a run of spaces and stars between each two.
_STAR_CHAIN = re.compile(rb"\*[ *]{0,4}[^ *](?:[ *]{1,5}[^ *])*(?![^ *])")
SPACE, STAR = ord(" "), ord("*")


class SpelledOut:
    """Words of one list spelled out in single letters."""

    def __init__(self, index: WordIndex) -> None:
        self.index = index
        self.spaced: dict[str, str | None] = {}  # see `spaced_word`
        self.chains: dict[str, list[tuple[int, int, str]]] = {}  # see `_chain_words`
        self.wholes: dict[str, tuple[int, str] | None] = {}  # see `longest`
        # The most characters a listed word can take spelled out: its letters, a separator after each.
        letters = max((len("".join(TOKEN.findall(w))) for w in index.words), default=0)
        self.reach = letters * (SEPARATOR_LENGTH + 1)

    def spaced_word(self, span: str) -> str | None:
        """The listed word these single letters spell, or None; remembered, as a comment may repeat it."""
        if span not in self.spaced:
            if len(self.spaced) > MEMO_LIMIT:
                self.spaced.clear()
            letters = "".join(TOKEN.findall(span)).lower() if SPACED.fullmatch(span) else ""
            self.spaced[span] = self.index.lookup(letters) if letters else None
        return self.spaced[span]

    def longest(self, text: str, start: int, end: int) -> tuple[int, str] | None:
        """When the reference's hit at [start, end) is single letters that go on to spell a longer
        listed word (it takes the shortest: the "ass" of a.s.s.h.o.l.e), where that word ends, and it."""
        if self.spaced_word(text[start:end]) is None:
            return None  # not single letters (remembered by their text)
        window = text[start : start + self.reach]
        if window not in self.wholes:
            if len(self.wholes) > MEMO_LIMIT:
                self.wholes.clear()
            form = self.index.reading
            m = form.starts.match(form.read(window)[1])  # the trie, from the window's first letter
            word = None if m is None else self.spaced_word(window[: m.end(1) - 1])
            self.wholes[window] = None if m is None or word is None else (m.end(1) - 1, word)
        whole = self.wholes[window]
        return None if whole is None or start + whole[0] <= end else (start + whole[0], whole[1])

    def starred(self, shadow: str, lowered: bytes) -> list[tuple[int, int, str]]:
        """Listed words spelled in single letters with `*` among the separators, as (start, end, word);
        `lowered` is `shadow` as read, after one leading space."""
        if b"*" not in lowered:
            return []
        found = []
        for chain in _STAR_CHAIN.finditer(lowered):
            # The letter before the first star belongs to the chain: the f of f*u*c*k.
            start = back = chain.start()
            while back > start - (SEPARATOR_LENGTH - 1) and lowered[back - 1] == SPACE:
                back -= 1
            if lowered[back - 1] not in (SPACE, STAR) and lowered[back - 2] in (SPACE, STAR):
                start = back - 1
            offset = start - 1  # into `shadow`
            found += [
                (offset + s, offset + e, word) for s, e, word in self._chain_words(shadow[offset : chain.end() - 1])
            ]
        return found

    def _chain_words(self, chain: str) -> list[tuple[int, int, str]]:
        """The listed words a chain of single letters and stars spells, the longest from each letter,
        read with the stars as spaces; remembered, as a comment may repeat it."""
        if chain not in self.chains:
            if len(self.chains) > MEMO_LIMIT:
                self.chains.clear()
            spaced = chain.replace("*", " ")
            form = self.index.reading
            folded = form.read(spaced)[1]  # after one leading space, as the trie wants it
            found, pos = [], 0
            # The trie finds where a listed word starts and how far it reaches (the longest first).
            while (m := form.starts.search(folded, pos)) is not None:
                start, reach = m.span(1)
                word = self.spaced_word(spaced[start - 1 : reach - 1])
                if word is not None:
                    found.append((start - 1, reach - 1, word))
                pos = reach if word is not None else start
            self.chains[chain] = found
        return self.chains[chain]
