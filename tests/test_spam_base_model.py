"""The base spam model: it ships with the package, scores from a site's first comment, and gives way to the site."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bench.build_spam_base import build
from workers.models import Status
from workers.policy import Policy
from workers.spam_linear import SHIPPED
from workers.spam_model import HAM, SPAM

SCAMS = [
    "call me on +44 20 7946 0958 for a fast loan, no credit checks",
    "Earn $500 a day from home, message me on WhatsApp +1 415 555 2671",
    "Contact me at jane.doe.invest@gmail.com for guaranteed crypto returns",
    "Check out my channel and subscribe, I post new videos every day!",
]
ORDINARY = [
    "I disagree with the mayor; the bus lanes were a good idea and the figures show it.",
    "inflation fell from 3.2% to 2.9% in 2024",
    "the 737 MAX 8 flew again in 2020",
]


def decided(rt: Any, post: Any, work: Any, body: str, **fields: Any) -> Any:
    response = post(body, **fields)
    assert response.status_code == 202, response.get_json()
    work()
    comment = rt.comments.get(response.get_json()["id"])
    assert comment is not None
    return comment


def spam_evidence(comment: Any) -> dict[str, Any]:
    return next(e for e in comment.evidence if e["check"] == "spam")


def test_the_shipped_file_is_what_the_build_script_builds() -> None:
    assert SHIPPED.read_text(encoding="utf-8") == build().to_json()


@pytest.mark.parametrize("body", SCAMS)
def test_a_new_site_stops_common_spam_from_its_first_comment(rt, site, post, work, body) -> None:
    assert rt.spam.trained(site.site_id) == {SPAM: 0, HAM: 0}
    comment = decided(rt, post, work, body)
    assert comment.status is Status.HELD
    assert "spam.classifier" in comment.reasons
    model = spam_evidence(comment)["details"]["model"]
    assert model["base"] is True and model["tokens"], model


@pytest.mark.parametrize("body", ORDINARY)
def test_a_new_site_publishes_ordinary_comments(rt, site, post, work, body) -> None:
    comment = decided(rt, post, work, body)
    assert comment.status is Status.PUBLISHED, spam_evidence(comment)


def test_the_evidence_says_in_words_what_drove_the_score(rt, site, post, work) -> None:
    comment = decided(rt, post, work, SCAMS[0])
    tokens = spam_evidence(comment)["details"]["model"]["tokens"]
    phone = next(t for t in tokens if t["words"] == "asks readers to contact a phone number")
    assert phone["token"] == "+44 20 7946 0958" and phone["weight"] > 0
    assert tokens == sorted(tokens, key=lambda t: abs(t["weight"]), reverse=True)


def test_with_the_base_model_off_an_untrained_site_abstains_and_publishes(rt, site, post, work) -> None:
    rt.sites.set_policy(site.site_id, Policy(spam_base_model=False))
    comment = decided(rt, post, work, SCAMS[1])
    assert comment.status is Status.PUBLISHED
    model = spam_evidence(comment)["details"]["model"]
    assert model["abstained"] is True and model["base"] is False


def test_the_author_url_is_a_signal_the_evidence_names(rt, site, post, work) -> None:
    author = {"name": "Vlog", "email": "v@example.org", "url": "https://v.example"}
    with_url = decided(rt, post, work, "Good piece.", author=author)
    tokens = spam_evidence(with_url)["details"]["model"]["tokens"]
    assert any(t["words"] == "the author left a website link" and t["token"] == "v.example" for t in tokens), tokens


def test_a_sites_own_decisions_take_over_where_they_disagree_with_the_base(rt, site, post, work) -> None:
    """A news site whose readers really do mean its newsletter: once its model has learned so, they are published."""
    body = "Please subscribe to the newsletter for updates on the trial"
    assert decided(rt, post, work, body).status is Status.HELD  # the base reads "subscribe" as YouTube spam
    rt.spam.learn_many(
        site.site_id,
        [(f"Subscribe to the newsletter for the trial updates, day {i}", HAM) for i in range(40)]
        + [(f"cheap replica watches, best price number {i}", SPAM) for i in range(20)],
    )
    assert decided(rt, post, work, body + ".").status is Status.PUBLISHED
    words = [t["words"] for t in spam_evidence(decided(rt, post, work, body + "!"))["details"]["model"]["tokens"]]
    assert any(w.startswith("this site has learned") and w.endswith("as not spam") for w in words), words


def test_the_base_model_alone_holds_but_only_with_the_sites_counts_may_it_reject(rt, site, post, work) -> None:
    body = "Check out my channel and subscribe, I post new videos every day!"
    alone = decided(rt, post, work, body)
    assert spam_evidence(alone)["score"] >= Policy().spam_reject
    assert alone.status is Status.HELD  # learned from other sites' comments: a moderator decides
    rt.spam.learn_many(
        site.site_id,
        [(f"subscribe to my channel for new videos, part {i}", SPAM) for i in range(20)]
        + [(f"the council's budget vote was close, part {i}", HAM) for i in range(20)],
    )
    with_site = decided(rt, post, work, body + " Thanks!")
    assert spam_evidence(with_site)["details"]["model"]["site"] is True
    assert with_site.status is Status.REJECTED


def test_a_score_the_sites_own_counts_disagree_with_is_held_not_rejected(rt, site, post, work) -> None:
    """A site whose readers talk of the paper's channel: the base is sure it is spam, the site's counts are not."""
    rt.spam.learn_many(
        site.site_id,
        [(f"cheap replica watches, best price number {i}", SPAM) for i in range(20)]
        + [(f"I check out the new videos on the paper's channel every day, part {i}", HAM) for i in range(20)],
    )
    comment = decided(rt, post, work, "Check out my channel and subscribe, I post new videos every day!")
    evidence = spam_evidence(comment)
    assert evidence["score"] >= Policy().spam_reject and evidence["details"]["model"]["site"] is True
    assert comment.status is Status.HELD


def test_a_policy_saved_before_the_base_model_keeps_it_off(rt, site, post, work) -> None:
    saved = json.loads(Policy().model_dump_json())
    del saved["spam_base_model"]
    rt.connection.hset(rt.keys.site(site.site_id), "policy", json.dumps(saved))
    assert rt.sites.policy(site.site_id).spam_base_model is False
    assert decided(rt, post, work, SCAMS[1]).status is Status.PUBLISHED  # as before the upgrade: untrained, abstains


def test_the_drivers_stay_small_whatever_the_comment(rt, site, post, work) -> None:
    comment = decided(rt, post, work, "write to " + "a" * 60_000 + "@mail.example today")
    tokens = spam_evidence(comment)["details"]["model"]["tokens"]
    assert tokens and all(len(t["token"]) <= 201 and len(t["words"]) <= 201 for t in tokens)
    assert len(json.dumps(comment.evidence)) < 16_384


def test_a_link_whose_host_cannot_be_parsed_is_still_decided(rt, site, post, work) -> None:
    comment = decided(rt, post, work, "see http://example\u2100com/offer for the timetable")
    assert "pipeline_error" not in comment.reasons
    assert spam_evidence(comment)["score"] is not None  # scored, as any other comment with a link


def test_a_link_is_read_as_its_host_not_its_path(rt, site, post, work) -> None:
    # A link's path is an id: two tweets that differ only in theirs score the same, and the evidence names the host.
    first = spam_evidence(decided(rt, post, work, "Great game last night http://t.co/ZUai7qWBIR"))
    second = spam_evidence(decided(rt, post, work, "Great game last night http://t.co/Q9xLm2PzTa"))
    assert first["score"] == second["score"]
    said = [d["words"] for d in first["details"]["model"]["tokens"]]
    assert "a link to “t.co” reads like spam" in said, said
    assert not any("zuai7qwbir" in words for words in said), said


def test_a_new_site_publishes_a_comment_that_links_to_a_report(rt, site, post, work) -> None:
    body = "Here is the council's own report: https://www.example-council.gov.uk/reports/2024/budget-final.pdf"
    assert decided(rt, post, work, body).status is Status.PUBLISHED
