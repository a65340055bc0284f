"""No comment lost: a real worker SIGKILLed in each window where RQ alone would lose its job."""

from __future__ import annotations

import pytest
from rq.job import Job, JobStatus
from rq.queue import Queue

from tests.helpers.pausing_worker import PAUSED_KEY
from tests.helpers.processes import FAST_RECOVERY, kill_group, start_worker, stop_group, wait_for
from workers.models import Author, Client, Status
from workers.queues import ALL_QUEUES
from workers.submission import Submission, submit


def _in_no_queue(rt, job_id: str) -> bool:
    keys = [Queue(name, connection=rt.connection).key for name in ALL_QUEUES]
    return all(job_id.encode() not in rt.connection.lrange(key, 0, -1) for key in keys)


@pytest.mark.parametrize("window", ["popped", "registered"])
def test_a_worker_killed_where_rq_loses_the_job_leaves_the_comment_decided_once(rt, site, settings, window):
    policy = rt.sites.policy(site.site_id)
    accepted = submit(rt, site.site_id, policy, Submission("t", "hello", Author("Ada"), Client(ip="203.0.113.1")))
    # Default sweep settings here: its own sweeper must not re-queue the job before the kill.
    paused = start_worker(settings.redis_url, "tests/helpers/pausing_worker.py", {"PAUSE_AT": window})
    try:
        job_id = wait_for(lambda: rt.connection.get(PAUSED_KEY), timeout=60).decode()
    finally:
        kill_group(paused)
    # What RQ alone leaves behind: a job whose hash says queued, in no queue list, never run.
    assert Job.fetch(job_id, connection=rt.connection).get_status() is JobStatus.QUEUED
    assert _in_no_queue(rt, job_id)
    assert rt.comments.status_of(accepted.comment_id) is Status.QUEUED

    fresh = start_worker(settings.redis_url, "-m service worker", FAST_RECOVERY)
    try:
        wait_for(lambda: rt.comments.status_of(accepted.comment_id) is Status.PUBLISHED, timeout=120)
    finally:
        stop_group(fresh)
    audit = rt.comments.audit(accepted.comment_id)
    assert [(a["from"], a["to"]) for a in audit] == [("queued", "published")]
    events = [e for _, e in rt.comments.events_after(site.site_id, None, 100)]
    assert [e["comment"]["id"] for e in events] == [accepted.comment_id]
