"""Moderators' decisions under the conditions a reliability review found them failing."""

from __future__ import annotations

import time
from typing import Any

import pytest
import redis.client
from redis import Redis

from tests.helpers.decisions import moderator_of
from tests.helpers.held_comments import held_comment
from workers import decision_effects
from workers.decision_outcomes import Conflict, Decided
from workers.models import ReportReason, Status
from workers.moderator_actions import ModeratorAction, act, undo
from workers.policy import Policy
from workers.queue_index import Facet, Queue
from workers.reports import dismiss_reports, file_report
from workers.runtime import Runtime


def published(rt: Runtime, post: Any, work: Any) -> str:
    comment_id = str(post("A plain comment, published by the checks.").get_json()["id"])
    work()
    assert rt.comments.status_of(comment_id) is Status.PUBLISHED
    return comment_id


def test_an_author_approved_by_a_moderator_counts_as_previously_approved(rt, site, post, work):
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=0, premoderation=True, trust_approved_authors=True))
    alice = moderator_of(rt, "alice@example.org", site.site_id)
    ada = {"name": "Ada", "email": "ada@example.org"}
    first = post("First comment by Ada.", author=ada).get_json()["id"]
    work()
    assert rt.comments.status_of(first) is Status.HELD
    assert isinstance(act(rt, alice, first, ModeratorAction.APPROVE), Decided)
    second = post("Second comment by Ada, after her first was approved.", author=ada).get_json()["id"]
    work()
    assert rt.comments.status_of(second) is Status.PUBLISHED


def test_a_taken_down_comment_no_longer_counts_as_approved(rt, site, post, work):
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=0, premoderation=True, trust_approved_authors=True))
    alice = moderator_of(rt, "alice@example.org", site.site_id)
    ada = {"name": "Ada", "email": "ada@example.org"}
    first = post("First comment by Ada.", author=ada).get_json()["id"]
    work()
    assert isinstance(act(rt, alice, first, ModeratorAction.APPROVE), Decided)
    assert isinstance(act(rt, alice, first, ModeratorAction.TAKE_DOWN, ReportReason.ABUSE), Decided)
    second = post("Second comment by Ada, after her first was taken down.", author=ada).get_json()["id"]
    work()
    assert rt.comments.status_of(second) is Status.HELD


def test_a_script_flush_before_exec_leaves_the_decision_whole(rt, site, connection: Redis, monkeypatch):
    alice = moderator_of(rt, "alice@example.org", site.site_id)
    comment = held_comment(rt, site.site_id, body="cheap replica watches buy now")
    assert isinstance(act(rt, alice, comment.id, ModeratorAction.SPAM), Decided)
    assert rt.spam.trained(site.site_id) == {"spam": 1, "ham": 0}
    real = redis.client.Pipeline._execute_transaction

    def flush_then_exec(self: redis.client.Pipeline, *args: Any, **kwargs: Any) -> Any:
        connection.script_flush()  # an operator's SCRIPT FLUSH, landing just before the decision's EXEC
        return real(self, *args, **kwargs)

    monkeypatch.setattr(redis.client.Pipeline, "_execute_transaction", flush_then_exec)
    assert isinstance(act(rt, alice, comment.id, ModeratorAction.RESTORE), Decided)
    assert rt.comments.status_of(comment.id) is Status.PUBLISHED
    assert rt.spam.trained(site.site_id) == {"spam": 0, "ham": 1}  # spam taken back, ham learned, once


def test_old_decisions_leave_the_decided_queue_facets(rt, site, connection: Redis, monkeypatch):
    alice = moderator_of(rt, "alice@example.org", site.site_id)
    olds = [held_comment(rt, site.site_id, thread="t1") for _ in range(3)]
    for comment in olds:
        assert isinstance(act(rt, alice, comment.id, ModeratorAction.APPROVE), Decided)
    thread_facet = rt.keys.queue_facet(site.site_id, Queue.DECIDED, Facet.THREAD, "t1")
    reason_facet = rt.keys.queue_facet(site.site_id, Queue.DECIDED, Facet.REASON, "moderator.approved")
    assert 0 < connection.ttl(thread_facet) <= decision_effects.DECIDED_FACET_TTL  # an idle facet expires
    later = held_comment(rt, site.site_id, thread="t1")
    eight_days_on = time.time() + 8 * 86400
    monkeypatch.setattr(decision_effects, "time", type("Clock", (), {"time": staticmethod(lambda: eight_days_on)}))
    assert isinstance(act(rt, alice, later.id, ModeratorAction.APPROVE), Decided)
    assert [m.decode() for m in connection.zrange(rt.keys.queue(site.site_id, Queue.DECIDED), 0, -1)] == [later.id]
    assert [m.decode() for m in connection.zrange(thread_facet, 0, -1)] == [later.id]
    assert [m.decode() for m in connection.zrange(reason_facet, 0, -1)] == [later.id]


@pytest.mark.parametrize("action", [ModeratorAction.REJECT, ModeratorAction.SPAM])
def test_a_colleagues_dismissal_does_not_block_a_rejection(rt, site, post, work, action):
    alice = moderator_of(rt, "alice@example.org", site.site_id)
    bob = moderator_of(rt, "bob@example.org", site.site_id)
    comment_id = published(rt, post, work)
    assert file_report(rt, site.site_id, comment_id, ReportReason.ABUSE, "", "reader-1", None).created
    assert isinstance(dismiss_reports(rt, bob, comment_id), Decided)
    outcome = act(rt, alice, comment_id, action, ReportReason.ABUSE)
    assert isinstance(outcome, Decided), outcome
    assert rt.comments.status_of(comment_id) is Status.REJECTED


def test_a_colleagues_approval_still_blocks_a_rejection_after_a_dismissal(rt, site, work, post):
    alice = moderator_of(rt, "alice@example.org", site.site_id)
    bob = moderator_of(rt, "bob@example.org", site.site_id)
    comment = held_comment(rt, site.site_id)
    assert isinstance(act(rt, bob, comment.id, ModeratorAction.APPROVE), Decided)
    assert file_report(rt, site.site_id, comment.id, ReportReason.ABUSE, "", "reader-1", None).created
    assert isinstance(dismiss_reports(rt, alice, comment.id), Decided)
    outcome = act(rt, alice, comment.id, ModeratorAction.REJECT, ReportReason.ABUSE)
    assert isinstance(outcome, Conflict) and outcome.decided_by == "bob@example.org"
    assert rt.comments.status_of(comment.id) is Status.PUBLISHED


def test_undoing_a_take_down_keeps_the_reports(rt, site, post, work, connection: Redis):
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=0, report_hold_threshold=3))
    alice = moderator_of(rt, "alice@example.org", site.site_id)
    comment_id = published(rt, post, work)
    for reader in ("reader-1", "reader-2"):
        file_report(rt, site.site_id, comment_id, ReportReason.ABUSE, "", reader, None)
    reported = rt.keys.queue(site.site_id, Queue.REPORTED)
    first_reported = connection.zscore(reported, comment_id)
    assert first_reported is not None
    assert isinstance(act(rt, alice, comment_id, ModeratorAction.TAKE_DOWN), Decided)
    assert connection.zscore(reported, comment_id) is None
    assert isinstance(undo(rt, alice, comment_id), Decided)
    assert rt.comments.status_of(comment_id) is Status.PUBLISHED
    assert connection.zscore(reported, comment_id) == first_reported
    assert rt.reports.counts(comment_id).total == 2 and len(rt.reports.of(comment_id)) == 2
    third = file_report(rt, site.site_id, comment_id, ReportReason.ABUSE, "", "reader-3", None)
    assert third.held and rt.comments.status_of(comment_id) is Status.HELD


def test_a_restored_comment_with_open_reports_is_back_in_the_reported_queue(rt, site, post, work, connection: Redis):
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=0, report_hold_threshold=3))
    alice = moderator_of(rt, "alice@example.org", site.site_id)
    bob = moderator_of(rt, "bob@example.org", site.site_id)
    comment_id = published(rt, post, work)
    file_report(rt, site.site_id, comment_id, ReportReason.ABUSE, "", "reader-1", None)
    file_report(rt, site.site_id, comment_id, ReportReason.SPAM, "", "reader-2", None)
    reported = rt.keys.queue(site.site_id, Queue.REPORTED)
    first_reported = connection.zscore(reported, comment_id)
    assert isinstance(act(rt, alice, comment_id, ModeratorAction.TAKE_DOWN), Decided)
    assert isinstance(act(rt, bob, comment_id, ModeratorAction.RESTORE), Decided)
    assert connection.zscore(reported, comment_id) == first_reported
    for reason in ("abuse", "spam"):
        facet = rt.keys.queue_facet(site.site_id, Queue.REPORTED, Facet.REASON, reason)
        assert connection.zscore(facet, comment_id) == first_reported
    # A moderator weighed them, restoring it: they stay open, and the threshold counts from the restore.
    third = file_report(rt, site.site_id, comment_id, ReportReason.ABUSE, "", "reader-3", None)
    assert not third.held and rt.comments.status_of(comment_id) is Status.PUBLISHED
    assert rt.reports.counts(comment_id).total == 3
