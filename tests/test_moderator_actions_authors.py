"""Banning and trusting authors, by the same identity the author check uses."""

from __future__ import annotations

import pytest

from tests.conftest import snapshot
from tests.helpers.decisions import held, moderator_of, premoderate
from workers.author_actions import ban_author
from workers.models import Status
from workers.queue_index import Queue

AUTHORS = "/api/v1/moderation/authors/{}"
ADA = {"name": "Ada", "email": "ada@example.org"}


@pytest.fixture
def alice(rt, site):
    premoderate(rt, site.site_id)
    return moderator_of(rt, "alice@example.org", site.site_id)


@pytest.fixture
def alice_auth(rt, alice):
    return {"Authorization": f"Bearer {rt.moderators.issue_token(alice.email)}"}


def held_ids(rt, site) -> set[str]:
    return {m.decode() for m in rt.connection.zrange(rt.keys.queue(site.site_id, Queue.HELD), 0, -1)}


def test_a_ban_that_rejects_held_comments_takes_every_variant_of_the_address_out_of_the_queue(
    rt, site, post, work, alice
):
    first = held(post, work, author=ADA)
    variant = held(post, work, "Another view.", author={"name": "A.", "email": "Ada+news@Example.org"})
    other = held(post, work, "Someone else.", author={"name": "Bo", "email": "bo@example.org"})

    outcome = ban_author(rt, alice, site.site_id, "email", "ADA@example.org", reject_held=True)

    assert outcome.entry == "email:ada@example.org"
    assert sorted(outcome.rejected) == sorted([first, variant])
    assert held_ids(rt, site) == {other}
    comment = rt.comments.get(first)
    assert (comment.status, comment.reasons) == (Status.REJECTED, ("author.banned",))
    assert rt.comments.audit(first)[-1]["actor"] == alice.actor
    # Their next comment is rejected by the author check: ban and clean-up agree on who they are.
    newest = post("And again.", author=ADA).get_json()["id"]
    work()
    assert rt.comments.get(newest).reasons == ("author.banned",)


def test_a_ban_by_ip_finds_held_comments_of_authors_who_gave_an_email(rt, site, post, work, alice):
    mine = held(post, work, author=ADA, client={"ip": "198.51.100.7"})
    held(post, work, "Elsewhere.", client={"ip": "198.51.100.8"})
    outcome = ban_author(rt, alice, site.site_id, "ip", "198.51.100.7", reject_held=True)
    assert outcome.rejected == [mine]


def test_a_ban_without_reject_held_leaves_the_queue_alone(rt, site, post, work, alice):
    comment_id = held(post, work, author=ADA)
    assert ban_author(rt, alice, site.site_id, "email", "ada@example.org").rejected == []
    assert held_ids(rt, site) == {comment_id}


def test_ban_by_a_comments_author_name_then_unban_over_json(rt, site, post, work, client, alice_auth):
    comment_id = held(post, work, author=ADA)
    banned = client.post(
        AUTHORS.format("ban"),
        json={"site_id": site.site_id, "comment_id": comment_id, "kind": "name", "reject_held": True},
        headers=alice_auth,
    )
    assert banned.get_json() == {
        "action": "ban",
        "site_id": site.site_id,
        "entry": "name:ada",
        "rejected": [comment_id],
        "changed": True,
    }
    assert rt.authors.bans(site.site_id) == ["name:ada"]

    body = {"site_id": site.site_id, "kind": "name", "value": " ADA "}
    assert client.post(AUTHORS.format("unban"), json=body, headers=alice_auth).get_json()["changed"] is True
    assert rt.authors.bans(site.site_id) == []
    assert client.post(AUTHORS.format("unban"), json=body, headers=alice_auth).get_json()["changed"] is False


def test_a_trusted_author_skips_premoderation_until_untrusted(rt, site, post, work, client, alice_auth):
    comment_id = held(post, work, author=ADA)
    body = {"site_id": site.site_id, "comment_id": comment_id}

    trusted = client.post(AUTHORS.format("trust"), json=body, headers=alice_auth).get_json()
    assert trusted["author_id"] == rt.authors.id_of(site.site_id, rt.comments.get(comment_id).author_key)
    published = post("Trusted now.", author=ADA).get_json()["id"]
    work()
    assert rt.comments.status_of(published) is Status.PUBLISHED

    assert client.post(AUTHORS.format("untrust"), json=body, headers=alice_auth).get_json()["changed"] is True
    again = post("Held again.", author=ADA).get_json()["id"]
    work()
    assert rt.comments.status_of(again) is Status.HELD


def test_another_sites_authors_are_not_found(rt, site, post, work, client, connection):
    premoderate(rt, site.site_id)
    comment_id = held(post, work, author=ADA)
    other = rt.sites.create("other-site")
    outsider = moderator_of(rt, "outsider@example.org", other.site_id)
    headers = {"Authorization": f"Bearer {rt.moderators.issue_token(outsider.email)}"}
    before = snapshot(connection)
    for operation, body in [
        ("ban", {"site_id": site.site_id, "kind": "email", "value": "ada@example.org", "reject_held": True}),
        ("trust", {"site_id": site.site_id, "comment_id": comment_id}),
        ("trust", {"site_id": other.site_id, "comment_id": comment_id}),  # their site, our comment
    ]:
        response = client.post(AUTHORS.format(operation), json=body, headers=headers)
        assert response.status_code == 404, response.get_json()
    assert snapshot(connection) == before


@pytest.mark.parametrize(
    ("operation", "body"),
    [
        ("ban", {"kind": "phone", "value": "555"}),  # not a kind of ban
        ("ban", {"kind": "email", "value": "   "}),  # nothing left to ban once normalized
        ("ban", {"kind": "email"}),  # neither a value nor a comment
        ("ban", {"value": "ada@example.org"}),  # no kind
        ("trust", {}),  # trust names a comment
        ("ban", {"kind": "email", "value": "ada@example.org", "reject_held": "maybe"}),
        ("block", {"kind": "email", "value": "ada@example.org"}),  # not an operation
    ],
)
def test_bad_author_requests_change_nothing(rt, site, post, work, client, alice_auth, connection, operation, body):
    held(post, work, author=ADA)
    before = snapshot(connection)
    response = client.post(AUTHORS.format(operation), json={"site_id": site.site_id, **body}, headers=alice_auth)
    assert (response.status_code, response.mimetype) == (400, "application/problem+json"), response.get_json()
    assert snapshot(connection) == before
