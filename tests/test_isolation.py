"""Two sites on one Redis: nothing one site does is seen, counted or refused on the other."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import snapshot
from workers.models import Status
from workers.policy import Policy
from workers.runtime import Runtime
from workers.sites import NewSite

THREAD = "2025/07/shared-story"  # both sites carry the same wire story, under the same thread id
READER = {"author": {"name": "Ada", "email": "ada@example.org"}, "client": {"ip": "203.0.113.7"}}

Post = Callable[..., Any]


@pytest.fixture
def site_a(rt: Runtime) -> NewSite:
    new = rt.sites.create("site-a")
    rt.sites.set_policy(new.site_id, Policy(flood_seconds=0))
    return new


@pytest.fixture
def site_b(rt: Runtime) -> NewSite:
    new = rt.sites.create("site-b")
    rt.sites.set_policy(new.site_id, Policy(flood_seconds=0))
    return new


def bearer(site: NewSite) -> dict[str, str]:
    return {"Authorization": f"Bearer {site.key}"}


def poster(client: FlaskClient, site: NewSite) -> Post:
    """POST a comment as `site`; the same reader and thread unless overridden."""

    def post(body: str, headers: dict[str, str] | None = None, **fields: Any) -> Any:
        payload = {"thread_id": THREAD, "body": body, **READER, **fields}
        return client.post("/api/v1/comments", json=payload, headers={**bearer(site), **(headers or {})})

    return post


def accepted(client: FlaskClient, site: NewSite, response: Any) -> dict[str, Any]:
    assert response.status_code == 202, response.get_json()
    resource = client.get(response.headers["Location"], headers=bearer(site)).get_json()
    assert resource["site_id"] == site.site_id
    return resource


def test_flood_window_is_per_site(client, rt, site_a, site_b):
    for site in (site_a, site_b):
        rt.sites.set_policy(site.site_id, Policy(flood_seconds=15))
    on_a, on_b = poster(client, site_a), poster(client, site_b)
    first_a = on_a("Posted on A.")
    first_b = on_b("The same reader, at once, on B.")
    assert first_a.status_code == 202 and first_b.status_code == 202
    assert rt.comments.get(first_a.get_json()["id"]).site_id == site_a.site_id
    assert rt.comments.get(first_b.get_json()["id"]).site_id == site_b.site_id
    assert on_a("Again on A, too soon.").status_code == 429  # the window is on, and it is A's own
    assert on_b("Again on B, too soon.").status_code == 429


def test_the_same_idempotency_key_on_two_sites_makes_two_comments(client, rt, site_a, site_b):
    headers = {"Idempotency-Key": "order-1"}  # sites pick keys independently: they will collide
    a = accepted(client, site_a, poster(client, site_a)("Same words.", headers=headers))
    b = accepted(client, site_b, poster(client, site_b)("Same words.", headers=headers))
    assert a["id"] != b["id"]
    assert rt.comments.get(a["id"]).site_id == site_a.site_id
    assert rt.comments.get(b["id"]).site_id == site_b.site_id
    replay = poster(client, site_b)("Same words.", headers=headers)
    assert replay.get_json()["id"] == b["id"]  # the key still works within B


def test_each_events_feed_holds_only_its_own_sites_decisions(client, work, site_a, site_b):
    ids_a = [poster(client, site_a)(f"A's comment {n}").get_json()["id"] for n in range(2)]
    ids_b = [poster(client, site_b)(f"B's comment {n}").get_json()["id"] for n in range(3)]
    work()
    for site, ids in ((site_a, ids_a), (site_b, ids_b)):
        feed = client.get(f"/api/v1/sites/{site.site_id}/events", headers=bearer(site)).get_json()
        assert [e["comment"]["id"] for e in feed["items"]] == ids
    refused = client.get(f"/api/v1/sites/{site_a.site_id}/events", headers=bearer(site_b))
    assert refused.status_code == 404
    assert "items" not in refused.get_json()


def test_a_comment_of_one_site_is_404_for_the_other(client, site_a, site_b):
    comment_id = poster(client, site_a)("A's own.").get_json()["id"]
    response = client.get(f"/api/v1/comments/{comment_id}", headers=bearer(site_b))
    assert response.status_code == 404
    assert comment_id not in response.get_data(as_text=True)
    assert client.get(f"/api/v1/comments/{comment_id}", headers=bearer(site_a)).status_code == 200


def test_the_same_thread_id_lists_each_sites_own_comments(client, work, site_a, site_b):
    a = poster(client, site_a)("Published on A.").get_json()["id"]
    b = poster(client, site_b)("Published on B.").get_json()["id"]
    work()
    for site, own in ((site_a, a), (site_b, b)):
        listing = client.get(f"/api/v1/sites/{site.site_id}/threads/2025%2F07%2Fshared-story/comments").get_json()
        assert [item["id"] for item in listing["items"]] == [own]


def test_a_reply_cannot_name_a_parent_on_another_site(client, site_a, site_b, connection):
    parent = poster(client, site_a)("A parent on A.").get_json()["id"]
    before = snapshot(connection)
    response = poster(client, site_b)("A reply on B.", parent_id=parent)
    assert response.status_code == 400
    assert [e["field"] for e in response.get_json()["errors"]] == ["parent_id"]
    assert snapshot(connection) == before


def test_duplicates_are_judged_within_a_site(client, work, site_a, site_b):
    same = "Exactly the same words, on both sites."
    a = accepted(client, site_a, poster(client, site_a)(same))
    b = accepted(client, site_b, poster(client, site_b)(same))
    work()
    for site, resource in ((site_a, a), (site_b, b)):
        again = client.get(f"/api/v1/comments/{resource['id']}", headers=bearer(site)).get_json()
        assert again["status"] == "published", again["reasons"]


def test_bans_and_new_commenter_counts_are_per_site(client, rt, work, site_a, site_b, connection):
    connection.sadd(rt.keys.banned(site_a.site_id), "email:ada@example.org")
    rt.sites.set_policy(site_b.site_id, Policy(flood_seconds=0, new_commenter_premoderation=1))
    on_a, on_b = poster(client, site_a), poster(client, site_b)
    banned_on_a = on_a("Banned here.").get_json()["id"]
    for n in range(2):
        on_a(f"More on A {n}.")
    first_on_b = on_b("My first comment on B.").get_json()["id"]
    work()
    assert rt.comments.get(banned_on_a).reasons == ("author.banned",)
    assert rt.comments.get(first_on_b).reasons == ("policy.new_commenter",)  # A's history does not count on B


def test_the_spam_model_is_per_site(client, rt, work, site_a, site_b):
    for site in (site_a, site_b):
        # The sites' own counts alone: the base model every site shares would score the text on both.
        rt.sites.set_policy(site.site_id, Policy(flood_seconds=0, spam_min_training=5, spam_base_model=False))
    spam_a = [(f"subscribe to my channel for free gift cards {i}", "spam") for i in range(10)]
    ham_a = [(f"the minister's plan for schools seems reasonable {i}", "ham") for i in range(10)]
    spam_b = [(f"cheap pills online pharmacy {i}", "spam") for i in range(10)]
    ham_b = [(f"the council's budget vote {i}", "ham") for i in range(10)]
    rt.spam.learn_many(site_a.site_id, spam_a + ham_a)
    rt.spam.learn_many(site_b.site_id, spam_b + ham_b)
    text = "Subscribe to my channel, free gift cards!"
    id_a = poster(client, site_a)(text).get_json()["id"]
    id_b = poster(client, site_b)(text).get_json()["id"]
    work()
    on_a, on_b = rt.comments.get(id_a), rt.comments.get(id_b)
    assert "spam.classifier" in on_a.reasons
    spam_b_verdict = next(e for e in on_b.evidence if e["check"] == "spam")
    assert spam_b_verdict["score"] == pytest.approx(0.5)  # B has never seen these words
    assert on_b.status is Status.PUBLISHED
