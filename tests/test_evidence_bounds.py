"""Evidence is bounded: counts plus the first matches and links; the public listing never reads it."""

from __future__ import annotations

import json

from tests.helpers.api import LISTING, decided_comment
from workers.policy import Policy

EVIDENCE_ITEMS = 20  # docs/api.md: the first 20 of each list are kept, with the whole count


def details(resource, check):
    return next(e for e in resource["evidence"] if e["check"] == check)["details"]


def test_a_64_kb_body_full_of_links_and_profanity_stores_bounded_evidence(
    post, work, client, auth, site, rt, connection
):
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=0, disallowed_keys=["spam.example"]))
    segment = "see https://spam.example/p, shit. "
    body = (segment * (65_000 // len(segment)))[:65_000]
    resource = decided_comment(post, work, client, auth, body)
    links, swears = body.count("https://"), body.count("shit")
    assert links > 1000 and swears > 1000

    stored = connection.hget(rt.keys.comment(resource["id"]), "evidence")
    assert len(stored) < 16_384, len(stored)  # every link, key and word with offsets was kept
    assert json.loads(stored) == resource["evidence"]

    assert resource["status"] == "rejected" and "spam.disallowed_key" in resource["reasons"]
    spam = details(resource, "spam")
    assert spam["links_count"] == links and len(spam["links"]) == EVIDENCE_ITEMS
    assert spam["links"][0] == {"url": "https://spam.example/p", "start": 4, "end": 26}
    assert spam["disallowed_keys_count"] == links and len(spam["disallowed_keys"]) == EVIDENCE_ITEMS
    profanity = details(resource, "profanity")
    assert profanity["matches_count"] == swears and len(profanity["matches"]) == EVIDENCE_ITEMS
    assert profanity["counts"] == {"severe": swears}
    assert profanity["matches"][0] == {
        "word": "shit",
        "text": "shit",
        "start": 28,
        "end": 32,
        "tier": "severe",
        "via": "reference",
        "field": "body",
    }


def test_a_short_comment_keeps_all_its_evidence_with_its_counts(post, work, client, auth, site):
    resource = decided_comment(post, work, client, auth, "Deals at https://a.example/x, damn.")
    spam, profanity = details(resource, "spam"), details(resource, "profanity")
    assert [link["url"] for link in spam["links"]] == ["https://a.example/x"] and spam["links_count"] == 1
    assert [m["word"] for m in profanity["matches"]] == ["damn"] and profanity["matches_count"] == 1
    assert profanity["counts"] == {"mild": 1}


def test_a_very_long_link_is_shortened_in_the_evidence_but_keeps_its_offsets(post, work, client, auth, site):
    url = "https://long.example/" + "a" * 5000
    resource = decided_comment(post, work, client, auth, f"Look: {url} now")
    (link,) = details(resource, "spam")["links"]
    assert (link["start"], link["end"]) == (6, 6 + len(url))
    assert len(link["url"]) <= 201 and link["url"].startswith("https://long.example/aaa") and link["url"].endswith("…")


def test_censor_masks_every_severe_word_while_the_evidence_keeps_twenty(post, work, client, auth, site, rt, connection):
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=0, profanity_action="censor"))
    body = " ".join(f"Point {i}: this plan is shit." for i in range(100)) + " " + "Clean words. " * 2000
    resource = decided_comment(post, work, client, auth, body)
    assert resource["status"] == "published"

    (item,) = client.get(LISTING.format(site=site.site_id)).get_json()["items"]
    assert "shit" not in item["body"] and item["body"].count("is ****.") == 100
    assert len(item["body"]) == len(body)
    profanity = details(resource, "profanity")
    assert profanity["matches_count"] == 100 and len(profanity["matches"]) == EVIDENCE_ITEMS


def test_the_listing_shows_comments_whose_evidence_is_corrupt_or_huge(post, work, client, site, rt, connection):
    ids = [
        post(
            f"I agree with point {i} of the article.",
            author={"name": f"Ada {i}", "email": f"ada{i}@example.org", "url": f"https://ada{i}.example"},
        ).get_json()["id"]
        for i in range(3)
    ]
    work()
    connection.hset(rt.keys.comment(ids[1]), mapping={"evidence": "{not json", "reasons": "[oops"})
    connection.hset(rt.keys.comment(ids[2]), "evidence", "[" + "9," * 2_500_000 + "9]")  # 5 MB

    listing = client.get(LISTING.format(site=site.site_id))
    assert listing.status_code == 200
    assert listing.get_json()["items"] == [
        {
            "id": ids[i],
            "parent_id": None,
            "author": {"name": f"Ada {i}", "url": f"https://ada{i}.example"},
            "body": f"I agree with point {i} of the article.",
            "created_at": listing.get_json()["items"][i]["created_at"],
        }
        for i in range(3)
    ]
    assert all(item["created_at"].endswith("Z") for item in listing.get_json()["items"])
