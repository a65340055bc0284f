"""Reports that are refused: each gets a clear answer and changes nothing in Redis."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import snapshot
from tests.helpers.api import decided_comment, errors_of
from workers.policy import Policy


@pytest.fixture
def published(post, work, client, auth):
    resource = decided_comment(post, work, client, auth)
    assert resource["status"] == "published"
    return resource


def reports_url(comment_id: str) -> str:
    return f"/api/v1/comments/{comment_id}/reports"


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"reason": "boring"}, "reason", "Input should be 'spam', 'abuse', 'off_topic', 'personal_info' or 'other'"),
        ({}, "reason", "Field required"),
        ({"reason": "spam", "note": "x" * 1001}, "note", "String should have at most 1000 characters"),
        ({"reason": "spam", "note": "bell\x07"}, "note", "contains control characters"),
        ({"reason": "spam", "reporter": {"ip": "999.1.1.1"}}, "reporter.ip", "is not an IP address"),
        ({"reason": "spam", "reporter": {"id": "r" * 201}}, "reporter.id", "String should have at most 200 characters"),
        (
            {"reason": "spam", "reporter": {"email": "a@example.org"}},
            "reporter.email",
            "Extra inputs are not permitted",
        ),
        ({"reason": "spam", "reporter_ip": "198.51.100.1"}, "reporter_ip", "Extra inputs are not permitted"),
        ({"reason": ["spam"]}, "reason", "Input should be 'spam', 'abuse', 'off_topic', 'personal_info' or 'other'"),
    ],
)
def test_an_invalid_report_is_a_400_naming_the_field_and_changes_nothing(
    client, auth, published, connection, body: dict[str, Any], field: str, message: str
):
    before = snapshot(connection)

    response = client.post(reports_url(published["id"]), json=body, headers=auth)

    assert errors_of(response)[field] == message
    assert snapshot(connection) == before


def test_a_note_of_exactly_1000_characters_is_accepted(client, auth, published):
    response = client.post(reports_url(published["id"]), json={"reason": "other", "note": "n" * 1000}, headers=auth)
    assert response.status_code == 202 and response.get_json()["note"] == "n" * 1000


@pytest.mark.parametrize(
    "raw", [b"{not json", b"[1, 2]", b'"spam"', b"\xff\xfe{}"], ids=["broken", "array", "string", "not-utf8"]
)
def test_a_body_that_is_not_a_json_object_is_a_400_and_changes_nothing(client, auth, published, connection, raw):
    before = snapshot(connection)

    response = client.post(reports_url(published["id"]), data=raw, content_type="application/json", headers=auth)

    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert "body" in errors_of(response)
    assert snapshot(connection) == before


@pytest.mark.parametrize(
    ("data", "content_type"),
    [("reason=spam", "application/x-www-form-urlencoded"), ('{"reason": "spam"}', "text/plain")],
)
def test_a_report_that_is_not_json_is_a_415_and_changes_nothing(
    client, auth, published, connection, data, content_type
):
    before = snapshot(connection)

    response = client.post(reports_url(published["id"]), data=data, content_type=content_type, headers=auth)

    assert response.status_code == 415 and response.get_json()["detail"] == "Send application/json."
    assert snapshot(connection) == before


def test_unknown_comments_and_another_sites_comment_get_the_same_404_and_change_nothing(
    rt, client, auth, published, connection
):
    other = rt.sites.create("other-site")
    other_auth = {"Authorization": f"Bearer {other.key}"}
    before = snapshot(connection)

    answers = [
        client.post(reports_url(published["id"]), json={"reason": "spam"}, headers=other_auth),
        client.post(reports_url("0123456789abcdef01234567"), json={"reason": "spam"}, headers=auth),
    ]

    for response in answers:
        assert response.status_code == 404 and response.mimetype == "application/problem+json"
        assert response.get_json()["detail"] == "No such comment."
    assert snapshot(connection) == before


def test_a_malformed_comment_id_is_a_400_naming_it_as_for_reading_a_comment(client, auth, connection):
    before = snapshot(connection)

    response = client.post(reports_url("Not-An-Id"), json={"reason": "spam"}, headers=auth)

    assert errors_of(response) == {"comment_id": "is not a comment id"}
    assert snapshot(connection) == before


def test_a_report_without_a_site_key_is_a_401_and_changes_nothing(client, published, connection):
    before = snapshot(connection)

    response = client.post(reports_url(published["id"]), json={"reason": "spam"}, headers={"Authorization": "Bearer x"})

    assert response.status_code == 401
    assert snapshot(connection) == before


def test_a_comment_not_yet_decided_cannot_be_reported_409_and_nothing_changes(client, auth, post, connection):
    queued = post()  # no worker runs: it stays queued
    comment_id = queued.get_json()["id"]
    before = snapshot(connection)

    response = client.post(reports_url(comment_id), json={"reason": "spam"}, headers=auth)

    assert response.status_code == 409 and response.mimetype == "application/problem+json"
    assert response.get_json()["comment_status"] == "queued"
    assert snapshot(connection) == before


def test_a_rejected_comment_cannot_be_reported_409_and_nothing_changes(client, auth, post, work, connection):
    rejected = decided_comment(post, work, client, auth, honeypot="I am a bot")
    assert rejected["status"] == "rejected"
    before = snapshot(connection)

    response = client.post(reports_url(rejected["id"]), json={"reason": "spam"}, headers=auth)

    assert response.status_code == 409
    body = response.get_json()
    assert body["comment_status"] == "rejected" and "only a published or held comment" in body["detail"]
    assert snapshot(connection) == before


@pytest.mark.parametrize("value", [-1, 1001, 2.5, "3", True])
def test_a_report_threshold_out_of_bounds_is_refused_and_the_policy_kept(rt, site, client, auth, connection, value):
    before = snapshot(connection)

    response = client.put(f"/api/v1/sites/{site.site_id}/policy", json={"report_hold_threshold": value}, headers=auth)

    assert "report_hold_threshold" in errors_of(response)
    assert snapshot(connection) == before
    assert rt.sites.policy(site.site_id) == Policy(flood_seconds=0)
