"""A delivery settled while it sat in a resuming set (re-queued by hand, delivered) is not sent again by a resume."""

from __future__ import annotations

import dataclasses

import pytest

from tests.helpers.paused_endpoint import cut_short_resume, pause_endpoint
from tests.helpers.receiver import Receiver
from workers.config import Settings
from workers.endpoint_pause import resume_endpoint


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, webhook_pause_after=3)


def test_a_delivered_event_left_in_a_resuming_set_is_not_queued_again(rt, site, post, work, connection, monkeypatch):
    with Receiver() as receiver:
        pause_endpoint(rt, site.site_id, receiver, post, work)
        post("Waits, then is delivered by hand.")
        work()
        event_id = rt.comments.events_after(site.site_id, None, 100)[-1][1]["id"]
        assert rt.deliveries.get(event_id)["state"] == "paused"
        receiver.status = 200

        cut_short_resume(rt, site.site_id, monkeypatch)
        rt.queues.enqueue_delivery(event_id)  # an operator re-queues its job by hand (rq-dashboard)
        work()
        assert rt.deliveries.get(event_id)["state"] == "delivered"
        assert receiver.event_ids().count(event_id) == 1

        assert resume_endpoint(rt, site.site_id) == 0  # finishes the left set: nothing to send
        work()

        assert receiver.event_ids().count(event_id) == 1
        assert rt.deliveries.get(event_id)["state"] == "delivered"
        assert connection.zscore(rt.keys.pending_deliveries(), event_id) is None
        assert rt.deliveries.waiting(site.site_id) == 0
