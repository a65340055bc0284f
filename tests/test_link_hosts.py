"""A link's host, as the base spam model reads it, and the site's counts' tokens, which must never change."""

from __future__ import annotations

import pytest

from workers.spam_features import features
from workers.spam_model import tokenize
from workers.text import link_host


@pytest.mark.parametrize(
    ("link", "host"),
    [
        ("https://t.co/ZUai7qWBIR", "t.co"),
        ("HTTPS://WWW.Example.COM:8080/x", "example.com"),
        ("http://user:pw@evil.com/", "evil.com"),
        # A redirect's target in the query is not the link's host; the scheme is read from the start.
        ("www.casino-bonus.com/go?to=https://x.y", "casino-bonus.com"),
        ("http:///evil.com/offer", "evil.com"),  # as a browser reads it
        ("www.youtube.com.", "youtube.com"),  # the sentence's full stop is not part of the host
        ("https://t.co/abc!", "t.co"),
        ("http://", ""),
    ],
)
def test_a_links_host(link: str, host: str) -> None:
    assert link_host(link) == host


def test_a_link_at_the_end_of_a_sentence_is_named_as_a_link() -> None:
    found = features("check out my channel www.youtube.com.")
    assert found.hosts == frozenset({"youtube.com"})
    assert " youtube.com " in found.normalized and "www" not in found.normalized


def test_a_redirect_link_is_still_read() -> None:
    # Hiding a link's host behind "?to=https://…" must not make the link vanish from the model's reading.
    assert "casino-bonus.com" in features("see www.casino-bonus.com/go?to=https://x.y now").normalized


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        # Unlearning re-tokenizes a stored comment and subtracts: these must stay what they were when learned.
        ("see www.casino.com/go?to=https://x.y now", ["__link__", "see", "now"]),
        ("http:///evil.com/offer", ["__link__"]),
        ("www./x", ["__link__", "__host__:"]),
        ("visit www.youtube.com. today", ["__link__", "__host__:youtube.com.", "visit", "today"]),
        ("HTTPS://WWW.Example.COM:8080/x", ["__link__", "__host__:example.com"]),
    ],
)
def test_the_site_counts_tokens_of_odd_links_never_change(text: str, tokens: list[str]) -> None:
    assert tokenize(text) == tokens
