"""A resume cut short after taking the waiting set: what it took still shows as waiting; a sweep sends each once."""

from __future__ import annotations

import dataclasses
import time

import pytest

from tests.helpers.paused_endpoint import cut_short_resume, feed, pause_endpoint
from tests.helpers.receiver import Receiver
from workers.config import Settings
from workers.endpoint_pause import LEFT_RESUME_SECONDS
from workers.ops_picture import endpoint_figures
from workers.recovery import sweep_stuck_deliveries


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, webhook_pause_after=3)


def test_a_resume_killed_after_taking_the_waiting_set_is_finished_by_a_sweep(
    rt, site, post, work, connection, monkeypatch
):
    with Receiver() as receiver:
        pause_endpoint(rt, site.site_id, receiver, post, work)
        for n in range(3):
            post(f"Waits {n}.")
        work()
        waited = feed(rt, site.site_id)[-3:]
        receiver.status = 200

        cut_short_resume(rt, site.site_id, monkeypatch)

        # What an operator sees: the endpoint active, and the three deliveries still waiting.
        assert site.site_id not in rt.deliveries.paused_sites()
        assert rt.deliveries.waiting(site.site_id) == 3
        assert [rt.deliveries.get(e)["state"] for e in waited] == ["paused"] * 3

        # A sweep soon after leaves a resume that may still be paging through alone.
        sweep_stuck_deliveries(rt, settle=0)
        assert rt.deliveries.waiting(site.site_id) == 3

        sweep_stuck_deliveries(rt, now=time.time() + LEFT_RESUME_SECONDS + 1, settle=0)
        work()

        assert sorted(e for e in receiver.event_ids() if e in waited) == sorted(waited)  # each once
        assert [rt.deliveries.get(e)["state"] for e in waited] == ["delivered"] * 3
        assert rt.deliveries.waiting(site.site_id) == 0
        assert connection.zcard(rt.keys.resumes(site.site_id)) == 0
        assert endpoint_figures(rt)[0].waiting == 0
