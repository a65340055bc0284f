"""A comment gone from Redis but left on the queued index holds backpressure (and /readyz's queue age) no longer."""

from __future__ import annotations

import time

from tests.conftest import snapshot
from tests.test_backpressure import LIMIT, comment, wait_as_if
from workers.pipeline_decision import sweep_lost

LONG_AFTER = 10**5  # seconds: the sweeper looks as if every queued comment had waited that long


def submit(client, auth, n):
    return client.post("/api/v1/comments", json=comment(n), headers=auth)


def orphan_on_the_index(client, auth, rt, connection, work):
    """A submitted comment whose hash is then deleted (an operator's DEL, an eviction) and whose job ran."""
    response = submit(client, auth, 1)
    assert response.status_code == 202
    comment_id = response.get_json()["id"]
    connection.delete(rt.keys.comment(comment_id))
    work()  # its job finds nothing to decide
    assert connection.zscore(rt.keys.queued(), comment_id) is not None
    return comment_id


def test_the_sweeper_drops_a_queued_entry_whose_comment_is_gone(client, auth, rt, site, connection, work):
    comment_id = orphan_on_the_index(client, auth, rt, connection, work)
    wait_as_if(connection, rt, LIMIT + 100)

    assert sweep_lost(rt, now=time.time() + LONG_AFTER, settle=0) == []
    assert connection.zscore(rt.keys.queued(), comment_id) is None
    assert connection.zscore(rt.keys.site_queued(site.site_id), comment_id) is None
    assert client.get("/readyz").get_json()["checks"]["queue_age"]["ok"] is True
    assert submit(client, auth, 2).status_code == 202


def test_the_sweeper_drops_a_queued_entry_of_a_comment_decided_without_leaving_it(
    client, auth, rt, site, connection, work
):
    response = submit(client, auth, 1)
    comment_id = response.get_json()["id"]
    work()
    assert rt.comments.get(comment_id).status.value == "published"
    connection.zadd(rt.keys.queued(), {comment_id: 1.0})  # left behind (a write of an older version)
    connection.zadd(rt.keys.site_queued(site.site_id), {comment_id: 1.0})

    assert sweep_lost(rt, now=time.time() + LONG_AFTER, settle=0) == []
    assert connection.zscore(rt.keys.queued(), comment_id) is None
    assert connection.zscore(rt.keys.site_queued(site.site_id), comment_id) is None
    assert rt.comments.get(comment_id).status.value == "published"  # left as decided


def test_a_submission_is_admitted_past_an_oldest_entry_whose_comment_is_gone(client, auth, rt, site, connection, work):
    comment_id = orphan_on_the_index(client, auth, rt, connection, work)
    wait_as_if(connection, rt, LIMIT + 100)

    response = submit(client, auth, 2)  # no sweep yet
    assert response.status_code == 202
    admitted = response.get_json()["id"].encode()
    assert admitted in connection.zrange(rt.keys.site_queued(site.site_id), 0, -1)
    work()

    # The sweeper takes the gone entry off the index and off the site's own set, whose size is its cap.
    assert sweep_lost(rt, now=time.time() + LONG_AFTER, settle=0) == []
    assert connection.zscore(rt.keys.queued(), comment_id) is None
    assert connection.zscore(rt.keys.site_queued(site.site_id), comment_id) is None
    assert connection.zcard(rt.keys.site_queued(site.site_id)) == 0


def test_a_submission_is_refused_while_the_oldest_existing_comment_behind_gone_entries_is_too_old(
    client, auth, rt, site, connection, work
):
    comment_id = orphan_on_the_index(client, auth, rt, connection, work)
    waiting = submit(client, auth, 2)  # no worker runs: it waits behind the gone entry
    wait_as_if(connection, rt, LIMIT + 100)
    before = snapshot(connection)

    response = submit(client, auth, 3)
    assert response.status_code == 503
    assert snapshot(connection) == before  # the gone entry is left for the sweeper
    assert connection.zscore(rt.keys.queued(), comment_id) is not None
    assert connection.zscore(rt.keys.queued(), waiting.get_json()["id"]) is not None
