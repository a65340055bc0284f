"""A decision that comes second is told who decided first, when, and to what."""

from __future__ import annotations

from tests.conftest import snapshot
from workers.models import Status
from workers.policy import Policy
from workers.transitions import Applied, Lost, apply_transition


def test_a_second_moderator_is_told_who_decided_first_and_when(post, work, rt, site, connection):
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=0, premoderation=True))
    comment_id = post("Held for a person.").get_json()["id"]
    work()
    assert rt.comments.status_of(comment_id) is Status.HELD

    first = apply_transition(
        rt,
        comment_id,
        expected={Status.HELD},
        to=Status.PUBLISHED,
        actor="mod_alice",
        reasons=("moderator.approved",),
        event_type="comment.approved",
    )
    assert isinstance(first, Applied)
    before = snapshot(connection)

    second = apply_transition(
        rt,
        comment_id,
        expected={Status.HELD},
        to=Status.REJECTED,
        actor="mod_bob",
        reasons=("moderator.spam",),
        event_type="comment.rejected",
    )

    assert second == Lost(status=Status.PUBLISHED, actor="mod_alice", at=first.event.created)
    assert snapshot(connection) == before  # the loser wrote nothing
    assert [(a["actor"], a["to"]) for a in rt.comments.audit(comment_id)] == [
        ("pipeline", "held"),
        ("mod_alice", "published"),
    ]
