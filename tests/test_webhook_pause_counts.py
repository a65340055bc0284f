"""The `paused` delivery outcome counts deliveries set aside, not every time one is set aside again."""

from __future__ import annotations

import dataclasses

import pytest

from tests.helpers.paused_endpoint import deliver_only, pause_endpoint
from tests.helpers.receiver import Receiver
from workers.config import Settings

PAUSED_FIELD = 'commentgate_webhook_deliveries_total{outcome="paused"}'


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, webhook_pause_after=3)


def test_a_waiting_delivery_whose_job_runs_again_is_counted_once(rt, site, post, work, connection):
    with Receiver() as receiver:
        pause_endpoint(rt, site.site_id, receiver, post, work)
        post("Waits.")
        work()
        [_, (_, event)] = rt.comments.events_after(site.site_id, None, 10)
        assert rt.deliveries.waiting(site.site_id) == 1
        paused = rt.metrics.read(connection)[PAUSED_FIELD]

        rt.queues.enqueue_delivery(event["id"])  # its job again (a duplicate, a hand re-queue)
        deliver_only(connection)

        assert rt.deliveries.waiting(site.site_id) == 1
        assert rt.metrics.read(connection)[PAUSED_FIELD] == paused
        assert len(receiver.requests) == 3  # still nothing POSTed but the first event's tries
