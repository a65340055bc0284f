"""Stores own their keys: a decision reads the site through its own transaction, deliveries have a store."""

from __future__ import annotations

from redis import ConnectionPool, Redis

from tests.test_guarantees import decide
from workers.models import Status
from workers.runtime import Runtime


def test_a_decision_with_a_webhook_needs_one_connection(post, rt, site, settings, connection):
    rt.sites.set_webhook(site.site_id, "http://127.0.0.1:9/hooks")
    comment_id = post("Decided on one connection.").get_json()["id"]
    # A pool of one: a read on a second connection while the transaction WATCHes would be refused.
    one = Redis(connection_pool=ConnectionPool.from_url(settings.redis_url, max_connections=1))
    own = Runtime(one, settings)
    own.queues.webhooks.get_redis_server_version()  # RQ reads it once per queue, on a connection of its own
    try:
        event = decide(own, comment_id, Status.PUBLISHED)
    finally:
        one.close()
    assert event is not None
    assert rt.comments.status_of(comment_id) is Status.PUBLISHED
    record = rt.deliveries.get(event.id)
    assert (record["site_id"], record["state"]) == (site.site_id, "pending")
    assert [e.decode() for e in connection.zrange(rt.keys.pending_deliveries(), 0, -1)] == [event.id]


def test_failed_deliveries_are_listed_newest_first_without_expired_records(rt, site):
    for event_id in ("evt_old", "evt_new", "evt_gone"):
        with rt.connection.pipeline() as pipe:
            rt.deliveries.settle(pipe, event_id, "failed", {"failed_at": "0"})
            pipe.hset(rt.keys.delivery(event_id), "site_id", site.site_id)
            pipe.execute()
    rt.connection.delete(rt.keys.delivery("evt_gone"))  # as when its record expired
    assert [d.event_id for d in rt.deliveries.failed()] == ["evt_new", "evt_old"]
