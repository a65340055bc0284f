"""What a decision files for moderators in its own transaction: queue facets, author history, the audit log."""

from __future__ import annotations

import json

from tests.helpers.api import decided_comment
from workers.models import Status
from workers.policy import Policy
from workers.queue_index import Facet, Queue


def test_a_held_comment_is_filed_by_thread_reason_and_author_and_logged_without_personal_data(
    rt, site, post, work, client, auth, connection
):
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=0, premoderation=True))
    resource = decided_comment(post, work, client, auth, author={"name": "Ada", "email": "ada@example.org"})
    assert resource["status"] == "held"
    comment = rt.comments.get(resource["id"])
    author_id = rt.authors.id_of(site.site_id, comment.author_key)
    assert author_id.startswith("a_") and "example.org" not in author_id
    for facet, value in [
        (Facet.THREAD, comment.thread_id),
        (Facet.REASON, "policy.premoderation"),
        (Facet.AUTHOR, author_id),
    ]:
        members = connection.zrange(rt.keys.queue_facet(site.site_id, Queue.HELD, facet, value), 0, -1)
        assert members == [resource["id"].encode()]
    assert connection.hgetall(rt.keys.author_statuses(site.site_id, author_id)) == {b"held": b"1"}
    (entry,) = connection.xrange(rt.keys.site_audit(site.site_id))
    logged = json.loads(entry[1][b"entry"])
    assert logged["comment_id"] == resource["id"] and logged["author_id"] == author_id
    assert (logged["from"], logged["to"], logged["actor"]) == ("queued", "held", "pipeline")
    assert "ada@example.org" not in json.dumps(logged).lower() and "Ada" not in json.dumps(logged)


def test_leaving_held_leaves_every_facet_and_moves_the_authors_count(rt, site, post, work, client, auth, connection):
    from workers.transitions import apply_transition

    rt.sites.set_policy(site.site_id, Policy(flood_seconds=0, premoderation=True))
    resource = decided_comment(post, work, client, auth)
    apply_transition(
        rt,
        resource["id"],
        expected={Status.HELD},
        to=Status.PUBLISHED,
        actor="moderator:mod_1",
        reasons=(),
        event_type="comment.approved",
        note="fine",
    )
    comment = rt.comments.get(resource["id"])
    author_id = rt.authors.id_of(site.site_id, comment.author_key)
    leftovers = [k for k in connection.scan_iter(match=f"{rt.keys.queue(site.site_id, Queue.HELD)}*")]
    assert all(connection.zcard(k) == 0 for k in leftovers)
    assert connection.hgetall(rt.keys.author_statuses(site.site_id, author_id)) == {b"held": b"0", b"published": b"1"}
    last = json.loads(connection.xrevrange(rt.keys.site_audit(site.site_id), count=1)[0][1][b"entry"])
    assert (last["to"], last["actor"], last["note"]) == ("published", "moderator:mod_1", "fine")
    assert rt.comments.audit(resource["id"])[-1]["note"] == "fine"
