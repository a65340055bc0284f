"""Readers' reports: counted per distinct reporter, filed in the reported queue; at the threshold, held."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from tests.conftest import snapshot
from tests.helpers.api import LISTING, decided_comment
from workers.models import ReportReason, Status
from workers.policy import Policy
from workers.queue_index import Facet, Queue
from workers.reports import file_report
from workers.transitions import apply_transition


@pytest.fixture
def report(client, auth):
    """POST a report on a comment as the site's server would; keyword arguments are the JSON body."""

    def send(comment_id: str, reason: str = "abuse", **body: Any) -> Any:
        return client.post(f"/api/v1/comments/{comment_id}/reports", json={"reason": reason, **body}, headers=auth)

    return send


@pytest.fixture
def published(post, work, client, auth):
    resource = decided_comment(post, work, client, auth)
    assert resource["status"] == "published"
    return resource


def listed_ids(client, site) -> list[str]:
    return [item["id"] for item in client.get(LISTING.format(site=site.site_id)).get_json()["items"]]


def test_a_report_on_a_published_comment_keeps_it_up_and_files_it_in_the_reported_queue(
    rt, site, published, report, client, auth, connection
):
    response = report(published["id"], "spam", note="Selling watches", reporter={"id": "reader-1"})

    assert response.status_code == 202
    body = response.get_json()
    assert (body["comment_id"], body["reason"], body["note"]) == (published["id"], "spam", "Selling watches")
    assert body["reports"] == {"total": 1, "by_reason": {"spam": 1}}
    resource = client.get(f"/api/v1/comments/{published['id']}", headers=auth).get_json()
    assert resource["status"] == "published" and resource["reports"] == {"total": 1, "by_reason": {"spam": 1}}
    assert published["id"] in listed_ids(client, site)

    comment = rt.comments.get(published["id"])
    author_id = rt.authors.id_of(site.site_id, comment.author_key)
    (first,) = rt.reports.of(published["id"])
    queue = connection.zrange(rt.keys.queue(site.site_id, Queue.REPORTED), 0, -1, withscores=True)
    assert queue == [(published["id"].encode(), first.at)]  # ordered by the first report's time
    for facet, value in [(Facet.THREAD, comment.thread_id), (Facet.REASON, "spam"), (Facet.AUTHOR, author_id)]:
        members = connection.zrange(rt.keys.queue_facet(site.site_id, Queue.REPORTED, facet, value), 0, -1)
        assert members == [published["id"].encode()], facet


def test_the_resource_counts_reports_by_reason_and_the_queue_keeps_the_first_reports_time(
    rt, site, published, report, client, auth, connection
):
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=0, report_hold_threshold=0))
    for n, reason in enumerate(["spam", "abuse", "spam", "off_topic", "spam"]):
        assert report(published["id"], reason, reporter={"id": f"reader-{n}"}).status_code == 202

    resource = client.get(f"/api/v1/comments/{published['id']}", headers=auth).get_json()
    assert resource["reports"] == {"total": 5, "by_reason": {"spam": 3, "abuse": 1, "off_topic": 1}}
    first = rt.reports.of(published["id"])[0].at
    key = rt.keys.queue_facet(site.site_id, Queue.REPORTED, Facet.REASON, "off_topic")
    assert connection.zscore(key, published["id"]) == first
    assert connection.zscore(rt.keys.queue(site.site_id, Queue.REPORTED), published["id"]) == first


def test_at_the_threshold_the_comment_is_held_the_site_is_told_and_it_leaves_the_listing(
    rt, site, published, report, client, auth, connection
):
    comment_id = published["id"]
    for n in range(2):
        assert report(comment_id, reporter={"id": f"reader-{n}"}).status_code == 202
    assert comment_id in listed_ids(client, site)
    assert client.get(f"/api/v1/comments/{comment_id}", headers=auth).get_json()["status"] == "published"

    assert report(comment_id, reporter={"ip": "198.51.100.9"}).status_code == 202  # the third distinct reporter

    resource = client.get(f"/api/v1/comments/{comment_id}", headers=auth).get_json()
    assert (resource["status"], resource["reasons"]) == ("held", ["reports.threshold"])
    assert resource["reports"] == {"total": 3, "by_reason": {"abuse": 3}}
    assert comment_id not in listed_ids(client, site)
    events = client.get(f"/api/v1/sites/{site.site_id}/events", headers=auth).get_json()["items"]
    assert [(e["type"], e["comment"]["id"], e["comment"]["reasons"]) for e in events][-1] == (
        "comment.held",
        comment_id,
        ["reports.threshold"],
    )
    assert connection.zrange(rt.keys.queue(site.site_id, Queue.REPORTED), 0, -1) == []
    assert connection.zrange(rt.keys.queue(site.site_id, Queue.HELD), 0, -1) == [comment_id.encode()]
    last = rt.comments.audit(comment_id)[-1]
    assert (last["from"], last["to"], last["actor"]) == ("published", "held", "reports")


def test_a_second_report_by_the_same_reporter_answers_200_with_the_first_and_changes_nothing(
    rt, published, report, connection
):
    comment_id = published["id"]
    first = report(comment_id, "spam", note="ads", reporter={"id": "reader-7"})
    assert first.status_code == 202
    before = snapshot(connection)

    again = report(comment_id, "abuse", note="changed my mind", reporter={"id": "reader-7"})

    assert again.status_code == 200
    assert again.get_json() == first.get_json()  # the first report, its time and the counts as they were
    assert snapshot(connection) == before


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"ip": "2001:db8:1:2::5"}, {"ip": "2001:db8:1:2::abcd"}),  # one subscriber's IPv6 /64
        ({"ip": "198.51.100.4"}, {"ip": "198.51.100.4"}),
        ({}, {}),  # readers without an identity are one anonymous reporter per comment
        ({"id": "reader-1", "ip": "198.51.100.4"}, {"id": "reader-1", "ip": "198.51.100.5"}),  # the id wins
    ],
)
def test_a_reporter_is_their_id_else_their_normalized_ip_else_one_anonymous_reader(
    rt, published, report, connection, first, second
):
    assert report(published["id"], reporter=first).status_code == 202
    before = snapshot(connection)

    assert report(published["id"], reporter=second).status_code == 200
    assert snapshot(connection) == before
    assert len(rt.reports.of(published["id"])) == 1


def test_the_reporter_is_stored_only_as_a_keyed_digest(published, report, connection):
    report(published["id"], note="see above", reporter={"id": "reader-secret-id", "ip": "198.51.100.77"})
    report(published["id"], reporter={"ip": "198.51.100.78"})

    stored = b"".join(key + (value or b"") for key, value in snapshot(connection).items())
    assert b"reader-secret-id" not in stored and b"198.51.100.7" not in stored


def test_threshold_zero_never_holds(rt, site, published, report, client, auth):
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=0, report_hold_threshold=0))
    for n in range(10):
        assert report(published["id"], reporter={"id": f"reader-{n}"}).status_code == 202

    resource = client.get(f"/api/v1/comments/{published['id']}", headers=auth).get_json()
    assert (resource["status"], resource["reports"]["total"]) == ("published", 10)
    assert published["id"] in listed_ids(client, site)


def test_reports_on_a_held_comment_are_kept_for_moderators_but_do_not_hold_it_again(
    rt, site, post, work, client, auth, report, connection
):
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=0, premoderation=True))
    held = decided_comment(post, work, client, auth)
    audit_before = rt.comments.audit(held["id"])

    for n in range(4):
        assert report(held["id"], "personal_info", reporter={"id": f"reader-{n}"}).status_code == 202

    resource = client.get(f"/api/v1/comments/{held['id']}", headers=auth).get_json()
    assert (resource["status"], resource["reasons"]) == ("held", ["policy.premoderation"])
    assert resource["reports"] == {"total": 4, "by_reason": {"personal_info": 4}}
    assert rt.comments.audit(held["id"]) == audit_before
    assert connection.zrange(rt.keys.queue(site.site_id, Queue.REPORTED), 0, -1) == []


def test_reports_a_moderator_weighed_by_approving_no_longer_count_toward_the_threshold(
    rt, site, published, report, client, auth
):
    comment_id = published["id"]
    for n in range(3):
        report(comment_id, reporter={"id": f"reader-{n}"})
    assert rt.comments.status_of(comment_id) is Status.HELD
    apply_transition(
        rt,
        comment_id,
        expected={Status.HELD},
        to=Status.PUBLISHED,
        actor="moderator:mod_1",
        reasons=(),
        event_type="comment.approved",
    )

    for n in range(3, 5):
        assert report(comment_id, reporter={"id": f"reader-{n}"}).status_code == 202
    assert rt.comments.status_of(comment_id) is Status.PUBLISHED  # two new reports, not five
    assert client.get(f"/api/v1/comments/{comment_id}", headers=auth).get_json()["reports"]["total"] == 5

    report(comment_id, reporter={"id": "reader-5"})  # the third since the approval
    assert rt.comments.status_of(comment_id) is Status.HELD


def test_concurrent_reports_past_the_threshold_hold_the_comment_once(rt, site, published, connection):
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=0, report_hold_threshold=2))
    readers = 12
    start = threading.Barrier(readers)
    outcomes: list[Any] = []

    def reader(n: int) -> None:
        start.wait()
        outcomes.append(file_report(rt, site.site_id, published["id"], ReportReason.ABUSE, "", f"reader-{n}", None))

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(outcomes) == readers and all(o.created for o in outcomes)
    assert sum(o.held for o in outcomes) == 1
    assert len(rt.reports.of(published["id"])) == readers
    events = rt.comments.events_after(site.site_id, None, 100)
    assert [e["type"] for _, e in events].count("comment.held") == 1
    held_entries = [e for e in rt.comments.audit(published["id"]) if e["to"] == "held"]
    assert len(held_entries) == 1
    assert connection.zrange(rt.keys.queue(site.site_id, Queue.REPORTED), 0, -1) == []


def test_concurrent_reports_by_one_reporter_count_once(rt, site, published):
    attempts = 8
    start = threading.Barrier(attempts)
    outcomes: list[Any] = []

    def same_reader() -> None:
        start.wait()
        outcomes.append(file_report(rt, site.site_id, published["id"], ReportReason.SPAM, "", "reader-1", None))

    threads = [threading.Thread(target=same_reader) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(o.created for o in outcomes) == 1
    assert len({o.report for o in outcomes}) == 1
    assert len(rt.reports.of(published["id"])) == 1
