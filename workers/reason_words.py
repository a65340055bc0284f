"""Reason codes in words a person understands."""

from __future__ import annotations


def reason_words(code: str) -> str:
    """ "profanity.severe" -> "Severe profanity"; an unknown code is shown as itself."""
    raise NotImplementedError
