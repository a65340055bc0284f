"""Ingest: `POST /api/v1/comments` on `commentgate web` against a bare Flask 202 under the same gunicorn.

Saturation from wrk (2 threads, 32 connections, bench/bench_web.py's runner and script); then latency at
half our saturated rate from bench/fixed_rate.py in its own process, against both apps at that same rate.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redis import Redis

from bench.bench_web import WrkRun, post_script, run_wrk
from bench.live_stack import BENCH_ENV
from bench.stack_memory import RssAtCounts
from bench.stack_processes import BARE, OURS, Served, children, cpu_seconds, fixed_rate, gunicorn, percentile
from workers.config import Settings
from workers.policy import Policy
from workers.runtime import Runtime

TOP_UP_SECONDS_MAX = 60


@dataclass(frozen=True)
class AtRate:
    """A fixed-rate run: offered rate, p50 and p99 from each request's due time, answers, generator CPU share."""

    rate: float
    p50_ms: float | None
    p99_ms: float | None
    statuses: dict[str, int]
    cpu_share: float

    @classmethod
    def of(cls, rate: float, answer: dict[str, Any]) -> AtRate:
        latencies = answer["latencies_ms"]
        share = answer["cpu_seconds"] / answer["wall_seconds"]
        return cls(rate, percentile(latencies, 0.5), percentile(latencies, 0.99), answer["statuses"], share)


@dataclass(frozen=True)
class Ingest:
    saturated: WrkRun
    server_cpu_ms: float  # the gunicorn workers' CPU time per request answered, at saturation
    half: AtRate
    rss_at: dict[int, float]  # the larger gunicorn worker's RSS once this many comments were stored
    rss_end: float | None  # and after both runs


def _site(url: str) -> tuple[Runtime, str, str]:
    """A fresh store with one site whose own limits are off (BENCH_ENV lifts the operator's ceilings)."""
    connection = Redis.from_url(url)
    connection.flushdb()
    rt = Runtime(connection, Settings.from_env({**BENCH_ENV, "REDIS_URL": url}))
    site = rt.sites.create("bench")
    # Flood control stays at its default (15 s per IP and e-mail): every request has its own of both.
    rt.sites.set_policy(site.site_id, Policy(submit_burst=0, max_queued_comments=0))
    return rt, site.site_id, site.key


def top_up(rt: Runtime, served: Served, script: Path, key: str, per_second: float, stored: int) -> None:
    """More wrk load until the web processes have `stored` comments (for their memory then), a minute at most."""
    script.write_text(post_script(key, first_octet=11))  # other IPs and e-mails than the first run's
    deadline = time.monotonic() + TOP_UP_SECONDS_MAX
    while (missing := stored - int(rt.connection.zcard(rt.keys.queued()))) > 0:
        left = deadline - time.monotonic()
        if left < 1:
            return
        run_wrk(served.base, int(min(left, missing / max(per_second, 1) * 1.2 + 1)), script)


def measure(url: str, app: str, seconds: int, half_rate: float | None = None, stored: int = 0) -> Ingest:
    """Saturate `app` with wrk, offer `half_rate` (default: half of what wrk reached) at a fixed rate, then
    (with `stored`) go on with wrk until that many comments are stored, for the memory at a tenth, half and all."""
    rt, _site_id, key = _site(url)
    env = {**BENCH_ENV, "REDIS_URL": url}
    with tempfile.TemporaryDirectory() as tmp, gunicorn(app, env) as served:
        script = Path(tmp) / "post.lua"
        script.write_text(post_script(key, first_octet=10))
        # No worker runs: every accepted comment stays queued, so the queued index counts what was stored.
        sampler = RssAtCounts(
            count=lambda: int(rt.connection.zcard(rt.keys.queued())),
            watched=lambda: children(served.master),
            marks=(stored // 10, stored // 2, stored) if stored else (),
            every=0.05,
        )
        sampler.start()
        try:
            workers = children(served.master)
            cpu_before = cpu_seconds(workers)
            saturated = run_wrk(served.base, seconds, script)
            server_cpu_ms = (cpu_seconds(workers) - cpu_before) * 1000 / max(saturated.requests, 1)
            rate = half_rate or saturated.requests_per_second / 2
            answer = fixed_rate(port=served.port, key=key, rate=rate, seconds=seconds, first_octet=20)
            if stored:
                top_up(rt, served, script, key, saturated.requests_per_second, stored)
        finally:
            sampler.finish()
    return Ingest(saturated, server_cpu_ms, AtRate.of(rate, answer), dict(sampler.at_mark), sampler.last)


def ingest(url: str, seconds: int, stored: int) -> tuple[Ingest, Ingest]:
    """Ours, then the bare app: saturated, and at half of OUR saturated rate (so their latencies compare)."""
    ours = measure(url, OURS, seconds, stored=stored)
    bare = measure(url, BARE, seconds, half_rate=ours.half.rate)
    return ours, bare
