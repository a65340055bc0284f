"""The recently-decided queue, and undoing a slip: back to where the comment was, learning reversed."""

from __future__ import annotations

import time

import pytest

from tests.conftest import snapshot
from tests.helpers.api import LISTING
from tests.helpers.decisions import held, model_docs, moderator_of, premoderate
from workers.decision_outcomes import Conflict, Decided
from workers.models import Status
from workers.moderator_actions import DECIDED_KEEP_SECONDS, ModeratorAction, act, undo
from workers.queue_index import Facet, Queue
from workers.spam_model import HAM, SPAM


@pytest.fixture
def alice(rt, site):
    premoderate(rt, site.site_id)
    return moderator_of(rt, "alice@example.org", site.site_id)


def decided(rt, site) -> list[str]:
    return [m.decode() for m in rt.connection.zrange(rt.keys.queue(site.site_id, Queue.DECIDED), 0, -1)]


def held_ids(rt, site) -> list[str]:
    return [m.decode() for m in rt.connection.zrange(rt.keys.queue(site.site_id, Queue.HELD), 0, -1)]


def facet(rt, site, kind, value) -> list[str]:
    key = rt.keys.queue_facet(site.site_id, Queue.DECIDED, kind, value)
    return [m.decode() for m in rt.connection.zrange(key, 0, -1)]


def test_each_decision_files_the_comment_once_in_the_decided_queue_with_its_facets(rt, site, post, work, alice):
    comment_id = held(post, work)
    act(rt, alice, comment_id, ModeratorAction.APPROVE)
    act(rt, alice, comment_id, ModeratorAction.REJECT, "abuse")

    assert decided(rt, site) == [comment_id]
    score = rt.connection.zscore(rt.keys.queue(site.site_id, Queue.DECIDED), comment_id)
    assert score == pytest.approx(rt.comments.get(comment_id).decided_at, abs=1)
    assert facet(rt, site, Facet.REASON, "moderator.abuse") == [comment_id]
    assert facet(rt, site, Facet.REASON, "moderator.approved") == []  # the earlier entry was replaced
    assert facet(rt, site, Facet.THREAD, rt.comments.get(comment_id).thread_id) == [comment_id]


def test_decisions_older_than_a_week_leave_the_decided_queue(rt, site, post, work, alice):
    stale = held(post, work)
    act(rt, alice, stale, ModeratorAction.APPROVE)
    key = rt.keys.queue(site.site_id, Queue.DECIDED)
    rt.connection.zadd(key, {stale: time.time() - DECIDED_KEEP_SECONDS - 60})  # as if decided eight days ago

    fresh = held(post, work)
    act(rt, alice, fresh, ModeratorAction.APPROVE)

    assert decided(rt, site) == [fresh]


def test_undoing_an_approval_holds_the_comment_again_and_takes_back_its_ham_count(rt, site, post, work, client, alice):
    comment_id = held(post, work)
    act(rt, alice, comment_id, ModeratorAction.APPROVE)

    outcome = undo(rt, alice, comment_id)

    assert isinstance(outcome, Decided) and outcome.status is Status.HELD
    comment = rt.comments.get(comment_id)
    assert (comment.status, comment.reasons) == (Status.HELD, ("policy.premoderation",))
    assert rt.comments.events_after(site.site_id, None, 100)[-1][1]["type"] == "comment.held"
    assert model_docs(rt, site.site_id) == {SPAM: 0, HAM: 0}
    assert decided(rt, site) == [] and held_ids(rt, site) == [comment_id]
    listing = client.get(LISTING.format(site=site.site_id)).get_json()["items"]
    assert comment_id not in [c["id"] for c in listing]
    assert rt.comments.audit(comment_id)[-1]["actor"] == alice.actor


def test_undoing_a_take_down_as_spam_restores_the_comment_and_its_ham_label(rt, site, post, work, client, alice):
    comment_id = held(post, work)
    act(rt, alice, comment_id, ModeratorAction.APPROVE)
    act(rt, alice, comment_id, ModeratorAction.SPAM)

    undo(rt, alice, comment_id)

    assert rt.comments.status_of(comment_id) is Status.PUBLISHED
    assert rt.comments.events_after(site.site_id, None, 100)[-1][1]["type"] == "comment.restored"
    assert model_docs(rt, site.site_id) == {SPAM: 0, HAM: 1}
    listing = client.get(LISTING.format(site=site.site_id)).get_json()["items"]
    assert comment_id in [c["id"] for c in listing]


def test_only_the_moderator_who_decided_may_undo_and_only_once(rt, site, post, work, connection, alice):
    bob = moderator_of(rt, "bob@example.org", site.site_id)
    comment_id = held(post, work)
    act(rt, alice, comment_id, ModeratorAction.APPROVE)
    before = snapshot(connection)

    refused = undo(rt, bob, comment_id)

    assert isinstance(refused, Conflict) and refused.decided_by == "alice@example.org"
    assert snapshot(connection) == before
    assert isinstance(undo(rt, alice, comment_id), Decided)
    after_undo = snapshot(connection)
    assert isinstance(undo(rt, alice, comment_id), Conflict)  # an undo is not undone
    assert snapshot(connection) == after_undo


def test_a_decision_someone_has_since_changed_is_not_undone(rt, site, post, work, connection, alice):
    bob = moderator_of(rt, "bob@example.org", site.site_id)
    comment_id = held(post, work)
    act(rt, alice, comment_id, ModeratorAction.APPROVE)
    act(rt, bob, comment_id, ModeratorAction.TAKE_DOWN)
    before = snapshot(connection)

    outcome = undo(rt, alice, comment_id)

    assert outcome == Conflict(comment_id, Status.REJECTED, "bob@example.org", rt.comments.audit(comment_id)[-1]["at"])
    assert snapshot(connection) == before
