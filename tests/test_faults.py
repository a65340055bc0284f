"""Faults: a check that always raises, a worker killed mid-job, Redis restarted, a job lost."""

from __future__ import annotations

import time

from redis import Redis
from rq.registry import StartedJobRegistry

from tests.helpers.processes import kill_group, start_worker, stop_group, wait_for
from workers import pipeline
from workers.config import Settings
from workers.embedded_redis import EmbeddedRedis
from workers.models import Author, Client, Status
from workers.pipeline_decision import pipeline_error_of, sweep_lost
from workers.queues import MODERATION_QUEUE
from workers.runtime import Runtime
from workers.submission import Submission, submit


def _submission(body: str = "hello") -> Submission:
    return Submission("t", body, Author("Ada", "ada@example.org"), Client(ip="203.0.113.1"))


def test_a_check_that_raises_on_every_try_holds_with_pipeline_error(post, work, client, auth, monkeypatch, rt):
    attempts = []

    def broken_check(comment, policy, context):
        attempts.append(comment.id)
        raise RuntimeError("classifier exploded")

    monkeypatch.setattr(pipeline, "CHECKS", (*pipeline.CHECKS, broken_check))
    response = post("an ordinary comment")
    work()
    resource = client.get(response.headers["Location"], headers=auth).get_json()
    assert len(attempts) == 3  # the first try and two retries (settings.moderation_retries)
    assert resource["status"] == "held"
    assert resource["reasons"] == ["pipeline_error"]
    error = pipeline_error_of(rt, resource["id"])
    assert "RuntimeError: classifier exploded" in error and "Traceback" in error
    assert [a["to"] for a in rt.comments.audit(resource["id"])] == ["held"]


def test_a_check_that_fails_once_is_retried_and_decides_normally(post, work, client, auth, monkeypatch):
    failures = []

    def flaky_check(comment, policy, context):
        if not failures:
            failures.append(1)
            raise ConnectionError("flaky")
        return pipeline.Verdict("flaky")

    monkeypatch.setattr(pipeline, "CHECKS", (*pipeline.CHECKS, flaky_check))
    response = post("another ordinary comment")
    work()
    assert client.get(response.headers["Location"], headers=auth).get_json()["status"] == "published"


# Shorter than the defaults so RQ finds the abandoned job within about a minute.
FAST_RQ = {
    "COMMENTGATE_WORKER_TTL": "10",
    "COMMENTGATE_MAINTENANCE_INTERVAL": "10",
    "COMMENTGATE_JOB_MONITORING_INTERVAL": "2",
    "COMMENTGATE_MODERATION_RETRIES": "1,1",
}


def test_a_worker_killed_mid_job_leaves_a_comment_decided_exactly_once(rt, site, settings):
    policy = rt.sites.policy(site.site_id)
    accepted = submit(rt, site.site_id, policy, _submission("SLOW-CHECK: the worker dies while this runs"))
    slow = start_worker(settings.redis_url, "tests/helpers/slow_worker.py", FAST_RQ)
    try:
        registry = StartedJobRegistry(MODERATION_QUEUE, connection=rt.connection)
        wait_for(lambda: rt.connection.zcard(registry.key), timeout=30)  # not get_job_ids: it cleans up
    finally:
        kill_group(slow)  # the worker and its work horse, mid-job
    assert rt.comments.status_of(accepted.comment_id) is Status.QUEUED

    fresh = start_worker(settings.redis_url, "-m service worker", FAST_RQ)
    try:
        # RQ finds the job abandoned about 60 s after its last heartbeat, at the next maintenance run.
        started = time.monotonic()
        wait_for(lambda: rt.comments.status_of(accepted.comment_id) is not Status.QUEUED, timeout=150)
        print(f"decided {time.monotonic() - started:.1f}s after a new worker started")
    finally:
        stop_group(fresh)
    audit = rt.comments.audit(accepted.comment_id)
    assert len(audit) == 1, audit
    events = [e for _, e in rt.comments.events_after(site.site_id, None, 100)]
    assert [e["comment"]["id"] for e in events] == [accepted.comment_id]
    assert audit[0]["to"] == rt.comments.status_of(accepted.comment_id).value


def test_a_queued_comment_survives_a_graceful_redis_restart(tmp_path, settings, use_runtime):
    server = EmbeddedRedis(tmp_path / "aof")
    server.start()
    try:
        own = Settings(**{**settings.__dict__, "redis_url": server.url})
        rt = Runtime(Redis.from_url(server.url), own)
        use_runtime(rt)
        site = rt.sites.create("restart")
        accepted = submit(rt, site.site_id, rt.sites.policy(site.site_id), _submission("survives a restart"))
        server.restart()
        connection = Redis.from_url(server.url)
        rt = Runtime(connection, own)
        use_runtime(rt)
        assert rt.comments.status_of(accepted.comment_id) is Status.QUEUED
        from rq import SimpleWorker

        SimpleWorker([MODERATION_QUEUE], connection=connection).work(burst=True)
        assert rt.comments.status_of(accepted.comment_id) is Status.PUBLISHED
    finally:
        server.stop()


def test_the_sweeper_requeues_a_comment_whose_job_was_lost(rt, site, work, connection):
    accepted = submit(rt, site.site_id, rt.sites.policy(site.site_id), _submission("lost job"))
    connection.delete(f"rq:queue:{MODERATION_QUEUE}", f"rq:job:moderate-{accepted.comment_id}")
    assert sweep_lost(rt, now=time.time()) == []  # too recent to be called lost
    assert sweep_lost(rt, now=time.time() + rt.settings.sweep_after + 1) == [accepted.comment_id]
    assert sweep_lost(rt, now=time.time() + rt.settings.sweep_after + 1) == []  # its new job is queued
    work()
    assert rt.comments.status_of(accepted.comment_id) is Status.PUBLISHED
