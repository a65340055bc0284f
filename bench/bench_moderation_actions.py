"""A moderator's actions at a desk's scale: 10,000 held comments across 50 threads, actions over real HTTP.

    python bench/bench_moderation_actions.py            # 10,000 held; 200 of each action, 20 bulks of 100, 3 of 500
    python bench/bench_moderation_actions.py --quick    # 1,500 held; 30 of each, 5 bulks of 100, 1 of 500

The held comments are seeded through the service's own code, in this process: each is stored as
`queued` (`CommentStore.add_queued`, what a submission writes) and then decided by the pipeline
(`pipeline_decision.moderate`: the checks, then the one compare-and-set with its indexes, audit and
event), with premoderation on so every one is held. Only the RQ job between the two is skipped, so
the keys are exactly those a real submission and worker write. The actions then go over HTTP to
`commentgate web` (gunicorn, the production command), one request at a time on a kept-alive
connection, as one moderator works; each figure is the client's wall time for the whole request.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable
from itertools import cycle

import requests

try:
    from bench.common import TRAIN_FILES, store_queued, youtube_rows
    from bench.live_stack import LiveStack, live_stack
except ImportError:  # run as a file: python bench/bench_moderation_actions.py
    from common import TRAIN_FILES, store_queued, youtube_rows  # type: ignore[no-redef]
    from live_stack import LiveStack, live_stack  # type: ignore[no-redef]
from workers.models import Status
from workers.pipeline_decision import moderate
from workers.policy import Policy

THREADS = 50
AUTHORS = 2_000  # so that authors have a history of several comments
TARGET_P95_MS = 100.0
BULK_MAX = 500  # the bulk endpoint's limit


def seed_held(stack: LiveStack, site_id: str, count: int) -> list[str]:
    """`count` held comments across THREADS threads, written as a submission and the pipeline write them."""
    rt = stack.rt
    bodies = cycle([text for name in TRAIN_FILES for text, label in youtube_rows(name) if label == "ham"])
    held: list[str] = []
    n = 0
    while len(held) < count:
        reader = n % AUTHORS
        # numbered: the duplicate rule would reject a repeat
        comment_id = store_queued(rt, site_id, f"2026/11/story-{n % THREADS}", f"{next(bodies)} ({n})", reader)
        if moderate(rt, comment_id) is Status.HELD:
            held.append(comment_id)
        n += 1
    return held


def timed(call: Callable[[], requests.Response]) -> float:
    """Milliseconds of one request; anything but 200 stops the bench (a fast error is not a fast action)."""
    start = time.perf_counter()
    answer = call()
    elapsed = (time.perf_counter() - start) * 1000
    if answer.status_code != 200:
        raise RuntimeError(f"{answer.request.method} {answer.request.url}: {answer.status_code} {answer.text[:300]}")
    if "results" in answer.json():  # a bulk answers 200 with each comment's outcome: all must be decided
        outcomes = {result["outcome"] for result in answer.json()["results"].values()}
        if outcomes != {"decided"}:
            raise RuntimeError(f"bulk outcomes: {outcomes}")
    return elapsed


def row(name: str, samples: list[float], per: int = 1) -> str:
    p50 = statistics.median(samples)
    p95 = statistics.quantiles(samples, n=20)[-1] if len(samples) >= 20 else max(samples)
    per_item = f"{p95 / per:8.2f}" if per > 1 else f"{'':8}"
    verdict = "" if name.startswith("GET") else ("  ok" if p95 / per < TARGET_P95_MS else "  over target")
    return f"{name:<34} {len(samples):5} {p50:8.1f} {p95:8.1f} {per_item}{verdict}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1,500 held comments and fewer samples")
    args = parser.parse_args()
    held_count, samples, bulk_calls, big_bulk_calls = (1_500, 30, 5, 1) if args.quick else (10_000, 200, 20, 3)

    with live_stack(workers=0) as stack:  # no webhook URL: nothing for a worker to deliver
        rt = stack.rt
        site = rt.sites.create("desk")
        rt.sites.set_policy(site.site_id, Policy(premoderation=True))
        rt.spam.learn_many(site.site_id, [r for name in TRAIN_FILES for r in youtube_rows(name)])
        started = time.monotonic()
        held = seed_held(stack, site.site_id, held_count)
        seeded_in = time.monotonic() - started
        random.Random(8).shuffle(held)
        picks = iter(held)
        token = stack.moderator_token()

        def act(action: str, body: dict[str, str]) -> Callable[[], requests.Response]:
            comment_id = next(picks)
            return lambda: stack.call("POST", f"/api/v1/moderation/comments/{comment_id}/{action}", token, json=body)

        def bulk(action: str, size: int) -> Callable[[], requests.Response]:
            ids = [next(picks) for _ in range(size)]
            return lambda: stack.call("POST", "/api/v1/moderation/bulk", token, json={"ids": ids, "action": action})

        healthz = [timed(lambda: stack.http.get(f"{stack.base}/healthz", timeout=10)) for _ in range(samples)]
        approve = [timed(act("approve", {})) for _ in range(samples)]
        reject = [timed(act("reject", {"reason": "off_topic", "note": "not about the story"})) for _ in range(samples)]
        spam = [timed(act("spam", {})) for _ in range(samples)]
        bulk_approve = [timed(bulk("approve", 100)) for _ in range(bulk_calls)]
        bulk_spam = [timed(bulk("spam", BULK_MAX)) for _ in range(big_bulk_calls)]
        left = rt.connection.zcard(rt.keys.queue(site.site_id, "held"))

    print(f"{held_count:,} held comments across {THREADS} threads, {AUTHORS:,} authors; seeded in {seeded_in:.0f} s")
    print(f"one request at a time over a kept-alive connection; {left:,} still held at the end")
    # The /healthz row says how busy the machine was; so does the load average (shared machines swing).
    print("load average (1, 5, 15 min) at the end: " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))
    print(
        f"{'request':<34} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p95/item':>8}  (target: p95 < {TARGET_P95_MS:.0f} ms)"
    )
    print(row("GET /healthz (baseline)", healthz))
    print(row("approve", approve))
    print(row("reject, reason off_topic + note", reject))
    print(row("spam", spam))
    print(row("bulk approve of 100", bulk_approve, per=100))
    print(row(f"bulk spam of {BULK_MAX} (p95: the slowest)", bulk_spam, per=BULK_MAX))


if __name__ == "__main__":
    main()
