"""Profanity: the same verdicts as better-profanity (computed live), the additions, tiers and offsets."""

from __future__ import annotations

import csv
import random
import re

import pytest
from better_profanity import Profanity

from tests.conftest import DATA
from workers.profanity import Matcher, Tier, censor, default_words, lookalikes, matcher_for, site_words
from workers.profanity.evasion import stretches
from workers.profanity.wordlist import word_characters

SEED = 20251129  # the fixed sample: 1,500 texts drawn with this seed
SAMPLE_SIZE = 1500

QUIRKS = [
    "fu ck you",  # words joined across a space
    "what the f u c k is this",  # single letters joined
    "f u c k",  # ...but a word that starts at the last character is never joined
    "f.u.c.k",
    "f.u.c.k.",
    "sh*t happens",  # * stands for a vowel
    "sh1t",
    "$hit",
    "@ss",
    '"fuck"',  # quotes are word characters, so this is not the listed word
    "fuck's sake",
    "FUCK",
    "x",
    "!f",
    "a  b",
    "2 girls 1 cup!",
    "son-of-a-bitch",
    "i love p.u.s.s.y. cats",
    "l3i+ch",
    "sh!+",
    "Scunthorpe",
    "class assess Dickens cocktail shitake",
    "bullshit",
    "bull shit.",
    "he'll",
    "hell",
    "ｆｕｃｋ",
    "fück",
    "fuuuck",
    "İstanbul is lovely",
    "a\u200bss",
    "",
    "   ",
    "ass",
    "as s",
    "a ss hole",
    "⭐️bitch",  # U+FE0F is a word character to the reference: this is not the listed word
    "one person ☝️fuck having",
    "naïve fuck",
    "µfuck",
    "x \x80fuck",  # a C1 control is a separator
    "😀 fuck 😀",
]


def _texts() -> list[str]:
    texts = []
    with open(DATA / "davidson-hate-offensive" / "labeled_data.csv", newline="", encoding="utf-8") as f:
        texts += [row["tweet"] for row in csv.DictReader(f)]
    for path in sorted((DATA / "youtube-spam").glob("Youtube0*.csv")):
        with open(path, newline="", encoding="utf-8") as f:
            texts += [row["CONTENT"] for row in csv.DictReader(f)]
    return texts


@pytest.fixture(scope="module")
def reference() -> Profanity:
    return Profanity()


@pytest.fixture(scope="module")
def ours() -> Matcher:
    return Matcher(default_words(), additions=False)


def test_same_verdict_as_better_profanity_on_a_fixed_sample(reference, ours):
    sample = random.Random(SEED).sample(_texts(), SAMPLE_SIZE)
    disagreements = [t for t in sample if reference.contains_profanity(t) != ours.contains(t)]
    flagged = sum(reference.contains_profanity(t) for t in sample[:200])
    assert flagged > 50  # the sample exercises the list, it is not all clean
    assert disagreements == []


@pytest.mark.parametrize("text", QUIRKS)
def test_same_verdict_on_the_quirks(reference, ours, text):
    assert ours.contains(text) == reference.contains_profanity(text)


CUSTOM_LISTS = {
    "ASCII": (
        ["frak", "gorram", "smeg head", "zark-off", "t.o.a.d"],
        ["fr ak", "fr@k", "gorr@m", "smeg", "head", "zark", "off", "t", "o", "a", "d", "the", "a"],
    ),
    # At most one separator in a word: the reference then joins only every other word.
    "one separator": (
        ["frak", "gorram", "smeg head", "felgercarb"],
        ["fr ak", "fr@k", "gorr@m", "gor", "ram", "smeg", "head", "felger", "carb", "the", "a"],
    ),
    # Words beyond ASCII are read as str rather than bytes: the same rules on another path.
    "beyond ASCII": (
        ["scheiße", "blöd mann", "dummkopf", "ärsch", "fuck"],
        ["SCHEIẞE", "sch eiße", "bl0d", "blöd", "mann", "dumm", "kopf", "Ärsch", "f", "u", "ck", "ｆｕｃｋ", "😀", "a"],
    ),
}


@pytest.mark.parametrize("kind", CUSTOM_LISTS)
def test_same_verdict_with_a_custom_list(kind):
    words, others = CUSTOM_LISTS[kind]
    reference, custom = Profanity(words), Matcher(words, additions=False)
    rng = random.Random(SEED)
    pieces = [*words, *others]
    separators = [" ", "-", ".", ", ", "  ", "!"]
    texts = [
        "".join(rng.choice(pieces) + rng.choice(separators) for _ in range(rng.randint(1, 6))).rstrip()
        for _ in range(3000)
    ]
    assert sum(reference.contains_profanity(t) for t in texts) > 300
    assert [t for t in texts if reference.contains_profanity(t) != custom.contains(t)] == []


def test_offsets_point_into_the_original_text():
    m = matcher_for()
    text = "Ünïcödé first — then sh1t, ｆｕｃｋ and f u c k, fuuuck!"
    for match in m.find(text):
        assert text[match.start : match.end] == match.text
    assert [x.text for x in m.find(text)] == ["sh1t", "ｆｕｃｋ", "f u c k", "fuuuck"]


@pytest.mark.parametrize(
    ("text", "via"),
    [
        ("ｆｕｃｋ this", "fullwidth"),
        ("𝐟𝐮𝐜𝐤 this", "fullwidth"),
        ("fück this", "accent"),
        ("аss", "lookalike"),  # Cyrillic а
        ("this is f u c k", "separator"),
        ("f-u-c-k", "separator"),
        ("fuuuuuck", "repeat"),
        ("shiiiiit", "repeat"),
    ],
)
def test_additions_catch_evasions_the_reference_misses(reference, text, via):
    assert not reference.contains_profanity(text)
    matches = matcher_for().find(text)
    assert [m.via for m in matches] == [via]


@pytest.mark.parametrize(
    "text",
    [
        "Scunthorpe",
        "class",
        "assess",
        "Dickens",
        "cocktail",
        "shitake",
        "good",
        "sooo good",
        "Mississippi",
        "naïve café",
    ],
)
def test_additions_add_no_hits_on_clean_words(text):
    assert matcher_for().find(text) == []


def test_tiers_default_and_site_moves():
    default = matcher_for()
    assert {m.word: m.tier for m in default.find("fuck damn gay")} == {
        "fuck": Tier.SEVERE,
        "damn": Tier.MILD,
        "gay": Tier.CONTEXT,
    }
    moved = Matcher(site_words(tier_overrides={"damn": "severe", "fuck": "mild"}, allowed=["gay"]))
    assert {m.word: m.tier for m in moved.find("fuck damn gay")} == {"fuck": Tier.MILD, "damn": Tier.SEVERE}


def test_every_tiered_word_is_on_the_list():
    listed = set(default_words())
    assert set(site_words()) == listed


def test_censor_masks_each_match_with_as_many_stars():
    text = "What a shit day, f u c k."
    masked = censor(text, [(m.start, m.end) for m in matcher_for().find(text)])
    assert masked == "What a **** day, *******."
    assert len(masked) == len(text)


def test_same_verdict_on_generated_texts_with_leetspeak_separators_and_unicode(reference, ours):
    """Listed words cut, disguised and glued to quotes, emoji, variation selectors and accents."""
    rng = random.Random(SEED)
    words = list(default_words())
    leet = {"a": "@4*", "i": "1l*", "o": "0@*", "u": "v*", "e": "3*", "s": "$5", "t": "7", "l": "1"}
    glue = ['"', "'", "*", "\ufe0f", "é", "İ", "µ", "😀", "\u0301", "ｆ", "\x80", "\u00a0", "—"]
    separators = [" ", "  ", ".", "-", "_", ",", "!", "\n", "\t", "…", "\u200b", "+"]

    def disguise(word: str) -> str:
        roll = rng.random()
        if roll < 0.3:
            return "".join(rng.choice(leet.get(c, c)) if rng.random() < 0.3 else c for c in word)
        if roll < 0.5:
            k = rng.randint(1, max(1, len(word) - 1))
            return word[:k] + rng.choice(separators) + word[k:]
        if roll < 0.7:
            k = rng.randint(0, len(word))
            return word[:k] + rng.choice(glue) + word[k:]
        return word.upper() if roll < 0.8 else word

    texts = []
    for _ in range(2000):
        parts = [
            (disguise(rng.choice(words)) if rng.random() < 0.5 else rng.choice(["the", "a", "x", "ok", "as", "i"]))
            + rng.choice(separators)
            for _ in range(rng.randint(1, 6))
        ]
        text = "".join(parts)
        texts.append(text.rstrip() if rng.random() < 0.5 else text)
    assert sum(reference.contains_profanity(t) for t in texts) > 500
    assert [t for t in texts if reference.contains_profanity(t) != ours.contains(t)] == []


def test_the_lookalike_table_is_derived_from_its_sources():
    assert lookalikes.load() == lookalikes.derive()


def test_word_characters_are_better_profanitys():
    from better_profanity.constants import ALLOWED_CHARACTERS

    assert word_characters() == frozenset(ALLOWED_CHARACTERS)


def test_a_comment_in_another_script_is_read_as_written():
    m = matcher_for()
    # Russian: "SHUT YOUR MOUTH AND LISTEN", "the 30th century". Read letter by letter as Latin look-alikes
    # they would be "pot" and "xxx"; in a comment mostly in Cyrillic they are the writer's own words.
    assert m.find("ЗАКРОЙ РОТ И СЛУШАЙ") == []
    assert m.find("ХХХ век") == []
    # A word that mixes scripts is still a disguise (the с in fuсk is Cyrillic), and so is a
    # Cyrillic spelling inside an English comment.
    assert [(x.word, x.via) for x in m.find("Закрой рот, это fuсk и всё.")] == [("fuck", "lookalike")]
    assert [(x.word, x.via) for x in m.find("Shut your РОТ")] == [("pot", "lookalike")]


def test_a_comment_all_in_look_alikes_is_a_disguise():
    # Every letter Cyrillic, none of them a letter only Cyrillic has: not Russian, but "SHIT".
    assert [(x.word, x.via) for x in matcher_for().find("ЅНІТ")] == [("shit", "lookalike")]


def test_offsets_hold_for_a_list_beyond_ascii():
    # İ lower-cases to two characters; the words after it must still be found where they are.
    text = "İİ SCHEIẞE und scheiße"
    matches = Matcher(["scheiße"], additions=False).find(text)
    assert [(text[x.start : x.end], x.word) for x in matches] == [("SCHEIẞE", "scheiße"), ("scheiße", "scheiße")]


def test_stretches_are_every_run_of_three_letters():
    # The integer trick against the plain rule, on random text with many runs.
    rng = random.Random(SEED)
    for _ in range(200):
        text = bytes(rng.choice(b"  aab!Z") for _ in range(rng.randint(0, 80)))
        expected = [m.start() for m in re.finditer(rb"(?=([a-z])\1\1)", text)]
        assert stretches(text) == expected, text


def test_disguised_letters_spelled_out_at_the_end():
    # Fullwidth letters spelled out, last in the comment: the reference never joins the last one.
    assert [(x.word, x.via) for x in matcher_for().find("I said ｆ ｕ ｃ ｋ")] == [("fuck", "separator")]
