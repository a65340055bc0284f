"""A moderator dismisses a comment's reports: kept for history, no longer counted, out of the reported queue."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from tests.conftest import snapshot
from tests.helpers.api import decided_comment
from workers.decision_outcomes import Conflict, Decided
from workers.exceptions import UnknownComment
from workers.models import ReportReason, Status
from workers.moderators import Role
from workers.policy import Policy
from workers.queue_index import Queue
from workers.reports import dismiss_reports, file_report


@pytest.fixture
def published(post, work, client, auth):
    resource = decided_comment(post, work, client, auth)
    assert resource["status"] == "published"
    return resource


@pytest.fixture
def moderator(rt, site):
    return rt.moderators.add("desk@example.org", Role.MODERATOR, frozenset({site.site_id}), password="x" * 16)[0]


def reported(rt, site, comment_id: str, *readers: str, reason: ReportReason = ReportReason.ABUSE) -> None:
    for reader in readers:
        assert file_report(rt, site.site_id, comment_id, reason, "", reader, None).created


def queue_keys_holding(rt, connection, site, comment_id: str) -> list[bytes]:
    """Every key of the site's reported queue (the queue and its facets) that lists the comment."""
    pattern = f"{rt.keys.queue(site.site_id, Queue.REPORTED)}*"
    return [k for k in connection.scan_iter(match=pattern) if connection.zscore(k, comment_id) is not None]


def test_dismissing_keeps_the_reports_as_dismissed_and_takes_the_comment_out_of_the_reported_queue(
    rt, site, published, moderator, client, auth, connection
):
    comment_id = published["id"]
    reported(rt, site, comment_id, "reader-1", "reader-2")
    open_reports = rt.reports.of(comment_id)
    events_before = rt.comments.events_after(site.site_id, None, 100)
    assert queue_keys_holding(rt, connection, site, comment_id)

    outcome = dismiss_reports(rt, moderator, comment_id)

    assert outcome == Decided(comment_id=comment_id, status=Status.PUBLISHED, event_id=None)
    assert rt.reports.of(comment_id) == [] and rt.reports.dismissed(comment_id) == open_reports
    assert queue_keys_holding(rt, connection, site, comment_id) == []
    resource = client.get(f"/api/v1/comments/{comment_id}", headers=auth).get_json()
    assert (resource["status"], resource["reports"]) == ("published", {"total": 0, "by_reason": {}})
    assert rt.comments.events_after(site.site_id, None, 100) == events_before  # the site is told nothing
    entry = rt.comments.audit(comment_id)[-1]
    assert (entry["from"], entry["to"], entry["reasons"], entry["actor"]) == (
        "published",
        "published",
        ["reports.dismissed"],
        moderator.actor,
    )
    logged = json.loads(connection.xrevrange(rt.keys.site_audit(site.site_id), count=1)[0][1][b"entry"])
    assert (logged["comment_id"], logged["reasons"], logged["actor"]) == (
        comment_id,
        ["reports.dismissed"],
        moderator.actor,
    )


def test_dismissed_reports_no_longer_count_and_their_reporters_cannot_report_again(
    rt, site, published, moderator, connection
):
    comment_id = published["id"]
    reported(rt, site, comment_id, "reader-1", "reader-2")
    dismiss_reports(rt, moderator, comment_id)

    again = file_report(rt, site.site_id, comment_id, ReportReason.SPAM, "", "reader-1", None)
    assert not again.created and again.report.reason is ReportReason.ABUSE  # their first report, dismissed
    reported(rt, site, comment_id, "reader-3", "reader-4")
    assert rt.comments.status_of(comment_id) is Status.PUBLISHED  # two open reports, under the threshold of 3
    reported(rt, site, comment_id, "reader-5")
    assert rt.comments.status_of(comment_id) is Status.HELD


def test_a_second_dismissal_is_a_conflict_naming_who_dismissed_first_and_changes_nothing(
    rt, site, published, moderator, connection
):
    comment_id = published["id"]
    reported(rt, site, comment_id, "reader-1")
    dismiss_reports(rt, moderator, comment_id)
    dismissed_at = rt.comments.audit(comment_id)[-1]["at"]
    colleague = rt.moderators.add("night@example.org", Role.ADMIN, password="y" * 16)[0]
    before = snapshot(connection)

    outcome = dismiss_reports(rt, colleague, comment_id)

    assert outcome == Conflict(comment_id, Status.PUBLISHED, "desk@example.org", dismissed_at)
    assert snapshot(connection) == before


def test_two_moderators_dismissing_at_once_record_one_dismissal(rt, site, published, moderator):
    comment_id = published["id"]
    reported(rt, site, comment_id, "reader-1", "reader-2")
    colleague = rt.moderators.add("night@example.org", Role.ADMIN, password="y" * 16)[0]
    start = threading.Barrier(2)
    outcomes: list[Any] = []

    def dismiss(who: Any) -> None:
        start.wait()
        outcomes.append(dismiss_reports(rt, who, comment_id))

    threads = [threading.Thread(target=dismiss, args=(who,)) for who in (moderator, colleague)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "Decided"]
    assert [e["reasons"] for e in rt.comments.audit(comment_id)].count(["reports.dismissed"]) == 1
    assert len(rt.reports.dismissed(comment_id)) == 2


def test_dismissing_reports_of_a_held_comment_is_a_conflict_with_its_status(rt, site, published, moderator, connection):
    comment_id = published["id"]
    reported(rt, site, comment_id, "reader-1", "reader-2", "reader-3")  # the threshold: held
    before = snapshot(connection)

    outcome = dismiss_reports(rt, moderator, comment_id)

    assert isinstance(outcome, Conflict) and (outcome.status, outcome.decided_by) == (Status.HELD, "reports")
    assert snapshot(connection) == before


def test_a_moderator_of_another_site_cannot_dismiss_and_learns_nothing(rt, site, published, connection):
    comment_id = published["id"]
    reported(rt, site, comment_id, "reader-1")
    other = rt.sites.create("other-site")
    outsider = rt.moderators.add("outsider@example.org", Role.MODERATOR, frozenset({other.site_id}), password="z" * 16)[
        0
    ]
    before = snapshot(connection)

    with pytest.raises(UnknownComment):
        dismiss_reports(rt, outsider, comment_id)
    with pytest.raises(UnknownComment):
        dismiss_reports(rt, outsider, "0123456789abcdef01234567")
    assert snapshot(connection) == before


def test_a_rejected_comment_expires_with_its_reports(rt, site, published, moderator, connection, settings):
    from workers.transitions import apply_transition

    comment_id = published["id"]
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=0, report_hold_threshold=0))
    reported(rt, site, comment_id, "reader-1", "reader-2")
    dismiss_reports(rt, moderator, comment_id)
    reported(rt, site, comment_id, "reader-3")
    apply_transition(
        rt,
        comment_id,
        expected={Status.PUBLISHED},
        to=Status.REJECTED,
        actor=moderator.actor,
        reasons=("moderator.abuse",),
        event_type="comment.taken_down",
    )

    for key in (rt.keys.reports(comment_id), rt.keys.reports_dismissed(comment_id)):
        assert 0 < connection.ttl(key) <= settings.rejected_keep_seconds
