"""A parked delivery outlives the failed-delivery keep time; one whose record is gone anyway is counted as given up."""

from __future__ import annotations

import dataclasses

import pytest

from tests.helpers.receiver import Receiver
from workers import endpoint_pause, jobs
from workers.config import Settings
from workers.endpoint_pause import resume_endpoint

KEEP_SECONDS = 3600  # long, so no try races it: what parking does to the record's lifetime is read, not waited for
GAVE_UP_FIELD = 'commentgate_webhook_deliveries_total{outcome="gave_up"}'


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Paused by one delivery's first two tries; its third try parks it, its record set to expire by the second.
    return dataclasses.replace(settings, webhook_pause_after=2, failed_delivery_keep_seconds=KEEP_SECONDS)


def only_event(rt, site_id):
    [(_, event)] = rt.comments.events_after(site_id, None, 10)
    return event["id"]


def test_a_parked_delivery_waits_past_the_keep_time_and_is_delivered_on_resume(
    rt, site, post, work, connection, monkeypatch
):
    lifetimes_when_parked: list[int] = []

    def park_if_paused(rt_, site_id, event_id, event_json):
        lifetimes_when_parked.append(connection.ttl(rt.keys.delivery(event_id)))
        return endpoint_pause.park_if_paused(rt_, site_id, event_id, event_json)

    monkeypatch.setattr(jobs, "park_if_paused", park_if_paused)
    with Receiver(status=500) as receiver:
        receiver.secret = rt.sites.set_webhook(site.site_id, receiver.url)
        post("Tried twice, then parked at its third try.")
        work()
        event_id = only_event(rt, site.site_id)
        assert rt.deliveries.get(event_id)["state"] == "paused"
        assert len(receiver.requests) == 2

        # Its failed tries gave it the keep time; parked, it has none: it is kept however long the pause lasts.
        assert len(lifetimes_when_parked) == 3  # each try looks whether the endpoint is paused; the third parks
        assert 0 < lifetimes_when_parked[-1] <= KEEP_SECONDS
        assert connection.ttl(rt.keys.delivery(event_id)) == -1

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
