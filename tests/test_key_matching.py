"""Disallowed and moderation keys: one automaton that finds what one regex alternation of every key found."""

from __future__ import annotations

import random
import re
import sys
from collections import defaultdict

import pytest

from workers.key_matcher import case_representative, key_matcher
from workers.text import find_keys

# Letters whose case rules are unusual (long s, Kelvin K, dotless i, İ, final sigma, titlecase ǅ, µ),
# a combining accent, digits, separators and a non-Latin script: where whole-word and
# case-insensitive matching can go wrong.
ALPHABET = (
    "abcABC xyz-_.'@1"
    "\u017fsSK\u212ak\u0131iI\u0130"  # long s, Kelvin sign, dotless i, capital I with a dot
    "\u03c3\u03c2\u03a3\u01c5\u01c6\u00b5\u03bc"  # sigmas, titlecase DZ, micro sign and mu
    "\u00e9\u00c9\u0301中文 \t"
)


def alternation(keys: tuple[str, ...], text: str) -> list[tuple[str, int, int]]:
    """The matcher this one replaced: one case-insensitive regex alternation of every key, longest first."""
    cleaned = sorted({k.strip() for k in keys if k.strip()}, key=len, reverse=True)
    if not cleaned:
        return []
    pattern = re.compile(rf"(?<!\w)(?:{'|'.join(re.escape(k) for k in cleaned)})(?!\w)", re.IGNORECASE)
    return [(m.group(0), m.start(), m.end()) for m in pattern.finditer(text)]


def per_key(keys: tuple[str, ...], text: str) -> list[tuple[str, int, int]]:
    """The plain rule, key by key: every whole-word place of every key; then leftmost, longest, not overlapping."""
    places: dict[int, int] = {}
    for key in {k.strip() for k in keys if k.strip()}:
        for m in re.finditer(rf"(?=(?<!\w)({re.escape(key)})(?!\w))", text, re.IGNORECASE):
            places[m.start()] = max(places.get(m.start(), 0), len(key))
    found, after = [], 0
    for start in sorted(places):
        if start >= after:
            found.append((text[start : start + places[start]], start, start + places[start]))
            after = start + places[start]
    return found


def new(keys: tuple[str, ...], text: str) -> list[tuple[str, int, int]]:
    return [(m.text, m.start, m.end) for m in key_matcher(keys).find(text)]


def test_whole_words_only_and_any_case():
    keys = ("press", "Casino", "buy now")
    text = "WordPress press; CASINO-night. Buy  now, buy now! pressing"
    assert new(keys, text) == [("press", 10, 15), ("CASINO", 17, 23), ("buy now", 41, 48)]
    assert new(keys, text) == alternation(keys, text)


def test_the_longest_key_wins_at_a_place_and_matches_do_not_overlap():
    keys = ("cheap", "cheap pills", "pills online")
    assert new(keys, "cheap pills online, cheap") == [("cheap pills", 0, 11), ("cheap", 20, 25)]


def test_keys_that_begin_or_end_with_punctuation_keep_the_same_boundaries():
    keys = ("-spam", "spam!", "@x", "a.b", "1.2.3.4")
    text = "x-spam -spam spam! spam!x @x a@x a.b a.bc 1.2.3.4 11.2.3.4"
    assert new(keys, text) == alternation(keys, text)
    assert [m[0] for m in new(keys, text)] == ["-spam", "spam!", "@x", "a.b", "1.2.3.4"]


def test_case_classes_beyond_ascii_match_as_re_matches_them():
    keys = ("\u017ftop", "kelvin", "\u0131x", "\u03a3\u03bf\u03c6\u03af\u03b1")
    text = "STOP stop \u212aelvin KELVIN ix IX \u03c3\u03bf\u03c6\u03af\u03b1 \u03a3\u039f\u03a6\u038a\u0391"
    assert new(keys, text) == alternation(keys, text)
    assert len(new(keys, text)) >= 6


def test_a_marker_character_in_the_text_is_just_a_separator():
    keys = ("spam",)
    text = "a\x00spam\x01b spam"
    assert new(keys, text) == alternation(keys, text) == [("spam", 2, 6), ("spam", 9, 13)]


def test_case_folding_groups_exactly_the_characters_re_ignorecase_takes_as_equal():
    cased = [
        c
        for c in map(chr, range(sys.maxunicode + 1))
        if (c.lower() != c or c.upper() != c) and not 0xD800 <= ord(c) < 0xE000
    ]
    cased += ["\u0345", "\u1fbe", "\u00b5", "\u017f", "\u0131", "\u03c2"]  # equal to letters without a case pair
    everything = "".join(sorted(set(cased)))
    groups: dict[str, set[str]] = defaultdict(set)
    for c in everything:
        groups[case_representative(c)].add(c)
    for c in everything:
        assert set(re.findall(re.escape(c), everything, re.IGNORECASE)) == groups[case_representative(c)], hex(ord(c))


def random_text(rng: random.Random, size: int) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(size))


@pytest.mark.parametrize("seed", range(40))
def test_agrees_with_the_regex_alternation_and_the_per_key_rule_on_generated_inputs(seed):
    rng = random.Random(seed)
    for _ in range(50):
        text = random_text(rng, rng.randint(0, 80))
        keys = [random_text(rng, rng.randint(1, 4)) for _ in range(rng.randint(0, 12))]
        # Keys taken from the text itself, in another case now and then, so that many match.
        for _ in range(rng.randint(0, 8)):
            if len(text) > 1:
                start = rng.randrange(len(text) - 1)
                key = text[start : start + rng.randint(1, 6)]
                keys.append(key.upper() if rng.random() < 0.3 else key)
        as_tuple = tuple(keys)
        expected = alternation(as_tuple, text)
        assert per_key(as_tuple, text) == expected, (as_tuple, text)
        assert new(as_tuple, text) == expected, (as_tuple, text)


def test_find_keys_reports_the_field_and_offsets_of_each_match():
    fields = {"author.name": "Casino Bob", "body": "Visit the casino. WordPress.", "client.ip": "10.0.0.1"}
    assert find_keys(("casino", "press", "10.0.0.1"), fields) == [
        {"key": "Casino", "field": "author.name", "start": 0, "end": 6},
        {"key": "casino", "field": "body", "start": 10, "end": 16},
        {"key": "10.0.0.1", "field": "client.ip", "start": 0, "end": 8},
    ]
