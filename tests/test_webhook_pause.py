"""A webhook endpoint paused after failing in a row: its deliveries wait and, resumed, arrive once, in order."""

from __future__ import annotations

import dataclasses
import time

import pytest

from tests.helpers.receiver import Receiver
from workers.config import Settings
from workers.endpoint_pause import resume_endpoint
from workers.exceptions import UnknownSite
from workers.recovery import sweep_stuck_deliveries

PAUSED_FIELD = 'commentgate_webhook_deliveries_total{outcome="paused"}'
WEBHOOK_QUEUE = "rq:queue:commentgate-webhooks"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Three tries per delivery (webhook_retries=(0, 0)): one delivery's three failures pause the endpoint.
    return dataclasses.replace(settings, webhook_pause_after=3)


def event_ids(rt, site_id):
    """The site's events feed, oldest first: what was decided, whatever the webhooks did."""
    return [event["id"] for _, event in rt.comments.events_after(site_id, None, 100)]


def paused_count(rt, connection):
    return rt.metrics.read(connection).get(PAUSED_FIELD, 0)


def test_after_failures_in_a_row_deliveries_wait_and_resumed_arrive_once_oldest_first(rt, site, post, work, connection):
    with Receiver(status=500) as receiver:
        receiver.secret = rt.sites.set_webhook(site.site_id, receiver.url)
        post("The first comment.")
        work()
        assert len(receiver.requests) == 3  # its three tries, the last of which paused the endpoint
        assert rt.deliveries.paused_sites() == {site.site_id}

        for n in range(4):
            post(f"Comment {n} while the endpoint is paused.")
        work()
        assert len(receiver.requests) == 3  # nothing more was POSTed
        assert rt.deliveries.waiting(site.site_id) == 4
        assert paused_count(rt, connection) == 4
        feed = event_ids(rt, site.site_id)
        assert len(feed) == 5  # the feed has every event, paused or not

        receiver.status = 200  # the site fixed its endpoint
        assert resume_endpoint(rt, site.site_id) == 4
        assert rt.deliveries.paused_sites() == set()
        assert rt.deliveries.waiting(site.site_id) == 0
        assert rt.deliveries.failure_streak(site.site_id) == 0
        work()

        delivered = receiver.event_ids()[3:]  # after the first event's three failed tries
        assert delivered == feed[1:]  # each waiting event once, oldest first
        assert receiver.bad_signatures == 0
        assert all(rt.deliveries.get(event_id)["state"] == "delivered" for event_id in delivered)
        # The first delivery had used up its tries before the pause: it stays failed, not resent.
        assert [f.event_id for f in rt.deliveries.failed()] == [feed[0]]


def test_a_delivery_still_retrying_when_the_endpoint_pauses_waits_instead_of_failing(
    rt, site, post, work, connection, settings, use_runtime
):
    use_runtime(dataclasses.replace(rt, settings=dataclasses.replace(settings, webhook_pause_after=2)))
    with Receiver(status=503) as receiver:
        receiver.secret = rt.sites.set_webhook(site.site_id, receiver.url)
        post("Retried, then paused.")
        work()
        assert len(receiver.requests) == 2  # the second failure paused it: the third try did not POST
        (event_id,) = event_ids(rt, site.site_id)
        assert rt.deliveries.failed() == []
        assert rt.deliveries.get(event_id)["state"] == "paused"
        assert rt.deliveries.waiting(site.site_id) == 1

        receiver.status = 204
        assert resume_endpoint(rt, site.site_id) == 1
        work()
        assert receiver.event_ids() == [event_id] * 3  # two failed tries, then the one after resuming
        assert rt.deliveries.get(event_id)["state"] == "delivered"


def test_the_sweeper_leaves_waiting_deliveries_alone(rt, site, post, work, connection):
    with Receiver(status=500) as receiver:
        receiver.secret = rt.sites.set_webhook(site.site_id, receiver.url)
        post("Pauses the endpoint.")
        work()
        post("Waits.")
        work()
    assert rt.deliveries.waiting(site.site_id) == 1
    swept = sweep_stuck_deliveries(rt, now=time.time() + 3600, settle=0)
    assert swept == []
    assert connection.llen(WEBHOOK_QUEUE) == 0
    assert rt.deliveries.waiting(site.site_id) == 1


def test_without_a_limit_an_endpoint_is_never_paused(rt, site, post, work, settings, use_runtime):
    use_runtime(dataclasses.replace(rt, settings=dataclasses.replace(settings, webhook_pause_after=0)))
    with Receiver(status=500) as receiver:
        receiver.secret = rt.sites.set_webhook(site.site_id, receiver.url)
        post("One.")
        post("Two.")
        work()
        assert len(receiver.requests) == 6  # every try of both
    assert rt.deliveries.paused_sites() == set()
    assert rt.deliveries.failure_streak(site.site_id) == 6


def test_resuming_an_unknown_site_is_refused_and_changes_nothing(rt, site, post, work, connection):
    from tests.conftest import snapshot

    before = snapshot(connection)
    with pytest.raises(UnknownSite):
        resume_endpoint(rt, "no-such-site")
    assert snapshot(connection) == before


def test_resuming_an_endpoint_that_is_not_paused_queues_nothing(rt, site, connection):
    rt.sites.set_webhook(site.site_id, "http://127.0.0.1:9/hooks")
    assert resume_endpoint(rt, site.site_id) == 0
    assert connection.llen(WEBHOOK_QUEUE) == 0
    assert rt.deliveries.paused_sites() == set()
