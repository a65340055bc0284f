"""The worker class (COMMENTGATE_WORKER_CLASS): each one stops a stuck check at the job timeout and keeps serving."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from tests.conftest import snapshot
from tests.helpers.processes import FAST_RECOVERY, ROOT, kill_group, start_worker, stop_group, wait_for
from workers.models import Author, Client, Status
from workers.pipeline_decision import pipeline_error_of
from workers.runtime import Runtime
from workers.store import ATTEMPTS_FIELD
from workers.submission import Submission, submit

# A 2 s job timeout and no retries (the job carries them from the submission; the worker counts tries by them).
STUCK = {"COMMENTGATE_MODERATION_TIMEOUT": "2", "COMMENTGATE_MODERATION_RETRIES": ""}


def _submit(rt, site_id: str, body: str, ip: str = "203.0.113.9") -> str:
    policy = rt.sites.policy(site_id)
    return submit(rt, site_id, policy, Submission("t", body, Author("Ada"), Client(ip=ip))).comment_id


@pytest.mark.parametrize("worker_class", ["fork", "simple"])
def test_a_stuck_check_is_stopped_by_the_job_timeout_and_the_worker_serves_on(rt, site, settings, worker_class):
    rt = Runtime(rt.connection, dataclasses.replace(settings, moderation_timeout=2, moderation_retries=()))
    stuck = _submit(rt, site.site_id, "HANG-CHECK: this comment's checks never return")
    worker = start_worker(
        settings.redis_url, "tests/helpers/hanging_worker.py", {**STUCK, "COMMENTGATE_WORKER_CLASS": worker_class}
    )
    try:
        wait_for(lambda: rt.comments.status_of(stuck) is Status.HELD, timeout=60)
        clean = _submit(rt, site.site_id, "a clean comment submitted afterwards", ip="203.0.113.10")
        wait_for(lambda: rt.comments.status_of(clean) is Status.PUBLISHED, timeout=60)
        assert worker.poll() is None  # the same worker process decided it: it was not restarted
    finally:
        stop_group(worker)
    comment = rt.comments.get(stuck)
    assert comment is not None and comment.reasons == ("pipeline_error",)
    assert "JobTimeoutException" in pipeline_error_of(rt, stuck)
    assert [(a["from"], a["to"]) for a in rt.comments.audit(stuck)] == [("queued", "held")]


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (
            {"COMMENTGATE_WORKER_CLASS": "threads"},
            "COMMENTGATE_WORKER_CLASS must be one of fork, simple, not 'threads'",
        ),
        ({"COMMENTGATE_WORKER_MAX_JOBS": "-1"}, "COMMENTGATE_WORKER_MAX_JOBS must be 0 (no limit) or more, not -1"),
    ],
    ids=["unknown-class", "negative-job-limit"],
)
def test_a_bad_worker_setting_is_refused_and_changes_nothing(rt, site, settings, work, setting, message):
    queued = _submit(rt, site.site_id, "a comment no worker may take")
    before = snapshot(rt.connection)
    run = subprocess.run(
        [sys.executable, "-m", "service", "worker", "--burst"],
        env={"REDIS_URL": settings.redis_url, "PATH": "", **setting},
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode != 0
    assert message in run.stderr, run.stderr
    assert snapshot(rt.connection) == before
    assert rt.comments.status_of(queued) is Status.QUEUED
    work()  # a worker that may run takes it (and no job is left for a later test)
    assert rt.comments.status_of(queued) is Status.PUBLISHED


def test_a_worker_with_a_job_limit_exits_after_it_for_a_supervisor_to_restart(rt, site, settings, work):
    comment_ids = [_submit(rt, site.site_id, f"comment number {n}", ip=f"203.0.113.{20 + n}") for n in range(3)]
    worker = start_worker(
        settings.redis_url,
        "-m service worker",
        {"COMMENTGATE_WORKER_CLASS": "simple", "COMMENTGATE_WORKER_MAX_JOBS": "2"},
    )
    try:
        assert wait_for(lambda: worker.poll() is not None, timeout=60)  # it exited by itself, not when stopped
    finally:
        if worker.poll() is None:
            stop_group(worker)
    assert worker.returncode == 0
    statuses = [rt.comments.status_of(c) for c in comment_ids]
    assert statuses == [Status.PUBLISHED, Status.PUBLISHED, Status.QUEUED]  # the third waits for the next worker
    work()  # the next worker
    assert rt.comments.status_of(comment_ids[2]) is Status.PUBLISHED


def test_a_simple_worker_killed_mid_job_leaves_the_comment_decided_once_by_the_next(rt, site, settings):
    # A 5 s job timeout: a SimpleWorker's job stays in RQ's work-in-progress registry for its timeout plus 60 s.
    rt = Runtime(rt.connection, dataclasses.replace(settings, moderation_timeout=5))
    comment_id = _submit(rt, site.site_id, "SLOW-CHECK: the worker dies while this is being checked")
    slow = start_worker(settings.redis_url, "tests/helpers/slow_worker.py", {"COMMENTGATE_WORKER_CLASS": "simple"})
    try:
        wait_for(lambda: rt.connection.hget(rt.keys.comment(comment_id), ATTEMPTS_FIELD), timeout=60)  # mid-job
    finally:
        kill_group(slow)  # the job ran in the worker process itself: nothing of it is left to record the failure
    assert rt.comments.status_of(comment_id) is Status.QUEUED
    fresh = start_worker(
        settings.redis_url, "-m service worker", {**FAST_RECOVERY, "COMMENTGATE_WORKER_CLASS": "simple"}
    )
    try:
        wait_for(lambda: rt.comments.status_of(comment_id) is Status.PUBLISHED, timeout=180)
    finally:
        stop_group(fresh)
    assert [(a["from"], a["to"]) for a in rt.comments.audit(comment_id)] == [("queued", "published")]
    events = [e["comment"]["id"] for _, e in rt.comments.events_after(site.site_id, None, 100)]
    assert events == [comment_id]
