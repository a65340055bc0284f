"""A decision and what happens beside it: a reader's report filed meanwhile, an undo's trace on the comment."""

from __future__ import annotations

from tests.helpers.decisions import moderator_of
from tests.helpers.held_comments import held_comment
from workers import moderator_actions
from workers.decision_outcomes import Decided
from workers.models import ReportReason, Status
from workers.moderator_actions import ModeratorAction, act, undo
from workers.queue_index import Queue
from workers.reports import file_report


def test_a_report_filed_while_a_held_comment_is_approved_puts_it_in_the_reported_queue(rt, site, monkeypatch):
    alice = moderator_of(rt, "alice@example.org", site.site_id)
    comment = held_comment(rt, site.site_id)
    real = moderator_actions.read_reports
    reported = []

    def a_reader_reports_right_after_the_read(*args, **kwargs):
        read = real(*args, **kwargs)
        if not reported:  # once: the moderator's first read saw no report
            reported.append(file_report(rt, site.site_id, comment.id, ReportReason.ABUSE, "", "reader-1", None))
        return read

    monkeypatch.setattr(moderator_actions, "read_reports", a_reader_reports_right_after_the_read)
    assert isinstance(act(rt, alice, comment.id, ModeratorAction.APPROVE), Decided)
    assert rt.comments.status_of(comment.id) is Status.PUBLISHED
    assert rt.reports.counts(comment.id).total == 1
    assert rt.connection.zscore(rt.keys.queue(site.site_id, Queue.REPORTED), comment.id) is not None


def test_an_undone_take_down_leaves_the_comment_as_the_checks_decided_it(rt, site, post, work):
    comment_id = post("A plain comment, published by the checks.").get_json()["id"]
    work()
    published_at = rt.comments.get(comment_id).decided_at
    alice = moderator_of(rt, "alice@example.org", site.site_id)
    bob = moderator_of(rt, "bob@example.org", site.site_id)
    assert isinstance(act(rt, alice, comment_id, ModeratorAction.TAKE_DOWN, ReportReason.ABUSE), Decided)
    assert isinstance(undo(rt, alice, comment_id), Decided)
    assert rt.comments.get(comment_id).decided_at == published_at
    # Nobody overruled the checks in the end: a colleague may reject it, as before the slip.
    assert isinstance(act(rt, bob, comment_id, ModeratorAction.REJECT, ReportReason.SPAM), Decided)
