"""Text rules for every field: control characters, bidi controls, and profanity in the author's name."""

from __future__ import annotations

import pytest

from tests.conftest import snapshot
from tests.helpers.api import LISTING, decided_comment, errors_of
from workers.policy import Policy


@pytest.mark.parametrize("char", ["\x80", "\x85", "\x9b", "\x9f"])
def test_c1_control_characters_are_refused_in_the_body_and_the_name(post, connection, char):
    before = snapshot(connection)
    assert errors_of(post(f"csi {char}31m here")) == {"body": "contains control characters"}
    fields = errors_of(post("Fine.", author={"name": f"Ada{char}", "email": "ada@example.org"}))
    assert fields == {"author.name": "contains control characters"}
    assert snapshot(connection) == before


@pytest.mark.parametrize("char", ["\t", "\n", "\r"])
def test_tab_and_line_breaks_are_kept_in_the_body_but_refused_in_one_line_fields(post, rt, connection, char):
    before = snapshot(connection)
    fields = errors_of(post("Fine.", author={"name": f"Ada{char}Lovelace", "email": "ada@example.org"}))
    assert fields == {"author.name": "contains control characters"}
    assert errors_of(post("Fine.", thread_id=f"t{char}1")) == {"thread_id": "contains control characters"}
    assert snapshot(connection) == before
    accepted = post(f"line one{char}line two")
    assert accepted.status_code == 202
    assert rt.comments.get(accepted.get_json()["id"]).body == f"line one{char}line two"


def test_bidi_controls_are_stripped_from_the_name_so_it_cannot_reverse_itself(post, work, client, auth, rt, site):
    name = "Ada \u202eecalevoL\u202c \u2067x\u2069"
    resource = decided_comment(post, work, client, auth, author={"name": name, "email": "ada@example.org"})
    assert resource["status"] == "published"
    assert rt.comments.get(resource["id"]).author.name == "Ada ecalevoL x"
    listing = client.get(LISTING.format(site=site.site_id)).get_json()
    assert listing["items"][0]["author"]["name"] == "Ada ecalevoL x"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"thread_id": "2025/07/\u202egnp.exe"}, "thread_id"),
        ({"author": {"name": "Ada", "email": "ada@example.org", "url": "https://example.org/\u202ecod.exe"}},
         "author.url"),
        ({"permalink": "https://news.example/\u2066a\u2069"}, "permalink"),
        ({"client": {"ip": "203.0.113.9", "referrer": "https://news.example/\u202d"}}, "client.referrer"),
    ],
)  # fmt: skip
def test_bidi_controls_are_refused_in_ids_and_urls(post, connection, fields, field):
    before = snapshot(connection)
    assert errors_of(post("Fine.", **fields)) == {field: "contains bidirectional control characters"}
    assert snapshot(connection) == before


def profane_name_verdict(resource):
    evidence = next(e for e in resource["evidence"] if e["check"] == "profanity")
    return evidence, [m for m in evidence["details"]["matches"] if m["field"] == "author.name"]


def test_a_profane_name_takes_the_sites_action_with_the_field_in_the_evidence(post, work, client, auth, rt, site):
    author = {"name": "Fucking Troll", "email": "troll@example.org"}
    resource = decided_comment(post, work, client, auth, "A clean remark.", author=author)
    assert resource["status"] == "held"
    assert resource["reasons"] == ["profanity.severe"]
    evidence, name_matches = profane_name_verdict(resource)
    assert [(m["start"], m["end"], m["tier"]) for m in name_matches] == [(0, 7, "severe")]
    assert all(m["field"] == "body" for m in evidence["details"]["matches"] if m not in name_matches)

    rt.sites.set_policy(site.site_id, Policy(flood_seconds=0, profanity_action="reject"))
    resource = decided_comment(post, work, client, auth, "Another clean remark.", author=author)
    assert resource["status"] == "rejected"


def test_a_censored_name_is_masked_in_the_listing_and_kept_for_moderators(post, work, client, auth, rt, site):
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=0, profanity_action="censor"))
    author = {"name": "Shit Stirrer", "email": "s@example.org"}
    resource = decided_comment(post, work, client, auth, "What a shit decision.", author=author)
    assert resource["status"] == "published"
    item = client.get(LISTING.format(site=site.site_id)).get_json()["items"][0]
    assert item["author"]["name"] == "**** Stirrer"
    assert item["body"] == "What a **** decision."
    assert rt.comments.get(resource["id"]).author.name == "Shit Stirrer"


def test_a_clean_name_and_body_have_no_name_matches(post, work, client, auth):
    resource = decided_comment(
        post, work, client, auth, "Clean.", author={"name": "Scunthorpe Reader", "email": "s@example.org"}
    )
    assert resource["status"] == "published"
    assert profane_name_verdict(resource)[1] == []
