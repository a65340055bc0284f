"""What the shipped base spam model reads from a comment: hashed character n-grams, plus signals.

Character 2-5-grams were chosen by leave-one-video-out cross-validation on YouTube files 01-04
(docs/spam-model.md): they generalise to spam whose words the training videos never used ("chanel",
"subscribe2me", a new gift-card brand), where whole words do not; adding words beside them lowered
recall at a 1% false-positive rate. Hashing keeps the vocabulary bounded (BUCKETS weights at most),
so a site's unusual text never grows the model.

Each n-gram counts once per comment (binary), and the n-grams of one comment are scaled to unit
length, so a long comment is not more spam-like for being long.

A link is read as its host ("https://t.co/ZUai7qWBIR" as "t.co"): the rest of a link is an id whose
characters say nothing about spam, and learned from YouTube 01-04, where nearly every link is spam's,
they made a tweet's or a news comment's one link enough to hold it (docs/spam-model.md, *Links*).
"""

from __future__ import annotations

import math
import re
import unicodedata
import zlib
from dataclasses import dataclass

from .spam_signals import SIGNAL_WORDS, Signal, signal_tokens, signals
from .text import LINK, link_host

BUCKETS = 1 << 18
CHAR_MIN, CHAR_MAX = 2, 5
# Scoring reads the first 4,000 characters: a 10,000-character comment took 55 ms to read whole, and a body
# may be 65,525. Every training comment is shorter; spam shows itself in its first lines.
CHAR_LIMIT = 4000
CHAR_PREFIX = "c:"
_SPACE = re.compile(r"\s+")
# A word's part of the score below this (in log-odds) is not worth a moderator's reading; nor are these words,
# whatever their weight: "“the” reads like spam" tells a moderator nothing.
DRIVER_MIN = 0.25
FUNCTION_WORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "do",
        "for",
        "from",
        "has",
        "have",
        "i",
        "if",
        "in",
        "is",
        "it",
        "me",
        "my",
        "no",
        "not",
        "of",
        "on",
        "or",
        "our",
        "so",
        "that",
        "the",
        "this",
        "to",
        "was",
        "we",
        "with",
        "you",
        "your",
    }
)


@dataclass(frozen=True)
class Features:
    """One comment as the base model reads it: weighted feature names, and what they came from."""

    values: dict[str, float]
    grams: dict[str, int]  # feature name -> where its first n-gram starts in `normalized` (for evidence)
    normalized: str
    found: tuple[Signal, ...]
    hosts: frozenset[str] = frozenset()  # the hosts its links point to, as `normalized` has them


def normalize(text: str) -> str:
    """Links as their hosts, lower case, runs of white space as one space, padded so edge letters start n-grams."""
    with_hosts = LINK.sub(lambda m: f" {link_host(m.group(0))} ", text)
    return f" {_SPACE.sub(' ', with_hosts.lower()).strip()} "


def bucket(gram: str) -> str:
    """The feature name of one n-gram: CRC-32 of its UTF-8, in BUCKETS buckets (stable across runs)."""
    return f"{CHAR_PREFIX}{zlib.crc32(gram.encode('utf-8')) & (BUCKETS - 1)}"


def char_features(text: str) -> tuple[dict[str, float], dict[str, int], str]:
    """Each distinct hashed n-gram once, scaled to unit length; with where each bucket's first n-gram starts."""
    normalized = normalize(text[:CHAR_LIMIT])[:CHAR_LIMIT]
    grams: dict[str, int] = {}
    for n in range(CHAR_MIN, CHAR_MAX + 1):
        for i in range(len(normalized) - n + 1):
            gram = normalized[i : i + n]
            if gram.strip():
                grams.setdefault(bucket(gram), i)
    value = 1.0 / math.sqrt(len(grams)) if grams else 0.0
    return dict.fromkeys(grams, value), grams, normalized


def features(text: str, author_url: str = "") -> Features:
    """The base model's features of a comment: character n-grams and one token per signal kind found."""
    values, grams, normalized = char_features(text)
    found = tuple(signals(text, author_url))
    for token in signal_tokens(list(found)):
        values[token] = 1.0
    hosts = frozenset(host for m in LINK.finditer(text[:CHAR_LIMIT]) if (host := link_host(m.group(0))))
    return Features(values=values, grams=grams, normalized=normalized, found=found, hosts=hosts)


def words_at(normalized: str, offset: int) -> str:
    """The word of the normalized text that an n-gram starting at `offset` falls in (for evidence)."""
    start = offset
    while start < len(normalized) and normalized[start] == " ":
        start += 1
    left = normalized.rfind(" ", 0, start) + 1
    right = normalized.find(" ", start)
    return normalized[left : right if right >= 0 else len(normalized)]


def shown_word(word: str) -> str:
    """A word as the evidence names it: without the punctuation around it ("school:" is "school")."""
    start, end = 0, len(word)
    while start < end and unicodedata.category(word[start])[0] in "PS":
        start += 1
    while end > start and unicodedata.category(word[end - 1])[0] in "PS":
        end -= 1
    return word[start:end] or word


def signal_words(kind: str) -> str:
    """What a signal kind means, in a moderator's words."""
    return SIGNAL_WORDS.get(kind, kind)
