"""A parked delivery outlives the failed-delivery keep time; one whose record is gone anyway is counted as given up."""

from __future__ import annotations

import dataclasses
import time

import pytest

from tests.helpers.receiver import Receiver
from workers.config import Settings
from workers.endpoint_pause import resume_endpoint

KEEP_SECONDS = 3
GAVE_UP_FIELD = 'commentgate_webhook_deliveries_total{outcome="gave_up"}'


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Paused by one delivery's first two tries; its third try parks it, its record set to expire by the second.
    return dataclasses.replace(settings, webhook_pause_after=2, failed_delivery_keep_seconds=KEEP_SECONDS)


def only_event(rt, site_id):
    [(_, event)] = rt.comments.events_after(site_id, None, 10)
    return event["id"]


def wait_past_the_keep_time(connection):
    """Until a key given the keep time now has expired in Redis: a record kept that long would be gone too."""
    connection.set("test:keep-clock", "1", px=KEEP_SECONDS * 1000 + 200)
    deadline = time.monotonic() + 60
    while connection.exists("test:keep-clock"):
        assert time.monotonic() < deadline, "Redis never expired the key"
        time.sleep(0.05)


def test_a_parked_delivery_waits_past_the_keep_time_and_is_delivered_on_resume(rt, site, post, work, connection):
    with Receiver(status=500) as receiver:
        receiver.secret = rt.sites.set_webhook(site.site_id, receiver.url)
        post("Tried twice, then parked at its third try.")
        work()
        event_id = only_event(rt, site.site_id)
        assert rt.deliveries.get(event_id)["state"] == "paused"
        assert len(receiver.requests) == 2

        wait_past_the_keep_time(connection)
        assert rt.deliveries.get(event_id)["state"] == "paused"  # still waiting

        receiver.status = 200
        assert resume_endpoint(rt, site.site_id) == 1
        work()
        assert receiver.event_ids()[2:] == [event_id]
        assert rt.deliveries.get(event_id)["state"] == "delivered"


def test_a_waiting_delivery_whose_record_is_gone_is_counted_as_given_up_not_queued(rt, site, post, work, connection):
    with Receiver(status=500) as receiver:
        receiver.secret = rt.sites.set_webhook(site.site_id, receiver.url)
        post("Tried twice, then parked at its third try.")
        work()
        event_id = only_event(rt, site.site_id)
        connection.delete(rt.keys.delivery(event_id))  # an operator's DEL, or a record parked before it was kept
        gave_up = rt.metrics.read(connection).get(GAVE_UP_FIELD, 0)

        receiver.status = 200
        assert resume_endpoint(rt, site.site_id) == 0
        assert rt.metrics.read(connection)[GAVE_UP_FIELD] == gave_up + 1
        assert connection.zscore(rt.keys.pending_deliveries(), event_id) is None
        assert rt.deliveries.waiting(site.site_id) == 0
        work()
        assert receiver.event_ids()[2:] == []
        assert not connection.exists(rt.keys.delivery(event_id))  # not brought back half-written
