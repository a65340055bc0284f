"""One worker process's moderation rate against RQ's own no-op job rate (same worker class, same server).

N comments are stored and queued as a submission does, then one `commentgate worker --burst` drains
them; the rate is taken from the jobs' own start and end times (process start-up is not counted).
RQ's `rq worker --burst` drains N no-op jobs the same way. Also prints the Redis commands and round
trips per comment (INFO commandstats deltas; round trips counted as MULTI...EXEC blocks plus the
commands outside them, from MONITOR of the moderation jobs alone).

    .venv/bin/python bench/bench_pipeline_quick.py [--n 2000] [--class both|fork|simple]
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from redis import Redis
from redis.connection import Connection
from rq import Queue, SimpleWorker
from rq.job import Job

from bench.common import private_redis, store_queued
from workers.config import Settings
from workers.queues import ALL_QUEUES
from workers.runtime import Runtime, using_runtime
from workers.sites import SiteStore

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CLASSES = {"fork": "rq.worker.Worker", "simple": "rq.worker.SimpleWorker"}
BODIES = [
    "A thoughtful comment about the article, with a point or two.",
    "I disagree with the author; the figures in the third paragraph do not add up.",
    "Great reporting. Thanks for covering the council meeting.",
    "What the hell is this decision, honestly.",
]


def url_of(r: Redis) -> str:
    kw = r.connection_pool.connection_kwargs
    return f"redis://:{kw['password']}@{kw['host']}:{kw['port']}/0"


def commandstats(r: Redis) -> dict[str, int]:
    stats = r.info("commandstats")
    return {name: int(v["calls"]) for name, v in stats.items()}


def total(stats: dict[str, int]) -> int:
    return sum(stats.values())


def queue_comments(r: Redis, url: str, n: int, webhook: bool) -> tuple[Runtime, list[str]]:
    settings = Settings(redis_url=url)
    rt = Runtime(r, settings)
    site = SiteStore(r, rt.keys).create("bench", webhook_url="http://127.0.0.1:9/hook" if webhook else "")
    job_ids = []
    for i in range(n):
        comment_id = store_queued(rt, site.site_id, f"thread-{i % 50}", BODIES[i % len(BODIES)] + f" #{i}", i)
        job = rt.queues.enqueue_moderation(comment_id, site_id=site.site_id)
        job_ids.append(job.id)
    return rt, job_ids


def drain_rate(r: Redis, job_ids: list[str]) -> float:
    jobs = [j for j in Job.fetch_many(job_ids, connection=r) if j is not None]
    starts = [j.started_at for j in jobs if j.started_at]
    ends = [j.ended_at for j in jobs if j.ended_at]
    span = (max(ends) - min(starts)).total_seconds()
    return (len(ends) - 1) / span


def run(cmd: list[str], url: str, extra_env: dict[str, str] | None = None) -> float:
    """Run the worker to the end; returns the CPU seconds it and its work horses used."""
    env = {**os.environ, "REDIS_URL": url, "COMMENTGATE_LOG_FORMAT": "text", **(extra_env or {})}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def round_trips(r: Redis, job_ids: list[str], queues: list[str]) -> tuple[float, float]:
    """Commands and round trips per job, for the jobs run in this process by a SimpleWorker."""
    sends = [0]
    original = Connection.send_packed_command

    def counted(self: Connection, command: object, check_health: bool = True) -> None:
        sends[0] += 1
        original(self, command, check_health)

    Connection.send_packed_command = counted  # type: ignore[method-assign]
    before = commandstats(r)
    try:
        SimpleWorker(queues, connection=r).work(burst=True, with_scheduler=False)
    finally:
        Connection.send_packed_command = original  # type: ignore[method-assign]
    after = commandstats(r)
    return (total(after) - total(before) - 2) / len(job_ids), sends[0] / len(job_ids)


def measure_ours(worker_class: str, n: int, webhook: bool) -> dict[str, float]:
    """One `commentgate worker --burst` process drains n queued comments."""
    with private_redis() as r:
        url = url_of(r)
        _, job_ids = queue_comments(r, url, n, webhook)
        cpu = run([str(BIN / "commentgate"), "worker", "--burst"], url, {"COMMENTGATE_WORKER_CLASS": worker_class})
        decided = sum(1 for j in Job.fetch_many(job_ids, connection=r) if j and j.get_status() == "finished")
        return {"rate": drain_rate(r, job_ids), "decided": decided, "cpu_ms": cpu / n * 1000}


def measure_noop(worker_class: str, n: int) -> dict[str, float]:
    """RQ's own `rq worker --burst` drains n no-op jobs."""
    with private_redis() as r:
        url = url_of(r)
        q = Queue("noop", connection=r)
        job_ids = [q.enqueue("os.getpid", result_ttl=600).id for _ in range(n)]
        cpu = run([str(BIN / "rq"), "worker", "--burst", "-w", CLASSES[worker_class], "--url", url, "noop"], url)
        return {"rate": drain_rate(r, job_ids), "cpu_ms": cpu / n * 1000}


def measure_our_worker_noop(worker_class: str, n: int) -> dict[str, float]:
    """`commentgate worker --burst` drains n of RQ's no-op jobs: our worker process's own cost, without our job."""
    with private_redis() as r:
        url = url_of(r)
        q = Queue(ALL_QUEUES[0], connection=r)
        job_ids = [q.enqueue("os.getpid", result_ttl=600).id for _ in range(n)]
        cpu = run([str(BIN / "commentgate"), "worker", "--burst"], url, {"COMMENTGATE_WORKER_CLASS": worker_class})
        return {"rate": drain_rate(r, job_ids), "cpu_ms": cpu / n * 1000}


def in_process(n: int, webhook: bool) -> None:
    """Our SimpleWorker class in this process, our jobs against RQ's no-op: wall and CPU per job, no start-up."""
    from workers.worker import ModerationSimpleWorker, warm_up, worker_connection

    figures = {}
    for kind in ("rq no-op", "ours"):
        with private_redis() as r:
            settings = Settings(redis_url=url_of(r))
            connection = worker_connection(settings)
            rt = Runtime(connection, settings)
            warm_up(rt)
            if kind == "ours":
                queue_comments(r, url_of(r), n, webhook)
                queues = list(ALL_QUEUES)
            else:
                q = Queue("noop", connection=r)
                for _ in range(n):
                    q.enqueue("os.getpid", result_ttl=600)
                queues = ["noop"]
            worker = ModerationSimpleWorker(queues, connection=connection)
            wall, cpu = time.perf_counter(), time.process_time()
            with using_runtime(rt):
                worker.work(burst=True, with_scheduler=False)
            figures[kind] = ((time.perf_counter() - wall) / n * 1000, (time.process_time() - cpu) / n * 1000)
            print(f"{kind:9} {figures[kind][0]:.2f} ms wall, {figures[kind][1]:.2f} ms CPU per job", flush=True)
    print(f"ratio (wall) {figures['rq no-op'][0] / figures['ours'][0]:.2f}")


def profile(n: int, webhook: bool) -> None:
    """Commands and round trips per job, ours and RQ's no-op, run by a SimpleWorker in this process."""
    with private_redis() as r:
        rt, job_ids = queue_comments(r, url_of(r), n, webhook)
        with using_runtime(rt):
            commands, trips = round_trips(r, job_ids, list(ALL_QUEUES))
        print(f"ours:      {commands:.1f} commands in {trips:.1f} round trips per comment (RQ's included)")
    with private_redis() as r:
        q = Queue("noop", connection=r)
        job_ids = [q.enqueue("os.getpid", result_ttl=600).id for _ in range(n)]
        commands, trips = round_trips(r, job_ids, ["noop"])
        print(f"rq no-op:  {commands:.1f} commands in {trips:.1f} round trips per job")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--class", dest="cls", default="both", choices=["both", "fork", "simple"])
    parser.add_argument("--webhook", action="store_true")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--our-worker-noop", action="store_true")
    parser.add_argument("--in-process", action="store_true")
    args = parser.parse_args()
    logging.disable(logging.INFO)
    if args.in_process:
        in_process(args.n, args.webhook)
        return
    if args.profile:
        profile(min(args.n, 500), args.webhook)
        return
    classes = list(CLASSES) if args.cls == "both" else [args.cls]
    for name in classes:
        for _ in range(args.repeat):
            noop = measure_noop(name, args.n)
            ours = measure_ours(name, args.n, args.webhook)
            if args.our_worker_noop:
                ours_noop = measure_our_worker_noop(name, args.n)
                rate, cpu = ours_noop["rate"], ours_noop["cpu_ms"]
                print(f"{name:6} our worker, no-op job {rate:7.1f}/s ({cpu:.2f} ms CPU/job)")
            print(
                f"{name:6} ours {ours['rate']:7.1f}/s ({ours['decided']}/{args.n} decided, "
                f"{ours['cpu_ms']:.2f} ms CPU/comment)  rq no-op {noop['rate']:7.1f}/s "
                f"({noop['cpu_ms']:.2f} ms CPU/job)  ratio {ours['rate'] / noop['rate']:.2f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
