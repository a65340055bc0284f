"""A moderator's actions on one comment: status, event, audit entry, thread listing, and what is refused."""

from __future__ import annotations

import pytest

from tests.conftest import snapshot
from tests.helpers.api import LISTING
from tests.helpers.decisions import held, moderator_of, premoderate
from workers.decision_outcomes import Conflict, Decided
from workers.exceptions import UnknownComment
from workers.models import ReportReason, Status
from workers.moderator_actions import ModeratorAction, act


@pytest.fixture
def alice(rt, site):
    premoderate(rt, site.site_id)
    return moderator_of(rt, "alice@example.org", site.site_id)


def listed(client, site) -> list[str]:
    return [c["id"] for c in client.get(LISTING.format(site=site.site_id)).get_json()["items"]]


def last_event(rt, site) -> dict:
    return rt.comments.events_after(site.site_id, None, 100)[-1][1]


def test_approve_publishes_tells_the_site_lists_it_and_names_the_moderator(rt, site, post, work, client, alice):
    comment_id = held(post, work)
    assert comment_id not in listed(client, site)

    outcome = act(rt, alice, comment_id, ModeratorAction.APPROVE, note="Fair comment.")

    assert isinstance(outcome, Decided) and outcome.status is Status.PUBLISHED
    assert rt.comments.status_of(comment_id) is Status.PUBLISHED
    event = last_event(rt, site)
    assert (event["type"], event["id"], event["comment"]["id"]) == ("comment.approved", outcome.event_id, comment_id)
    entry = rt.comments.audit(comment_id)[-1]
    assert (entry["actor"], entry["from"], entry["to"], entry["note"]) == (
        alice.actor,
        "held",
        "published",
        "Fair comment.",
    )
    assert comment_id in listed(client, site)


def test_reject_with_a_reason_records_the_moderators_code(rt, site, post, work, alice):
    comment_id = held(post, work)
    outcome = act(rt, alice, comment_id, ModeratorAction.REJECT, ReportReason.OFF_TOPIC)
    assert isinstance(outcome, Decided)
    assert rt.comments.get(comment_id).reasons == ("moderator.off_topic",)
    assert last_event(rt, site)["type"] == "comment.rejected"
    assert rt.comments.audit(comment_id)[-1]["reasons"] == ["moderator.off_topic"]


def test_spam_rejects_with_moderator_spam(rt, site, post, work, alice):
    comment_id = held(post, work)
    act(rt, alice, comment_id, ModeratorAction.SPAM)
    comment = rt.comments.get(comment_id)
    assert (comment.status, comment.reasons) == (Status.REJECTED, ("moderator.spam",))
    assert last_event(rt, site)["type"] == "comment.rejected"


def test_take_down_and_restore_move_a_comment_off_and_back_onto_the_listing(rt, site, post, work, client, alice):
    comment_id = held(post, work)
    act(rt, alice, comment_id, ModeratorAction.APPROVE)

    act(rt, alice, comment_id, ModeratorAction.TAKE_DOWN)
    assert rt.comments.get(comment_id).reasons == ("moderator.other",)  # no reason given: other
    assert last_event(rt, site)["type"] == "comment.taken_down"
    assert comment_id not in listed(client, site)

    act(rt, alice, comment_id, ModeratorAction.RESTORE)
    assert last_event(rt, site)["type"] == "comment.restored"
    assert comment_id in listed(client, site)
    assert rt.comments.status_of(comment_id) is Status.PUBLISHED


def test_rejecting_a_published_comment_is_a_take_down(rt, site, post, work, client, alice):
    comment_id = held(post, work)
    act(rt, alice, comment_id, ModeratorAction.APPROVE)
    act(rt, alice, comment_id, ModeratorAction.REJECT, ReportReason.ABUSE)
    assert last_event(rt, site)["type"] == "comment.taken_down"
    assert rt.comments.get(comment_id).reasons == ("moderator.abuse",)
    assert comment_id not in listed(client, site)


def test_approving_a_published_comment_is_a_conflict_naming_who_published_it(rt, site, post, work, connection, alice):
    comment_id = held(post, work)
    first = act(rt, alice, comment_id, ModeratorAction.APPROVE)
    before = snapshot(connection)

    again = act(rt, alice, comment_id, ModeratorAction.APPROVE)

    assert isinstance(first, Decided)
    assert again == Conflict(comment_id, Status.PUBLISHED, "alice@example.org", rt.comments.audit(comment_id)[-1]["at"])
    assert snapshot(connection) == before


def test_a_second_moderator_is_told_the_first_ones_email(rt, site, post, work, connection, alice):
    bob = moderator_of(rt, "bob@example.org", site.site_id)
    comment_id = held(post, work)
    act(rt, alice, comment_id, ModeratorAction.REJECT, ReportReason.SPAM)
    before = snapshot(connection)

    outcome = act(rt, bob, comment_id, ModeratorAction.APPROVE)

    assert isinstance(outcome, Conflict)
    assert outcome.as_dict()["status"] == "rejected" and outcome.as_dict()["decided_by"] == "alice@example.org"
    assert snapshot(connection) == before


def test_a_reject_cannot_overrule_a_colleagues_approval_but_a_take_down_can(rt, site, post, work, connection, alice):
    bob = moderator_of(rt, "bob@example.org", site.site_id)
    comment_id = held(post, work)
    act(rt, alice, comment_id, ModeratorAction.APPROVE)
    before = snapshot(connection)

    for action in (ModeratorAction.REJECT, ModeratorAction.SPAM):
        refused = act(rt, bob, comment_id, action, ReportReason.ABUSE)
        assert isinstance(refused, Conflict)
        assert (refused.status, refused.decided_by) == (Status.PUBLISHED, "alice@example.org")
    assert snapshot(connection) == before

    assert isinstance(act(rt, bob, comment_id, ModeratorAction.TAKE_DOWN, ReportReason.ABUSE), Decided)
    assert rt.comments.status_of(comment_id) is Status.REJECTED


def test_another_sites_comment_is_as_unknown_as_a_missing_one(rt, site, post, work, connection, alice):
    other = rt.sites.create("other-site")
    outsider = moderator_of(rt, "outsider@example.org", other.site_id)
    comment_id = held(post, work)
    before = snapshot(connection)
    for who, target in [(outsider, comment_id), (alice, "0" * 24), (alice, f"{comment_id}:audit")]:
        with pytest.raises(UnknownComment):
            act(rt, who, target, ModeratorAction.APPROVE)
    assert snapshot(connection) == before


def test_an_admin_acts_on_every_site(rt, site, post, work, alice):
    from workers.moderators import Role

    admin = moderator_of(rt, "admin@example.org", role=Role.ADMIN)
    comment_id = held(post, work)
    assert isinstance(act(rt, admin, comment_id, ModeratorAction.APPROVE), Decided)


@pytest.mark.parametrize(
    ("action", "reason", "note"),
    [
        (ModeratorAction.REJECT, None, None),  # a rejection says why
        (ModeratorAction.APPROVE, None, "x" * 1001),  # notes are at most 1,000 characters
    ],
)
def test_bad_input_changes_nothing(rt, site, post, work, connection, alice, action, reason, note):
    comment_id = held(post, work)
    before = snapshot(connection)
    with pytest.raises(ValueError):
        act(rt, alice, comment_id, action, reason, note)
    assert snapshot(connection) == before
