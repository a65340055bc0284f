"""Listed words spelled out in single letters: f u c k, f.u.c.k, s_h_i_t, c|u|n|t, f • u • c • k.

The reference joins single letters only inside a comment, and only as many as its window holds;
this addition finds them anywhere. Where to look costs nothing extra: the reference's scan
already marks each place where words run together into a listed word without a hit (`Scan.spelled`).

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


class SpelledOut:
    """Words of one list spelled out in single letters."""

    def __init__(self, index: WordIndex) -> None:
        self.index = index
        self.spaced: dict[str, str | None] = {}  # see `spaced_word`

    def spaced_word(self, span: str) -> str | None:
        """The listed word these single letters spell, or None; remembered, as a comment may repeat it."""
        if span not in self.spaced:
            if len(self.spaced) > MEMO_LIMIT:
                self.spaced.clear()
            letters = "".join(TOKEN.findall(span)).lower() if SPACED.fullmatch(span) else ""
            self.spaced[span] = self.index.lookup(letters) if letters else None
        return self.spaced[span]
