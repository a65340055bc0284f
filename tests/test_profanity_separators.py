"""Profanity: listed words spelled out in single letters with separators other than spaces and hyphens."""

from __future__ import annotations

import pytest
from better_profanity import Profanity

from workers.checks import CheckContext
from workers.checks.profanity import check_profanity
from workers.models import Action, Author, Client, Comment, Status
from workers.policy import Policy
from workers.profanity import Matcher, censor, default_words, matcher_for

# (comment, the listed words found, the comment as a site that censors publishes it)
SPELLED_OUT = [
    ("f.u.c.k", ["fuck"], "*******"),
    ("s_h_i_t", ["shit"], "*******"),
    ("c|u|n|t", ["cunt"], "*******"),
    ("f/u/c/k", ["fuck"], "*******"),
    ("f • u • c • k", ["fuck"], "*************"),
    ("f . u . c . k", ["fuck"], "*************"),
    ("f.u-c_k", ["fuck"], "*******"),  # mixed separators
    ("I said f.u.c.k.", ["fuck"], "I said *******."),
    # `*` stands for a vowel to the reference, and is a word character: f*u*c*k is one 7-letter word.
    ("f*u*c*k", ["fuck"], "*******"),
    ("go f*u*c*k yourself", ["fuck"], "go ******* yourself"),
    ("s*h*i*t", ["shit"], "*******"),
    ("f**u**c**k", ["fuck"], "**********"),
    ("f * u * c * k", ["fuck"], "*************"),
    ("**f*u*c*k**", ["fuck"], "***********"),
    ("you are a f*u*c*k*i*n*g idiot", ["fucking"], "you are a ************* idiot"),
    ("$*h*1*t", ["sh1t"], "*******"),  # the listed word closest to how it is written
    ("f*u.c*k", ["fuck"], "*******"),
    # Separators with more spaces around them.
    ("f  .  u  .  c  .  k", ["fuck"], "*******************"),
    ("f . - u . - c . - k", ["fuck"], "*******************"),
    ("f____u____c____k", ["fuck"], "****************"),
]


@pytest.mark.parametrize(("text", "words", "published"), SPELLED_OUT)
def test_a_word_spelled_out_with_other_separators_is_found_and_masked_whole(text, words, published):
    matches = matcher_for().find(text)
    assert [m.word for m in matches] == words
    for m in matches:
        assert text[m.start : m.end] == m.text
    # Censoring masks the letters and the separators between them, nothing around.
    assert censor(text, [(m.start, m.end) for m in matches]) == published


@pytest.mark.parametrize(
    "text",
    ["f*u*c*k", "go f*u*c*k yourself", "f * u * c * k", "f  .  u  .  c  .  k", "f____u____c____k"],
)
def test_the_reference_misses_these(text):
    # What the additions are for: better-profanity does not find them.
    assert not Profanity().contains_profanity(text)


CLEAN = [
    "e.g. this works, i.e. it is fine",
    "He moved to the U.S.A. in 1990, then to the U.K.",
    "J. R. R. Tolkien wrote it, and so did C. S. Lewis.",
    "pi is about 3.14 and e about 2.718",
    "Open report_v2.final.pdf, then notes.txt",
    "See https://example.com/a/b/c?x=1&y=2 or www.example.org/i/o/u",
    "Reply a.s.a.p. please",
    "Wait... what... ok...",
    "S.H.I.E.L.D. agents met the F.B.I. and N.A.S.A.",
    "Rock 'n' roll, and the S.O.B. was late",
    "5 * 3 * 2 = 30 and x * y * z",
    "I *really* do mean *it*",
    "Options: a / b / c / d",
    "Section 3.1.4, figure 2.a.ii",
    "p.s. see you at 9 a.m.",
    "*** a * b * c ***",
]


@pytest.mark.parametrize("text", CLEAN)
def test_abbreviations_initials_numbers_and_files_stay_clean(text):
    assert matcher_for().find(text) == []


def test_a_line_break_ends_a_spelling():
    # One letter per line is a list, not a word.
    assert matcher_for().find("f.\nu.\nc.\nk") == []
    assert matcher_for().find("f*\nu*\nc*\nk") == []


# The reference takes the shortest listed join of single letters: the "ass" of a.s.s.h.o.l.e, which
# is mild, so the comment would be published with a note. Read whole, the word is "asshole".
READ_WHOLE = [
    ("you a.s.s.h.o.l.e", ["asshole"], "you *************"),
    ("you are a f.u.c.k.i.n.g idiot", ["fucking"], "you are a ************* idiot"),
    ("p.u.s.s.y", ["pussy"], "*********"),
    ("s.h.i.t.t.y day", ["shitty"], "*********** day"),
    ("a s s h o l e", ["asshole"], "*************"),
    ("f u c k i n g hell", ["fucking", "hell"], "************* ****"),
]


@pytest.mark.parametrize(("text", "words", "published"), READ_WHOLE)
def test_letters_spelled_out_are_read_as_the_longest_listed_word(text, words, published):
    matches = matcher_for().find(text)
    assert [m.word for m in matches] == words
    assert censor(text, [(m.start, m.end) for m in matches]) == published


def test_a_dotted_severe_word_is_held_not_passed_as_a_mild_one():
    text = "you a.s.s.h.o.l.e"
    comment = Comment("c1", "site", "thread", text, Author(), Client(), Status.QUEUED, 0.0)
    verdict = check_profanity(comment, Policy(), CheckContext(body=text))
    assert verdict.action is Action.HOLD
    assert [(m["word"], m["tier"], m["text"]) for m in verdict.details["matches"]] == [
        ("asshole", "severe", "a.s.s.h.o.l.e")
    ]


def test_with_additions_off_the_reference_span_is_kept():
    # The reference's own answer, for equivalence: its shortest join.
    assert [m.text for m in Matcher(default_words(), additions=False).find("you a.s.s.h.o.l.e")] == ["a.s.s"]
