"""The sweeper against its races: a second sweeper, RQ's own clean-up, a job that cannot run, a skewed clock."""

from __future__ import annotations

import threading
import time

from click.testing import CliRunner
from rq import SimpleWorker
from rq.job import Job, JobStatus
from rq.queue import Queue
from rq.registry import StartedJobRegistry

from service.cli import main
from workers import jobs, moderation_reads, pipeline_decision, recovery, sweeper
from workers.models import Author, Client, Status
from workers.pipeline_decision import pipeline_error_of, sweep_lost
from workers.queues import MODERATION_QUEUE, WEBHOOK_QUEUE
from workers.recovery import sweep_stuck_deliveries
from workers.store import ATTEMPTS_FIELD, decode
from workers.submission import Submission, submit
from workers.sweeper import sweep_lock_key, sweep_once
from workers.worker import ModerationWorker, sweep_forever


def _submit(rt, site, body: str = "a comment") -> str:
    policy = rt.sites.policy(site.site_id)
    return submit(rt, site.site_id, policy, Submission("t", body, Author("Ada"), Client())).comment_id


def _later(rt) -> float:
    return time.time() + rt.settings.sweep_after + 1


def _queued_ids(connection, name: str) -> list[str]:
    return [decode(j) for j in connection.lrange(Queue(name, connection=connection).key, 0, -1)]


def _lose_moderation_job(connection, comment_id: str) -> None:
    connection.lrem(Queue(MODERATION_QUEUE, connection=connection).key, 0, f"moderate-{comment_id}")


def _pending_delivery(rt, site, connection) -> str:
    """A decided comment whose webhook delivery is `pending` and whose job is lost."""
    rt.sites.set_webhook(site.site_id, "http://127.0.0.1:9/hooks")
    _submit(rt, site)
    SimpleWorker([MODERATION_QUEUE], connection=connection).work(burst=True)
    connection.delete(Queue(WEBHOOK_QUEUE, connection=connection).key)
    (event_id,) = [decode(e) for e in connection.zrange(rt.keys.pending_deliveries(), 0, -1)]
    return event_id


def test_two_interleaved_sweeps_queue_one_job_for_a_lost_comment(rt, site, connection, work, monkeypatch):
    comment_id = _submit(rt, site)
    _lose_moderation_job(connection, comment_id)
    real_lost_jobs = pipeline_decision.lost_jobs
    second: list[list[str]] = []

    def other_sweeper_runs_meanwhile(*args, **kwargs):
        found = real_lost_jobs(*args, **kwargs)  # this sweep has read the lost job id...
        monkeypatch.setattr(pipeline_decision, "lost_jobs", real_lost_jobs)
        second.append(sweep_lost(rt, now=_later(rt), settle=0))  # ...and another sweep re-queues it first
        return found

    monkeypatch.setattr(pipeline_decision, "lost_jobs", other_sweeper_runs_meanwhile)
    first = sweep_lost(rt, now=_later(rt), settle=0)
    assert second == [[comment_id]]
    assert len(_queued_ids(connection, MODERATION_QUEUE)) == 1
    assert first == []
    assert int(connection.hget(rt.keys.comment(comment_id), "requeues")) == 1
    work()
    assert rt.comments.status_of(comment_id) is Status.PUBLISHED
    assert int(connection.hget(rt.keys.comment(comment_id), ATTEMPTS_FIELD)) == 1


def test_two_interleaved_sweeps_push_a_lost_delivery_once(rt, site, connection, monkeypatch):
    event_id = _pending_delivery(rt, site, connection)
    real_lost_jobs = recovery.lost_jobs
    second: list[list[str]] = []

    def other_sweeper_runs_meanwhile(*args, **kwargs):
        found = real_lost_jobs(*args, **kwargs)
        monkeypatch.setattr(recovery, "lost_jobs", real_lost_jobs)
        second.append(sweep_stuck_deliveries(rt, now=_later(rt), settle=0))
        return found

    monkeypatch.setattr(recovery, "lost_jobs", other_sweeper_runs_meanwhile)
    first = sweep_stuck_deliveries(rt, now=_later(rt), settle=0)
    assert second == [[event_id]]
    assert _queued_ids(connection, WEBHOOK_QUEUE) == [f"webhook-{event_id}"]
    assert first == []


def test_the_cli_sweep_waits_its_turn_while_a_worker_sweeps(rt, site, connection, settings, monkeypatch):
    comment_id = _submit(rt, site)
    _lose_moderation_job(connection, comment_id)
    connection.set(sweep_lock_key(rt), "a-worker's-token", ex=60)  # a worker is sweeping
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    monkeypatch.setattr(time, "time", lambda real=time.time: real() + settings.sweep_after + 1)
    result = CliRunner().invoke(main, ["sweep"])
    assert result.exit_code == 1 and "another sweep is running" in result.output
    assert _queued_ids(connection, MODERATION_QUEUE) == []
    assert connection.hget(rt.keys.comment(comment_id), "requeues") is None


def test_a_worker_releases_the_sweep_lock_when_its_sweep_ends(rt, connection):
    stop = threading.Event()
    stop.set()  # one sweep, then return
    sweep_forever(rt, stop)
    assert connection.exists(sweep_lock_key(rt)) == 0  # the CLI or another worker may sweep now


def _hold_fails(*args):
    raise ConnectionError("Redis went away just then")


def test_a_sweep_that_outlived_its_lock_leaves_the_next_holders_lock_alone(rt, connection, monkeypatch):
    def lock_lapses_and_another_sweeper_takes_it(*args, **kwargs):
        connection.set(sweep_lock_key(rt), "the-next-holder's-token", ex=60)
        return []

    monkeypatch.setattr(sweeper, "sweep_lost", lock_lapses_and_another_sweeper_takes_it)
    assert sweep_once(rt) is not None
    assert connection.get(sweep_lock_key(rt)) == b"the-next-holder's-token"


def test_a_comment_whose_job_cannot_run_is_held_after_bounded_requeues(rt, site, work, monkeypatch):
    monkeypatch.delattr(jobs, "moderate_comment")  # a deploy removed or broke the job's function
    monkeypatch.setattr(jobs, "hold_after_failure", _hold_fails)  # and the last failure is never recorded
    comment_id = _submit(rt, site)
    work()
    requeues = 0
    for _ in range(10):
        if rt.comments.status_of(comment_id) is not Status.QUEUED:
            break
        requeues += len(sweep_lost(rt, now=_later(rt), settle=0))
        work()
    budget = 1 + len(rt.settings.moderation_retries)
    assert rt.comments.status_of(comment_id) is Status.HELD
    assert requeues == budget
    assert rt.comments.get(comment_id).reasons == ("pipeline_error",)
    error = pipeline_error_of(rt, comment_id)
    assert f"re-queued {budget} times" in error and "moderate_comment" in error  # the job's own error, kept
    assert [(a["from"], a["to"]) for a in rt.comments.audit(comment_id)] == [("queued", "held")]


def test_a_try_that_fails_reading_the_comment_is_counted(rt, site, work, monkeypatch):
    comment_id = _submit(rt, site)

    def unreadable(fields):
        raise ValueError("the comment hash cannot be parsed")

    monkeypatch.setattr(moderation_reads, "comment_from_hash", unreadable)
    monkeypatch.setattr(jobs, "hold_after_failure", _hold_fails)
    work()
    monkeypatch.undo()
    assert rt.comments.status_of(comment_id) is Status.QUEUED
    assert int(rt.connection.hget(rt.keys.comment(comment_id), ATTEMPTS_FIELD)) == 3


def test_a_job_whose_wip_entry_expired_is_recovered_once_not_by_both_sweeper_and_rq(rt, site, connection, work):
    comment_id = _submit(rt, site)
    # A worker died in the middle of job A: started, out of the queue, its `wip` entry expired.
    queue = Queue(MODERATION_QUEUE, connection=connection)
    job = Job.fetch(f"moderate-{comment_id}", connection=connection)
    _lose_moderation_job(connection, comment_id)
    job.set_status(JobStatus.STARTED)
    connection.zadd(queue.started_job_registry.key, {f"{job.id}:dead-execution": time.time() - 1})
    assert sweep_lost(rt, now=_later(rt), settle=0) == [comment_id]
    StartedJobRegistry(queue=queue).cleanup()  # RQ's own recovery of a worker dead mid-job
    assert len(_queued_ids(connection, MODERATION_QUEUE)) == 1
    assert connection.zcard(queue.scheduled_job_registry.key) == 0
    work()
    assert rt.comments.status_of(comment_id) is Status.PUBLISHED
    assert int(connection.hget(rt.keys.comment(comment_id), ATTEMPTS_FIELD)) == 1


def test_a_running_job_is_not_called_lost_when_the_sweepers_clock_runs_ahead(rt, site, connection, monkeypatch):
    comment_id = _submit(rt, site)
    queue = Queue(MODERATION_QUEUE, connection=connection)
    _lose_moderation_job(connection, comment_id)
    seconds, _ = connection.time()
    # Running on a worker whose clock agrees with Redis: its `wip` entry lives 60 s more.
    connection.zadd(queue.started_job_registry.key, {f"moderate-{comment_id}:running": seconds + 60})
    monkeypatch.setattr(recovery.time, "time", lambda real=time.time: real() + 120)  # this host runs 2 min fast
    assert sweep_lost(rt, now=_later(rt), settle=0) == []
    assert _queued_ids(connection, MODERATION_QUEUE) == []


def _dying_horse(connection, event_id: str, status: JobStatus, wait_status: int) -> None:
    job = Job.fetch(f"webhook-{event_id}", connection=connection)
    job.set_status(status)
    worker = ModerationWorker([WEBHOOK_QUEUE], connection=connection)
    worker.handle_work_horse_killed(job, 4242, wait_status, None)


def test_a_horse_that_exits_non_zero_is_reported_by_its_exit_status(rt, site, connection):
    event_id = _pending_delivery(rt, site, connection)
    _dying_horse(connection, event_id, JobStatus.STARTED, 1 << 8)  # exit(1), no signal
    error = decode(connection.hget(rt.keys.delivery(event_id), "last_error"))
    assert "exit status 1" in error and "signal" not in error


def test_a_horse_that_ran_the_failure_callback_itself_is_not_counted_twice(rt, site, connection):
    event_id = _pending_delivery(rt, site, connection)
    # The horse recorded the failure (its retry is scheduled), then exited 1.
    _dying_horse(connection, event_id, JobStatus.SCHEDULED, 1 << 8)
    assert connection.get(rt.keys.webhook_streak(site.site_id)) is None
    assert connection.hget(rt.keys.delivery(event_id), "last_error") is None


def test_every_lost_delivery_is_found_a_page_at_a_time_with_the_lock_renewed_after_each(
    rt, site, connection, monkeypatch
):
    rt.sites.set_webhook(site.site_id, "http://127.0.0.1:9/hooks")
    for n in range(5):
        _submit(rt, site, f"comment {n}")
    SimpleWorker([MODERATION_QUEUE], connection=connection).work(burst=True)
    connection.delete(Queue(WEBHOOK_QUEUE, connection=connection).key)  # every delivery's job is lost
    pending = sorted(decode(e) for e in connection.zrange(rt.keys.pending_deliveries(), 0, -1))
    monkeypatch.setattr(recovery, "PAGE", 2)
    renewals = []
    swept = sweep_stuck_deliveries(rt, now=_later(rt), settle=0, renew=lambda: renewals.append(1))
    assert sorted(swept) == pending and len(pending) == 5
    assert sorted(_queued_ids(connection, WEBHOOK_QUEUE)) == [f"webhook-{e}" for e in pending]
    assert len(renewals) == 3
