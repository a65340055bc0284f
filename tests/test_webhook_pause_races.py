"""Resuming races: a second resume, or a delivery parking or being parked at that moment, loses and doubles nothing.

Each race is made to happen at the worst moment by running the other party from inside our own
store's function (monkeypatch), between the compare-and-set's read and its write.
"""

from __future__ import annotations

import dataclasses

import pytest

from tests.helpers.paused_endpoint import decide_only, deliver_only, feed, pause_endpoint
from tests.helpers.receiver import Receiver
from workers.config import Settings
from workers.deliveries import DeliveryStore
from workers.endpoint_pause import resume_endpoint

PAUSED_FIELD = 'commentgate_webhook_deliveries_total{outcome="paused"}'
WEBHOOK_QUEUE = "rq:queue:commentgate-webhooks"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, webhook_pause_after=3)


def queued_job_ids(connection):
    return [job_id.decode() for job_id in connection.lrange(WEBHOOK_QUEUE, 0, -1)]


def test_two_resumes_at_once_queue_each_waiting_delivery_once(rt, site, post, work, connection, monkeypatch):
    with Receiver() as receiver:
        pause_endpoint(rt, site.site_id, receiver, post, work)
        for n in range(3):
            post(f"Waits {n}.")
        work()
        waiting = feed(rt, site.site_id)[1:]
        assert rt.deliveries.waiting(site.site_id) == 3

        read_page = DeliveryStore.waiting_page
        other: list[int] = []
        raced: list[bool] = []

        def page_read_while_another_resumes(self, client, waiting_key, count):
            page = read_page(self, client, waiting_key, count)
            if not raced:  # the first read: another operator resumes the same site now
                raced.append(True)
                other.append(resume_endpoint(rt, site.site_id))
            return page

        monkeypatch.setattr(DeliveryStore, "waiting_page", page_read_while_another_resumes)
        mine = resume_endpoint(rt, site.site_id)

        assert other == [3] and mine == 0
        assert queued_job_ids(connection) == [f"webhook-{event_id}-r1" for event_id in waiting]  # one job each
        receiver.status = 200
        work()
        assert receiver.event_ids()[3:] == waiting


def test_a_delivery_running_while_a_resume_reads_is_delivered_not_parked(rt, site, post, work, connection, monkeypatch):
    with Receiver() as receiver:
        pause_endpoint(rt, site.site_id, receiver, post, work)
        post("Waited before the resume.")
        work()
        post("Runs while the resume reads.")
        decide_only(connection)  # its delivery job is queued, not run yet
        waited, racing = feed(rt, site.site_id)[1:]
        receiver.status = 200

        read_page = DeliveryStore.waiting_page
        raced: list[bool] = []

        def page_read_while_a_delivery_runs(self, client, waiting_key, count):
            page = read_page(self, client, waiting_key, count)
            if not raced:
                raced.append(True)
                deliver_only(connection)  # the worker runs the second delivery now: the pause is already off
            return page

        monkeypatch.setattr(DeliveryStore, "waiting_page", page_read_while_a_delivery_runs)
        assert resume_endpoint(rt, site.site_id) == 1
        assert rt.deliveries.waiting(site.site_id) == 0
        assert rt.deliveries.paused_sites() == set()
        assert rt.deliveries.get(racing)["state"] == "delivered"

        work()
        assert receiver.event_ids()[3:] == [racing, waited]  # both, once each


def test_a_resume_while_a_delivery_parks_lets_that_delivery_through(rt, site, post, work, connection, monkeypatch):
    with Receiver() as receiver:
        pause_endpoint(rt, site.site_id, receiver, post, work)
        post("Waited before the resume.")
        work()
        post("Being parked as the endpoint is resumed.")
        decide_only(connection)
        waited, racing = feed(rt, site.site_id)[1:]
        parked_before = rt.metrics.read(connection)[PAUSED_FIELD]

        park = DeliveryStore.park
        resumed: list[int] = []
        raced: list[bool] = []

        def park_while_resumed(self, pipe, site_id, event_id, at):
            if not raced:  # between the parking's check and its write, an operator resumes
                raced.append(True)
                receiver.status = 200
                resumed.append(resume_endpoint(rt, site_id))
            park(self, pipe, site_id, event_id, at)

        monkeypatch.setattr(DeliveryStore, "park", park_while_resumed)
        work()

        assert resumed == [1]  # the one that waited; the racing one was not parked yet
        assert sorted(receiver.event_ids()[3:]) == sorted([waited, racing])  # each once
        assert rt.deliveries.waiting(site.site_id) == 0
        assert rt.deliveries.get(racing)["state"] == "delivered"
        assert rt.metrics.read(connection)[PAUSED_FIELD] == parked_before  # the abandoned parking is not counted
