"""Reports end to end over the API: a site reports, a moderator sees the reported queue, dismisses or approves."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import snapshot
from tests.helpers.api import LISTING, decided_comment
from tests.helpers.decisions import moderator_of

QUEUE = "/api/v1/moderation/queue"
ACTION = "/api/v1/moderation/comments/{id}/{action}"


@pytest.fixture
def desk(rt, site) -> dict[str, str]:
    moderator = moderator_of(rt, "desk@example.org", site.site_id)
    return {"Authorization": f"Bearer {rt.moderators.issue_token(moderator.email)}"}


@pytest.fixture
def report(client, auth):
    def send(comment_id: str, reader: str, reason: str = "abuse") -> Any:
        body = {"reason": reason, "note": f"<b>{reader}</b> says so", "reporter": {"id": reader}}
        response = client.post(f"/api/v1/comments/{comment_id}/reports", json=body, headers=auth)
        assert response.status_code == 202, response.get_json()
        return response

    return send


@pytest.fixture
def published(post, work, client, auth) -> str:
    resource = decided_comment(post, work, client, auth)
    assert resource["status"] == "published"
    return str(resource["id"])


def listed(client, site) -> list[str]:
    return [c["id"] for c in client.get(LISTING.format(site=site.site_id)).get_json()["items"]]


def test_a_reported_comment_is_in_the_reported_queue_with_its_reports_until_a_moderator_dismisses_them(
    client, desk, report, published, connection, rt
):
    report(published, "reader-1", "spam")
    report(published, "reader-2", "abuse")

    page = client.get(QUEUE, query_string={"queue": "reported"}, headers=desk).get_json()
    (item,) = page["items"]
    assert item["id"] == published and item["status"] == "published"
    assert (item["reports"]["total"], item["reports"]["by_reason"]) == (2, {"spam": 1, "abuse": 1})
    assert {r["note"] for r in item["reports"]["items"]} == {"<b>reader-1</b> says so", "<b>reader-2</b> says so"}
    by_reason = client.get(QUEUE, query_string={"queue": "reported", "reason": "spam"}, headers=desk).get_json()
    assert [i["id"] for i in by_reason["items"]] == [published]

    dismissed = client.post(ACTION.format(id=published, action="dismiss-reports"), headers=desk)

    assert dismissed.status_code == 200
    assert (dismissed.get_json()["status"], dismissed.get_json()["event_id"]) == ("published", None)
    assert client.get(QUEUE, query_string={"queue": "reported"}, headers=desk).get_json()["items"] == []

    before = snapshot(connection)
    again = client.post(ACTION.format(id=published, action="dismiss-reports"), headers=desk)
    assert again.status_code == 409 and again.get_json()["decided_by"] == "desk@example.org"
    assert snapshot(connection) == before


def test_held_by_reports_then_approved_the_comment_is_listed_again_and_old_reports_do_not_hold_it(
    client, auth, desk, report, published, site
):
    for reader in ("reader-1", "reader-2", "reader-3"):
        report(published, reader)
    assert published not in listed(client, site)
    held = client.get(QUEUE, query_string={"queue": "held"}, headers=desk).get_json()["items"]
    assert [(i["id"], [r["code"] for r in i["reasons"]]) for i in held] == [(published, ["reports.threshold"])]

    approved = client.post(ACTION.format(id=published, action="approve"), headers=desk)
    assert approved.get_json()["status"] == "published"
    assert published in listed(client, site)

    report(published, "reader-4")  # one new report, not four
    resource = client.get(f"/api/v1/comments/{published}", headers=auth).get_json()
    assert (resource["status"], resource["reports"]["total"]) == ("published", 4)
    assert published in listed(client, site)
