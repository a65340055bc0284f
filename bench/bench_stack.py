"""What one machine carries, each stage against the ceiling beneath it, in one run; written to BENCHMARKS.md.

    python -m bench.bench_stack            # the full run (about 5 minutes), writes BENCHMARKS.md
    python -m bench.bench_stack --quick    # small counts and short runs, prints only

Needs `wrk` (Debian: `apt-get install wrk`; `make bench` installs it).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from redis import Redis

from bench.machine import calibration, describe
from bench.stack_end_to_end import end_to_end
from bench.stack_ingest import ingest
from bench.stack_pipeline import drain
from bench.stack_profanity import profanity_rows
from bench.stack_profile import profile
from bench.stack_report import report
from bench.stack_rows import PipelineRun, end_to_end_rows, ingest_rows, memory_rows, pipeline_rows
from bench.stack_table import Row, markdown
from bench.stack_worker import kind_of, shipped_class
from workers.embedded_redis import EmbeddedRedis

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Sizes:
    """How much each part runs: the full run, or --quick for trying the script out."""

    ingest_seconds: int
    web_stored: int  # comments the web processes store before their memory is read (at a tenth, half, all)
    fork_jobs: int
    simple_jobs: int  # also the memory run: RSS at a tenth, half and all of it
    simple_noop_jobs: int  # RQ's forking no-op drains as many as our forking worker
    profile_jobs: int
    end_to_end_seconds: int
    profanity_rounds: int


FULL = Sizes(8, 10_000, 300, 10_000, 2_000, 300, 20, 15)
QUICK = Sizes(3, 1_000, 100, 600, 300, 100, 6, 5)
END_TO_END_RATE = 100.0


def step(name: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {name}", file=sys.stderr, flush=True)


def measure(url: str, sizes: Sizes) -> list[Row]:
    """Every part of the table, one after another on the same server."""
    step("ingest: wrk and the fixed-rate client against commentgate web, then the bare Flask app")
    web, bare_web = ingest(url, sizes.ingest_seconds, sizes.web_stored)
    shipped = kind_of(shipped_class())
    runs = []
    for kind, jobs, noops in (
        ("fork", sizes.fork_jobs, sizes.fork_jobs),
        ("simple", sizes.simple_jobs, sizes.simple_noop_jobs),
    ):
        step(f"pipeline: {jobs:,} comments, then {noops:,} no-ops, one {kind} worker")
        ours = drain(url, kind, jobs, ours=True, marks=(jobs // 10, jobs // 2, jobs))
        noop = drain(url, kind, noops, ours=False, marks=(noops,))
        runs.append(PipelineRun(kind, ours, noop, shipped=kind == shipped))
    step(f"profile: {sizes.profile_jobs} comments and no-ops in an in-process SimpleWorker under cProfile")
    profile_ours, profile_noop = profile(url, sizes.profile_jobs, ours=True), profile(url, sizes.profile_jobs, False)
    e2e = []
    for kind in (shipped, *(k for k in ("fork", "simple") if k != shipped)):
        step(f"end to end: {END_TO_END_RATE:.0f} comments/s for {sizes.end_to_end_seconds} s, 2 {kind} workers")
        e2e += end_to_end_rows(end_to_end(url, END_TO_END_RATE, sizes.end_to_end_seconds, kind), kind == shipped)
    step("profanity: ours against better-profanity")
    return [
        *ingest_rows(web, bare_web),
        *pipeline_rows(runs, profile_ours, profile_noop),
        *e2e,
        *memory_rows(web, bare_web, runs),
        *profanity_rows(sizes.profanity_rounds),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small counts, short runs; BENCHMARKS.md untouched")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    sizes = QUICK if args.quick else FULL
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        server = EmbeddedRedis(Path(tmp) / "redis")
        server.start()
        try:
            machine = describe(Redis.from_url(server.url))
            before = calibration()
            rows = measure(server.url, sizes)
            ops = (before, calibration())
        finally:
            server.stop()
    minutes = (time.monotonic() - started) / 60
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"{when}; {machine}; calibration {ops[0]:,.0f} → {ops[1]:,.0f} loop iterations/s; {minutes:.1f} min\n")
    print(markdown(rows))
    if not args.quick:
        args.output.write_text(report(rows, when, machine, ops, minutes))
        print(f"\nwritten to {args.output}")


if __name__ == "__main__":
    main()
