"""Duplicates are the same author repeating themselves: anonymous readers are not one author."""

from __future__ import annotations

from workers.policy import Policy

LISTING = "/api/v1/sites/{site}/threads/2025%2F07%2Fchina-proposes-global-ai-body/comments"


def anonymous(post, body):
    return post(body, author={"name": "", "email": ""}, client={"ip": ""})


def test_two_anonymous_readers_posting_the_same_text_are_both_published(post, work, client, auth, rt, site):
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=0, require_name=False, require_email=False))
    ids = [anonymous(post, "Great article!").get_json()["id"] for _ in range(2)]
    work()
    resources = [client.get(f"/api/v1/comments/{i}", headers=auth).get_json() for i in ids]
    assert [r["status"] for r in resources] == ["published", "published"]
    duplicate = [next(e for e in r["evidence"] if e["check"] == "duplicate") for r in resources]
    assert [e["details"] for e in duplicate] == [{"skipped": "no author identity (no email, no IP)"}] * 2
    listing = client.get(LISTING.format(site=site.site_id)).get_json()
    assert sorted(i["id"] for i in listing["items"]) == sorted(ids)


def test_the_same_author_posting_the_same_text_twice_is_still_a_duplicate(post, work, client, auth):
    author = {"name": "Ada", "email": "ada@example.org"}
    first = post("Great article!", author=author).get_json()["id"]
    second = post("Great article!", author=author).get_json()["id"]
    work()
    assert client.get(f"/api/v1/comments/{first}", headers=auth).get_json()["status"] == "published"
    resource = client.get(f"/api/v1/comments/{second}", headers=auth).get_json()
    assert resource["status"] == "rejected"
    assert resource["reasons"] == ["spam.duplicate"]
