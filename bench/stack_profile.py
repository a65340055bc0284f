"""Where one comment's time goes: an in-process SimpleWorker burst under cProfile, and RQ's no-op beside it.

Round trips are redis-py's `send_packed_command` calls (one per command, or one per pipeline);
commands are the server's INFO commandstats delta. Stages are cumulative times of the functions that
do that work, under the profiler (which slows Python code more than I/O; read them as shares).
"""

from __future__ import annotations

import cProfile
import pstats
import time
from dataclasses import dataclass

from redis import Redis
from rq import SimpleWorker

from bench.live_stack import BENCH_ENV
from bench.stack_pipeline import commands_total, queue_comments, queue_noops
from workers.config import Settings
from workers.queues import MODERATION_QUEUE
from workers.runtime import Runtime, using_runtime
from workers.worker import build_worker, warm_up

# (file suffix, function name) of the functions whose cumulative time is a stage.
REDIS_IO = (("redis/connection.py", "send_packed_command"), ("redis/connection.py", "read_response"))
CHECKS = (("workers/pipeline.py", "decide"),)
SERIALISATION = (
    ("json/__init__.py", "loads"),
    ("json/__init__.py", "dumps"),
    ("~", "<built-in method _pickle.loads>"),
    ("~", "<built-in method _pickle.dumps>"),
    ("~", "<built-in method zlib.compress>"),
    ("~", "<built-in method zlib.decompress>"),
)


@dataclass(frozen=True)
class Profile:
    """Per job: wall milliseconds under the profiler, each stage's milliseconds, round trips and commands."""

    jobs: int
    total_ms: float
    stages_ms: dict[str, float]
    round_trips: float
    commands: float


def _cumulative(stats: pstats.Stats, functions: tuple[tuple[str, str], ...]) -> tuple[float, int]:
    """Summed cumulative seconds and call counts of the named functions."""
    seconds, calls = 0.0, 0
    for (filename, _line, name), (_cc, ncalls, _tt, cumtime, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if any(filename.endswith(suffix) and name == wanted for suffix, wanted in functions):
            seconds += cumtime
            calls += ncalls
    return seconds, calls


def profile(url: str, count: int, ours: bool) -> Profile:
    """Queue `count` comments (or no-ops), then drain them in this process with a SimpleWorker under cProfile."""
    connection = Redis.from_url(url)
    connection.flushdb()
    settings = Settings.from_env({**BENCH_ENV, "REDIS_URL": url})
    rt = Runtime(connection, settings)
    if ours:
        queue_comments(rt, count)
        warm_up(rt)
    else:
        queue_noops(connection, count)
    worker = build_worker(connection, settings, SimpleWorker)  # type: ignore[arg-type]  # typed for Worker
    if not ours:
        worker.queues = [q for q in worker.queues if q.name == MODERATION_QUEUE]
    before = commands_total(connection)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    with using_runtime(rt):
        profiler.runcall(worker.work, burst=True, logging_level="WARNING")
    wall = time.perf_counter() - started
    commands = commands_total(connection) - before
    stats = pstats.Stats(profiler)
    redis_io, _ = _cumulative(stats, REDIS_IO)
    _, round_trips = _cumulative(stats, REDIS_IO[:1])
    checks, _ = _cumulative(stats, CHECKS)
    serialisation, _ = _cumulative(stats, SERIALISATION)
    stages = {"Redis I/O": redis_io, "checks": checks, "serialisation": serialisation}
    stages["other Python (RQ, our store)"] = wall - sum(stages.values())
    return Profile(
        count,
        wall * 1000 / count,
        {name: seconds * 1000 / count for name, seconds in stages.items()},
        round_trips / count,
        commands / count,
    )
