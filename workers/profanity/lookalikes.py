"""The table of characters read as ASCII letters and digits by the additions, and where it comes from.

It is derived from Unicode's confusables data (as packaged by confusable-homoglyphs) and from
Python's Unicode database (compatibility and accent decompositions), and shipped as
`workers/data/lookalikes.json`: deriving it takes longer than compiling everything else (reading
the 900 KB confusables file alone), and the table only changes with those sources. A test derives
it again and compares; after upgrading either source, write it anew:

    python -c "from workers.profanity import lookalikes; lookalikes.write()"
"""

from __future__ import annotations

import json
import unicodedata
from importlib import resources
from pathlib import Path

CATEGORIES = ("lookalike", "fullwidth", "accent")

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


def derive() -> dict[str, dict[str, str]]:
    """For each category, every character it reads as one ASCII letter or digit."""
    table: dict[str, dict[str, str]] = {c: {} for c in CATEGORIES}
    seen: dict[str, str] = {}  # character → its category: a later rule overrides an earlier one
    data = json.loads(resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8"))
    for ascii_char in sorted(data, key=lambda c: c.isalpha()):  # letters win over digits (О is o, not 0)
        target = ascii_char.lower()
        if len(ascii_char) != 1 or target not in _ASCII_ALNUM:
            continue
        for entry in data[ascii_char]:
            c = entry["c"]
            if len(c) == 1 and not c.isascii():
                _put(table, seen, c, target, "lookalike")
    for low, high in _SCAN_RANGES:
        for point in range(low, high + 1):
            c = chr(point)
            compat = unicodedata.normalize("NFKC", c).lower()
            if len(compat) == 1 and compat in _ASCII_ALNUM:
                _put(table, seen, c, compat, "fullwidth")
                continue
            base = "".join(ch for ch in unicodedata.normalize("NFKD", c) if not unicodedata.combining(ch)).lower()
            if len(base) == 1 and base in _ASCII_ALNUM and base != c.lower():
                _put(table, seen, c, base, "accent")
    return table


def _put(table: dict[str, dict[str, str]], seen: dict[str, str], c: str, target: str, category: str) -> None:
    if c in seen:
        del table[seen[c]][c]
    table[category][c] = target
    seen[c] = category


def shipped_path() -> Path:
    return Path(str(resources.files("workers").joinpath("data/lookalikes.json")))


def load() -> dict[str, dict[str, str]]:
    """The shipped table."""
    data: dict[str, dict[str, str]] = json.loads(shipped_path().read_text("utf-8"))["characters"]
    return data


def write() -> None:
    """Derive the table and write it where the package ships it."""
    document = {
        "derived_from": "confusable-homoglyphs confusables.json; Python's unicodedata (NFKC, NFKD)",
        "unicode": unicodedata.unidata_version,
        "characters": derive(),
    }
    shipped_path().write_text(json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n", "utf-8")
