"""The moderation API's actions over HTTP: one comment, bulk, undo, authors; and what it refuses."""

from __future__ import annotations

import pytest

from tests.conftest import snapshot
from tests.helpers.api import LISTING
from tests.helpers.decisions import held, moderator_of, premoderate
from workers.models import Status

COMMENTS = "/api/v1/moderation/comments/{id}/{action}"


@pytest.fixture
def alice(rt, site):
    premoderate(rt, site.site_id)
    moderator = moderator_of(rt, "alice@example.org", site.site_id)
    return {"Authorization": f"Bearer {rt.moderators.issue_token(moderator.email)}"}


@pytest.fixture
def outsider(rt):
    other = rt.sites.create("other-site")
    moderator = moderator_of(rt, "outsider@example.org", other.site_id)
    return {"Authorization": f"Bearer {rt.moderators.issue_token(moderator.email)}"}


def listed(client, site) -> list[str]:
    return [c["id"] for c in client.get(LISTING.format(site=site.site_id)).get_json()["items"]]


def test_approve_over_json_publishes_and_answers_the_new_status(rt, site, post, work, client, alice):
    comment_id = held(post, work)
    response = client.post(COMMENTS.format(id=comment_id, action="approve"), headers=alice)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["id"], body["status"]) == (comment_id, "published")
    assert rt.comments.events_after(site.site_id, None, 10)[-1][1]["id"] == body["event_id"]
    assert comment_id in listed(client, site)


def test_reject_with_reason_and_note(rt, site, post, work, client, alice):
    comment_id = held(post, work)
    response = client.post(
        COMMENTS.format(id=comment_id, action="reject"), json={"reason": "abuse", "note": "Slur."}, headers=alice
    )
    assert response.get_json()["status"] == "rejected"
    entry = rt.comments.audit(comment_id)[-1]
    assert (entry["reasons"], entry["note"]) == (["moderator.abuse"], "Slur.")


def test_the_second_moderator_gets_409_naming_the_first(rt, site, post, work, client, alice, connection):
    bob = moderator_of(rt, "bob@example.org", site.site_id)
    bob_auth = {"Authorization": f"Bearer {rt.moderators.issue_token(bob.email)}"}
    comment_id = held(post, work)
    client.post(COMMENTS.format(id=comment_id, action="reject"), json={"reason": "spam"}, headers=alice)
    before = snapshot(connection)

    response = client.post(COMMENTS.format(id=comment_id, action="approve"), headers=bob_auth)

    assert response.status_code == 409
    body = response.get_json()
    assert (body["status"], body["decided_by"]) == ("rejected", "alice@example.org")
    assert body["decided_at"] == rt.comments.audit(comment_id)[-1]["at"]
    assert snapshot(connection) == before


def test_undo_over_json(rt, site, post, work, client, alice):
    comment_id = held(post, work)
    client.post(COMMENTS.format(id=comment_id, action="approve"), headers=alice)
    response = client.post(COMMENTS.format(id=comment_id, action="undo"), headers=alice)
    assert (response.status_code, response.get_json()["status"]) == (200, "held")
    assert comment_id not in listed(client, site)
    assert client.post(COMMENTS.format(id=comment_id, action="undo"), headers=alice).status_code == 409


def test_a_moderator_of_another_site_gets_404_for_the_action_and_not_found_in_bulk(
    rt, site, post, work, client, outsider, connection
):
    comment_id = held(post, work)
    before = snapshot(connection)
    response = client.post(COMMENTS.format(id=comment_id, action="approve"), headers=outsider)
    assert (response.status_code, response.mimetype) == (404, "application/problem+json")
    bulk = client.post("/api/v1/moderation/bulk", json={"ids": [comment_id], "action": "approve"}, headers=outsider)
    assert bulk.get_json() == {"results": {comment_id: {"outcome": "not_found"}}}
    assert snapshot(connection) == before


def test_bulk_decides_its_own_sites_ids_and_answers_the_rest_as_not_found(rt, site, post, work, client, alice):
    other = rt.sites.create("other-site")
    ours = [held(post, work) for _ in range(3)]
    client.post(COMMENTS.format(id=ours[0], action="approve"), headers=alice)
    theirs = "0" * 24

    response = client.post(
        "/api/v1/moderation/bulk",
        json={"ids": [*ours, theirs, "no:such"], "action": "reject", "reason": "off_topic"},
        headers=alice,
    )

    results = response.get_json()["results"]
    assert results[ours[0]] == {"outcome": "decided", "status": "rejected"}  # a take-down of the published one
    assert results[ours[1]] == results[ours[2]] == {"outcome": "decided", "status": "rejected"}
    assert results[theirs] == results["no:such"] == {"outcome": "not_found"}
    assert all(rt.comments.status_of(i) is Status.REJECTED for i in ours)
    assert other.site_id  # the other site exists; nothing of it was named


def test_bulk_reports_conflicts_with_who_decided(rt, site, post, work, client, alice):
    comment_id = held(post, work)
    client.post(COMMENTS.format(id=comment_id, action="spam"), headers=alice)
    response = client.post("/api/v1/moderation/bulk", json={"ids": [comment_id], "action": "approve"}, headers=alice)
    result = response.get_json()["results"][comment_id]
    assert (result["outcome"], result["status"], result["decided_by"]) == ("conflict", "rejected", "alice@example.org")


@pytest.mark.parametrize(
    ("path", "kwargs", "status"),
    [
        ("/api/v1/moderation/bulk", {"json": {"ids": ["a"] * 501, "action": "approve"}}, 400),  # over 500 ids
        ("/api/v1/moderation/bulk", {"json": {"ids": ["a"], "action": "explode"}}, 400),
        ("/api/v1/moderation/bulk", {"json": {"ids": ["a"], "action": "reject"}}, 400),  # a rejection says why
        ("/api/v1/moderation/bulk", {"data": "ids=a", "content_type": "application/x-www-form-urlencoded"}, 415),
        ("{comment}/reject", {"json": {"reason": "rude"}}, 400),  # not a reason
        ("{comment}/reject", {"json": {}}, 400),
        ("{comment}/approve", {"json": {"note": "x" * 1001}}, 400),
        ("{comment}/approve", {"json": {"notes": "typo"}}, 400),  # unknown field
        ("{comment}/approve", {"data": "{not json", "content_type": "application/json"}, 400),
        ("{comment}/approve", {"data": "reason=spam", "content_type": "application/x-www-form-urlencoded"}, 415),
        ("{comment}/explode", {}, 400),  # not an action
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    rt, site, post, work, client, alice, connection, path, kwargs, status
):
    comment_id = held(post, work)
    before = snapshot(connection)
    url = path.format(comment=f"/api/v1/moderation/comments/{comment_id}")
    response = client.post(url, headers=alice, **kwargs)
    assert (response.status_code, response.mimetype) == (status, "application/problem+json"), response.get_data()
    assert snapshot(connection) == before
    assert rt.comments.status_of(comment_id) is Status.HELD


def test_without_a_moderator_token_nothing_is_decided(rt, site, post, work, client, auth, connection):
    premoderate(rt, site.site_id)
    comment_id = held(post, work)
    before = snapshot(connection)
    for headers in ({}, auth):  # a site key is not a moderator token
        response = client.post(COMMENTS.format(id=comment_id, action="approve"), headers=headers)
        assert response.status_code == 401
    assert snapshot(connection) == before
