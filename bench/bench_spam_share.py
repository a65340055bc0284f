"""The spam check's share of one comment's time: comments moderated in-process, the spam part timed within.

    python bench/bench_spam_share.py            # 500 comments of files 01-04 per configuration
    python bench/bench_spam_share.py -n 100

Each comment is stored as a submission stores it (`CommentStore.add_queued`) and decided by the job the worker
runs (`pipeline_decision.moderate`: reads, every check, the one compare-and-set), on an embedded Redis, for two
sites trained alike on files 01-04: the default (base model on) and the base model off (site counts only),
alternating so a busy moment of the machine falls on both. The spam part is `SpamModel.score` (the base model's
scoring and the site counts', timed by swapping the runtime's bound method for a timed one; the counts are read
in the same round trip as the checks' other context, so their Redis time is not in it) plus `check_spam`
(the pipeline's own per-check timing, read from the decision). Also: the base model's scoring alone, no Redis.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

try:
    from bench.common import TRAIN_FILES, private_redis, store_queued, youtube_rows
except ImportError:  # run as a file: python bench/bench_spam_share.py
    from common import TRAIN_FILES, private_redis, store_queued, youtube_rows  # type: ignore[no-redef]
from workers import pipeline_decision
from workers.config import Settings
from workers.models import Decision
from workers.policy import Policy
from workers.runtime import Runtime
from workers.spam_features import features

WARM_UP = 20  # comments per site first, untimed: the profanity word list and the base model load on first use


class SpamTimer:
    """Swaps in timed versions of the runtime's `SpamModel.score` and the pipeline's `decide`; `restore` undoes it."""

    def __init__(self, rt: Runtime) -> None:
        self.rt, self.score_seconds, self.check_seconds = rt, 0.0, 0.0
        self._score, self._decide = rt.spam.score, pipeline_decision.decide
        rt.spam.score = self._timed_score  # type: ignore[method-assign]
        pipeline_decision.decide = self._observed_decide  # type: ignore[assignment]

    def _timed_score(self, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return self._score(*args, **kwargs)
        finally:
            self.score_seconds = time.perf_counter() - started

    def _observed_decide(self, *args: Any, **kwargs: Any) -> Decision:
        decision = self._decide(*args, **kwargs)
        self.check_seconds = dict(decision.check_seconds)["spam"]
        return decision

    def restore(self) -> None:
        del self.rt.spam.score
        pipeline_decision.decide = self._decide


def queued(rt: Runtime, site_id: str, text: str, n: int) -> str:
    """A comment stored as a submission stores it, from its own reader (so the duplicate rule never fires)."""
    return store_queued(rt, site_id, "2026/11/story", text, n)


def ms(seconds: list[float]) -> float:
    return statistics.median(seconds) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=500, help="comments per configuration (default 500)")
    args = parser.parse_args()
    rows = [row for name in TRAIN_FILES for row in youtube_rows(name)]
    texts = [text for text, _ in random.Random(10).sample(rows, WARM_UP + args.n)]
    configurations = {
        "base model on (default)": Policy(),
        "base model off (site counts)": Policy(spam_base_model=False),
    }
    whole: dict[str, list[float]] = {name: [] for name in configurations}
    score: dict[str, list[float]] = {name: [] for name in configurations}
    check: dict[str, list[float]] = {name: [] for name in configurations}
    with private_redis() as connection:
        rt = Runtime(connection, Settings())
        sites = {}
        for name, policy in configurations.items():
            sites[name] = rt.sites.create(name).site_id
            rt.sites.set_policy(sites[name], policy)
            rt.spam.learn_many(sites[name], rows)
        timer = SpamTimer(rt)
        try:
            for n, text in enumerate(texts):
                for name, site_id in sites.items():
                    comment_id = queued(rt, site_id, text, n)
                    started = time.perf_counter()
                    if pipeline_decision.moderate(rt, comment_id) is None:
                        raise RuntimeError(f"comment {comment_id} was not decided")
                    elapsed = time.perf_counter() - started
                    if n >= WARM_UP:
                        whole[name].append(elapsed)
                        score[name].append(timer.score_seconds)
                        check[name].append(timer.check_seconds)
        finally:
            timer.restore()
        base = rt.spam.base

    def score_base(text: str) -> None:  # what SpamModel.score does for the base: features, log-odds, drivers
        found = features(text)
        base.log_odds(found.values)
        base.drivers(found)

    base_alone = timed_each(score_base, texts[WARM_UP:])

    print(
        f"{args.n} comments of files 01-04 per configuration, moderated in-process (the worker's job), embedded Redis"
    )
    print("load average (1, 5, 15 min) at the end: " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))
    print(f"{'medians per comment, ms':<30} {'whole job':>9} {'score':>7} {'check':>7} {'spam':>7} {'share':>7}")
    for name in configurations:
        spam = [a + b for a, b in zip(score[name], check[name], strict=True)]
        share = sum(spam) / sum(whole[name])  # of the total time, not a ratio of medians
        print(
            f"{name:<30} {ms(whole[name]):9.2f} {ms(score[name]):7.2f} {ms(check[name]):7.2f} {ms(spam):7.2f} "
            f"{share:7.1%}"
        )
    print(f"{'base model scoring alone, no Redis':<30} {'':9} {ms(base_alone):7.2f}")
    print("score: SpamModel.score (Redis reads + base scoring); check: check_spam; spam = score + check;")
    print("share: the spam part's sum over the whole job's sum")


def timed_each(call: Callable[[str], object], texts: list[str]) -> list[float]:
    """Seconds of `call` on each text."""
    seconds = []
    for text in texts:
        started = time.perf_counter()
        call(text)
        seconds.append(time.perf_counter() - started)
    return seconds


if __name__ == "__main__":
    main()
