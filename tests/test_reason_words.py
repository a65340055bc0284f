"""Reason codes read as words: every code the product records has words, unknown ones stay as they are."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workers.models import ReportReason
from workers.reason_words import reason_words

ROOT = Path(__file__).resolve().parents[1]


def test_the_briefs_examples():
    assert reason_words("profanity.severe") == "Severe profanity"
    assert reason_words("moderator.off_topic") == "Rejected by a moderator: off topic"
    assert reason_words("spam.links") == "Too many links"


@pytest.mark.parametrize("reason", [r for r in ReportReason if r is not ReportReason.SPAM])
def test_each_moderators_reason_has_words(reason):
    assert reason_words(f"moderator.{reason.value}").startswith("Rejected by a moderator: ")


def test_spam_by_a_moderator_says_so():
    assert reason_words("moderator.spam") == "Marked as spam by a moderator"


def test_every_code_the_checks_and_the_design_name_has_words():
    sources = [p.read_text() for p in (ROOT / "workers").rglob("*.py") if p.name != "reason_words.py"]
    codes = set()
    for text in sources:
        codes |= set(re.findall(r'"((?:invalid|spam|profanity|author|policy|reports)\.[a-z_]+)"', text))
    codes.add("pipeline_error")
    assert codes >= {"spam.links", "profanity.severe", "policy.premoderation"}  # the scan found the checks' codes
    missing = {c for c in codes if c not in ("author.name", "author.email", "author.url") and reason_words(c) == c}
    assert missing == set()


def test_an_unknown_code_is_shown_as_itself():
    assert reason_words("spam.something_new") == "spam.something_new"
    assert reason_words("moderator.whim") == "moderator.whim"
