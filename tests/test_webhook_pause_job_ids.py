"""A resumed delivery gets a job of its own: the parking job finishing late cannot end it; the sweeper follows it."""

from __future__ import annotations

import dataclasses
import time

import pytest
from rq import SimpleWorker

from tests.helpers.paused_endpoint import decide_only, pause_endpoint
from tests.helpers.receiver import Receiver
from workers import jobs, recovery
from workers.config import Settings
from workers.endpoint_pause import park_if_paused, resume_endpoint
from workers.queues import WEBHOOK_QUEUE
from workers.recovery import sweep_stuck_deliveries

QUEUE_KEY = "rq:queue:" + WEBHOOK_QUEUE
LONG_AFTER = 10**5  # seconds: the sweeper looks as if every delivery had been pending that long


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, webhook_pause_after=3)


def queued_job_ids(connection):
    return [job_id.decode() for job_id in connection.lrange(QUEUE_KEY, 0, -1)]


def newest_event(rt, site_id):
    return rt.comments.events_after(site_id, None, 100)[-1][1]["id"]


def test_a_delivery_resumed_while_its_parking_job_finishes_stays_queued_and_is_delivered(
    rt, site, post, work, connection, monkeypatch
):
    with Receiver() as receiver:
        pause_endpoint(rt, site.site_id, receiver, post, work)
        post("Parks; resumed before its job records success.")
        decide_only(connection)
        event_id = newest_event(rt, site.site_id)
        resumed: list[int] = []

        def park_then_resume(rt_, site_id, event_id_, event_json):
            parked = park_if_paused(rt_, site_id, event_id_, event_json)
            receiver.status = 200
            resumed.append(resume_endpoint(rt_, site_id))  # before RQ records the parking job's success
            return parked

        monkeypatch.setattr(jobs, "park_if_paused", park_then_resume)
        SimpleWorker([WEBHOOK_QUEUE], connection=connection).work(burst=True, max_jobs=1, with_scheduler=False)

        assert resumed == [1]
        [job_id] = queued_job_ids(connection)
        assert connection.hget("rq:job:" + job_id, "status") == b"queued"  # not the parking job's `finished`
        assert connection.ttl("rq:job:" + job_id) == -1  # nor its result_ttl
        assert job_id == rt.deliveries.get(event_id)["job_id"]  # what the sweeper looks for

        monkeypatch.undo()
        work()
        assert receiver.event_ids()[3:] == [event_id]
        assert rt.deliveries.get(event_id)["state"] == "delivered"


def test_the_sweeper_finds_a_resumed_delivery_by_its_job_and_leaves_it_queued(rt, site, post, work, connection):
    with Receiver() as receiver:
        pause_endpoint(rt, site.site_id, receiver, post, work)
        post("Waits, then is resumed.")
        work()
        event_id = newest_event(rt, site.site_id)
        receiver.status = 200
        assert resume_endpoint(rt, site.site_id) == 1
        queued = queued_job_ids(connection)

        assert sweep_stuck_deliveries(rt, now=time.time() + LONG_AFTER, settle=0) == []
        assert queued_job_ids(connection) == queued  # no second job
        work()
        assert receiver.event_ids()[3:] == [event_id]  # once


def test_the_sweeper_queues_a_resumed_delivery_whose_job_was_lost(rt, site, post, work, connection):
    with Receiver() as receiver:
        pause_endpoint(rt, site.site_id, receiver, post, work)
        post("Waits, then is resumed, then its job is lost.")
        work()
        event_id = newest_event(rt, site.site_id)
        receiver.status = 200
        assert resume_endpoint(rt, site.site_id) == 1
        [job_id] = queued_job_ids(connection)
        connection.lrem(QUEUE_KEY, 0, job_id)  # a worker died holding it

        assert sweep_stuck_deliveries(rt, now=time.time() + LONG_AFTER, settle=0) == [event_id]
        assert queued_job_ids(connection) == [job_id]
        work()
        assert receiver.event_ids()[3:] == [event_id]
        assert rt.deliveries.get(event_id)["state"] == "delivered"


def test_the_sweeper_does_not_queue_a_lost_job_of_a_delivery_resumed_since_it_looked(
    rt, site, post, work, connection, monkeypatch
):
    with Receiver() as receiver:
        pause_endpoint(rt, site.site_id, receiver, post, work)
        post("Its job is lost, then it is parked and resumed while the sweeper looks.")
        decide_only(connection)
        event_id = newest_event(rt, site.site_id)
        [lost_job_id] = queued_job_ids(connection)
        connection.lrem(QUEUE_KEY, 0, lost_job_id)  # a worker died holding it
        receiver.status = 200
        real_lost_jobs = recovery.lost_jobs

        def resumed_meanwhile(*args, **kwargs):
            lost = real_lost_jobs(*args, **kwargs)
            # Between the sweeper's look and its re-queue: a run of its job parks it, and a resume queues it anew.
            assert park_if_paused(rt, site.site_id, event_id, rt.deliveries.get(event_id)["event"])
            assert resume_endpoint(rt, site.site_id) == 1
            return lost

        monkeypatch.setattr(recovery, "lost_jobs", resumed_meanwhile)
        assert sweep_stuck_deliveries(rt, now=time.time() + LONG_AFTER, settle=0) == []
        monkeypatch.undo()

        [job_id] = queued_job_ids(connection)  # the resume's job alone, not the lost one beside it
        assert job_id == rt.deliveries.get(event_id)["job_id"] != lost_job_id
        work()
        assert receiver.event_ids().count(event_id) == 1
        assert rt.deliveries.get(event_id)["state"] == "delivered"
