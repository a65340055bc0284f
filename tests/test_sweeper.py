"""The sweeper: every lost comment and every stuck delivery is found again, and nothing loops for ever."""

from __future__ import annotations

import dataclasses
import time

from rq import SimpleWorker
from rq.queue import Queue

from tests.helpers.receiver import Receiver
from workers import jobs, pipeline
from workers.models import Author, Client, Status
from workers.pipeline_decision import pipeline_error_of, sweep_lost
from workers.policy import Policy
from workers.queues import MODERATION_QUEUE, WEBHOOK_QUEUE
from workers.recovery import sweep_stuck_deliveries
from workers.runtime import Runtime
from workers.store import decode
from workers.submission import Submission, submit


def _submit(rt, site, n: int) -> list[str]:
    policy = rt.sites.policy(site.site_id)
    return [
        submit(rt, site.site_id, policy, Submission("t", f"comment {i}", Author(f"R{i}"), Client())).comment_id
        for i in range(n)
    ]


def test_the_sweeper_finds_every_lost_comment_not_only_the_oldest_page(rt, site, work, connection, use_runtime):
    # More comments than one page, from one site: its limits and the operator's ceilings are lifted.
    rt = Runtime(connection, dataclasses.replace(rt.settings, ceiling_submit_burst=0, ceiling_max_queued_comments=0))
    use_runtime(rt)
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=0, submit_burst=0, max_queued_comments=0))
    ids = _submit(rt, site, 1203)
    # Every job lost, list and hash (as when Redis lost them but not the comments).
    connection.delete(Queue(MODERATION_QUEUE, connection=connection).key, *(f"rq:job:moderate-{i}" for i in ids))
    later = time.time() + rt.settings.sweep_after + 1
    assert sorted(sweep_lost(rt, now=later)) == sorted(ids)
    work()
    assert Status.QUEUED not in {rt.comments.status_of(i) for i in ids}
    assert all(len(rt.comments.audit(i)) == 1 for i in ids)


def test_a_comment_whose_tries_are_spent_is_held_not_given_fresh_retries(rt, site, work, monkeypatch):
    tries = []

    def broken_check(comment, policy, context):
        tries.append(comment.id)
        raise RuntimeError("classifier exploded")

    def hold_fails(*args):
        raise ConnectionError("Redis went away just then")

    monkeypatch.setattr(pipeline, "CHECKS", (*pipeline.CHECKS, broken_check))
    (comment_id,) = _submit(rt, site, 1)
    with monkeypatch.context() as m:
        m.setattr(jobs, "hold_after_failure", hold_fails)  # the last failure is never recorded
        work()
    assert len(tries) == 3 and rt.comments.status_of(comment_id) is Status.QUEUED
    assert sweep_lost(rt, now=time.time() + rt.settings.sweep_after + 1) == [comment_id]  # its job failed
    work()
    assert len(tries) == 3  # no fresh set of tries for the re-queued job
    assert rt.comments.status_of(comment_id) is Status.HELD
    assert rt.comments.get(comment_id).reasons == ("pipeline_error",)
    assert "3 tries" in pipeline_error_of(rt, comment_id)
    assert [(a["from"], a["to"]) for a in rt.comments.audit(comment_id)] == [("queued", "held")]


def test_a_delivery_whose_job_was_lost_is_queued_again_and_delivered_once(rt, site, connection):
    with Receiver() as receiver:
        rt.sites.set_webhook(site.site_id, receiver.url)
        receiver.secret = rt.sites.get(site.site_id).webhook_secret
        (comment_id,) = _submit(rt, site, 1)
        SimpleWorker([MODERATION_QUEUE], connection=connection).work(burst=True)
        connection.delete(Queue(WEBHOOK_QUEUE, connection=connection).key)  # the delivery's job is lost
        (event_id,) = [decode(e) for e in connection.zrange(rt.keys.pending_deliveries(), 0, -1)]
        assert sweep_stuck_deliveries(rt, now=time.time()) == []  # too recent to be called lost
        assert sweep_stuck_deliveries(rt, now=time.time() + rt.settings.sweep_after + 1) == [event_id]
        assert sweep_stuck_deliveries(rt, now=time.time() + rt.settings.sweep_after + 1) == []  # queued now
        SimpleWorker([WEBHOOK_QUEUE], connection=connection).work(burst=True)
        assert receiver.event_ids() == [event_id]
    assert decode(connection.hget(rt.keys.delivery(event_id), "state")) == "delivered"
    assert connection.zcard(rt.keys.pending_deliveries()) == 0
    assert rt.comments.status_of(comment_id) is Status.PUBLISHED


def test_a_comment_whose_job_waits_to_retry_is_left_alone(connection, settings, site, monkeypatch, use_runtime):
    patient = Runtime(connection, dataclasses.replace(settings, moderation_retries=(3600,)))
    use_runtime(patient)

    def failing_check(comment, policy, context):
        raise ConnectionError("a blip")

    monkeypatch.setattr(pipeline, "CHECKS", (*pipeline.CHECKS, failing_check))
    (comment_id,) = _submit(patient, site, 1)
    SimpleWorker([MODERATION_QUEUE], connection=connection).work(burst=True)
    scheduled = Queue(MODERATION_QUEUE, connection=connection).scheduled_job_registry.key
    assert connection.zrange(scheduled, 0, -1) == [f"moderate-{comment_id}".encode()]
    assert sweep_lost(patient, now=time.time() + patient.settings.sweep_after + 1) == []
    assert connection.zrange(scheduled, 0, -1) == [f"moderate-{comment_id}".encode()]
    assert connection.llen(Queue(MODERATION_QUEUE, connection=connection).key) == 0  # no second job
