"""End to end: submit → decision in the site's events feed, at a fixed offered rate, with 2 worker processes."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from rq import Worker

from bench.live_stack import live_stack
from bench.stack_processes import fixed_rate, percentile
from workers.policy import Policy

WORKERS = 2


@dataclass(frozen=True)
class EndToEnd:
    kind: str  # the workers' class: fork | simple
    rate: float
    submitted_p50_ms: float | None  # due → 202 answered
    submitted_p99_ms: float | None
    decided_p50_ms: float | None  # due → decision first seen in the events feed
    decided_p99_ms: float | None
    accepted: int
    decided: int
    statuses: dict[str, int]
    cpu_share: float


def end_to_end(url: str, rate: float, seconds: int, kind: str) -> EndToEnd:
    """`commentgate web` (2 processes) and 2 `commentgate worker` of class `kind`; the load generator follows the
    events feed."""
    with live_stack(web_processes=2, workers=WORKERS, redis_url=url, worker_class=kind) as stack:
        site = stack.rt.sites.create("bench")
        # Flood control at its default (15 s per IP and e-mail; every comment has its own); the site's own
        # bucket and queued cap off, as BENCH_ENV lifts the operator's ceilings on them.
        stack.rt.sites.set_policy(site.site_id, Policy(submit_burst=0, max_queued_comments=0))
        deadline = time.monotonic() + 60
        while len(Worker.all(connection=stack.rt.connection)) < WORKERS:  # both warmed up and listening
            if time.monotonic() > deadline:
                raise RuntimeError("the workers did not start within 60 s")
            time.sleep(0.1)
        port = int(stack.base.rsplit(":", 1)[1])
        answer = fixed_rate(
            port=port,
            key=site.key,
            rate=rate,
            seconds=seconds,
            first_octet=30,
            connections=16,
            events_site=site.site_id,
        )
    submitted, decided = answer["latencies_ms"], answer["decided_ms"]
    # A comment whose decision never showed is slower than any that did: it counts as infinitely late.
    waited = decided + [math.inf] * (answer["accepted"] - len(decided))
    return EndToEnd(
        kind,
        rate,
        percentile(submitted, 0.5),
        percentile(submitted, 0.99),
        percentile(waited, 0.5),
        percentile(waited, 0.99),
        answer["accepted"],
        len(decided),
        answer["statuses"],
        answer["cpu_seconds"] / answer["wall_seconds"],
    )
