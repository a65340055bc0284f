"""One worker process draining N queued comments, against RQ's own worker draining N no-op jobs.

Both run in burst mode as separate processes on the same server and queue. The rate is taken from
the jobs' own start and end times (RQ records them), so process start-up and exit are not counted.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from itertools import cycle
from pathlib import Path

from redis import Redis
from rq import Queue
from rq.job import Job

from bench.common import TRAIN_FILES, youtube_rows
from bench.live_stack import BENCH_ENV
from bench.stack_memory import RssAtCounts
from bench.stack_processes import ROOT
from bench.stack_worker import RQ_CLASSES
from workers.config import Settings
from workers.models import Author, Client
from workers.policy import Policy
from workers.queues import MODERATION_QUEUE
from workers.runtime import Runtime
from workers.submission import Submission, submit

RQ_CLI = Path(sys.executable).with_name("rq")


@dataclass(frozen=True)
class Drain:
    """What draining N jobs with one worker process measured."""

    jobs: int
    per_second: float
    commands_per_job: float
    rss_at: dict[int, float]  # the worker process's RSS once this many jobs were done
    largest_fork_mb: float | None


def comment_bodies() -> cycle[str]:
    """Real comments (the YouTube training files, spam and not), so every check does its usual work."""
    return cycle([text for name in TRAIN_FILES for text, _label in youtube_rows(name)])


def queue_comments(rt: Runtime, count: int) -> list[str]:
    """`count` comments through the submission path (`workers.submission.submit`, as the API calls it); their job ids.

    Each from its own reader and IP, so flood control (on, at its default) refuses none; the site's own
    limits are off and the runtime's settings carry BENCH_ENV (no operator ceilings).
    """
    site = rt.sites.create("bench")
    policy = Policy(submit_burst=0, max_queued_comments=0)
    rt.sites.set_policy(site.site_id, policy)
    bodies = comment_bodies()
    comment_ids = []
    for n in range(count):
        submission = Submission(
            thread_id=f"bench/{n % 50}",
            body=f"{next(bodies)} ({n})",  # numbered, so the duplicate rule does not reject a repeated text early
            author=Author(name=f"Reader {n}", email=f"reader{n}@example.org"),
            client=Client(ip=f"198.18.{n // 250 % 250}.{n % 250 + 1}"),
        )
        comment_ids.append(submit(rt, site.site_id, policy, submission).comment_id)
    return [
        job_id
        for start in range(0, count, 1000)
        for job_id in rt.comments.recorded_jobs(comment_ids[start : start + 1000])
    ]


def queue_noops(connection: Redis, count: int) -> list[str]:
    """`count` no-op jobs on the same queue name, kept after they finish (as ours are) so their times can be read."""
    queue = Queue(MODERATION_QUEUE, connection=connection)
    job_ids: list[str] = []
    for start in range(0, count, 500):
        batch = [Queue.prepare_data("bench.noop_job.noop", result_ttl=600) for _ in range(min(500, count - start))]
        job_ids += [job.id for job in queue.enqueue_many(batch)]
    return job_ids


def jobs_per_second(connection: Redis, job_ids: list[str]) -> float:
    """Finished jobs over the time from the first one's start to the last one's end."""
    starts, ends = [], []
    for start in range(0, len(job_ids), 1000):
        for job in Job.fetch_many(job_ids[start : start + 1000], connection=connection):
            if job is not None and job.started_at and job.ended_at:
                starts.append(job.started_at)
                ends.append(job.ended_at)
    span = (max(ends) - min(starts)).total_seconds()
    return len(ends) / span if span > 0 else 0.0


def commands_total(connection: Redis) -> int:
    return sum(int(stats["calls"]) for stats in connection.info("commandstats").values())


def drain(url: str, kind: str, count: int, ours: bool, marks: tuple[int, ...] = ()) -> Drain:
    """Queue `count` jobs (our comments, or RQ no-ops), drain them with one burst worker process of `kind`."""
    connection = Redis.from_url(url)
    connection.flushdb()
    rt = Runtime(connection, Settings.from_env({**BENCH_ENV, "REDIS_URL": url}))
    job_ids = queue_comments(rt, count) if ours else queue_noops(connection, count)
    if ours:
        command = [sys.executable, "-m", "bench.stack_worker", kind]
    else:
        command = [str(RQ_CLI), "worker", "--burst", "--url", url, "-w", RQ_CLASSES[kind], MODERATION_QUEUE]
    queue = Queue(MODERATION_QUEUE, connection=connection)
    before = commands_total(connection)
    env = {**os.environ, **BENCH_ENV, "REDIS_URL": url}
    out = subprocess.DEVNULL
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    finished_key = queue.finished_job_registry.key
    polls = [0]

    def finished() -> int:
        """Jobs done so far: one ZCARD, counted so its calls come off the server's command count."""
        polls[0] += 1
        return int(connection.zcard(finished_key))

    sampler = RssAtCounts(
        count=finished,
        watched=lambda: [process.pid],
        marks=marks,
        forks_of=process.pid if kind == "fork" else None,
    )
    sampler.start()
    try:
        process.wait(timeout=900)
    finally:
        sampler.finish()
        if process.poll() is None:
            process.kill()
            process.wait()
    commands = commands_total(connection) - before - polls[0]
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {process.returncode}")
    rss_at = {**sampler.at_mark, count: sampler.at_mark.get(count, sampler.last or 0.0)}
    return Drain(count, jobs_per_second(connection, job_ids), commands / count, rss_at, sampler.largest_fork())
