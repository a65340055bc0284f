"""The leave-one-video-out sweep on files 01-04 that chose the policy's spam thresholds. Shakira is not read.

For each of the four videos: the base model is built from the other three (with the Civil Comments ham sample,
as the shipped build), then the held video is scored by that base alone (a new site) and by the base blended
with a site's counts learned from the same three.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor

try:
    from bench.build_spam_base import build
    from bench.common import TRAIN_FILES, private_redis, youtube_rows
    from bench.spam_measures import Tally, tally_at
except ImportError:  # run as a file
    from build_spam_base import build  # type: ignore[no-redef]
    from common import TRAIN_FILES, private_redis, youtube_rows  # type: ignore[no-redef]
    from spam_measures import Tally, tally_at  # type: ignore[no-redef]
from workers.policy import Policy
from workers.spam_linear import LinearModel
from workers.spam_model import SpamModel

THRESHOLDS = [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97, 0.99, 0.995, 0.999]
SCORERS = ("base model alone (a new site)", "base + site counts from the other three")
Scored = list[tuple[float, bool]]


def _builders() -> int:
    return min(len(TRAIN_FILES), os.cpu_count() or 1)


def _timed_build(held: str) -> tuple[LinearModel, float]:
    """The base built without `held` (the Civil Comments ham sample included), and the seconds it took."""
    started = time.perf_counter()
    base = build(files=[name for name in TRAIN_FILES if name != held])
    return base, time.perf_counter() - started


def fold_scores() -> tuple[dict[str, dict[str, Scored]], dict[str, float]]:
    """(scorer -> held video -> (P(spam), is_spam) pairs), and the seconds each fold's base took to build."""
    policy = Policy()
    scores: dict[str, dict[str, Scored]] = {scorer: {} for scorer in SCORERS}
    build_seconds: dict[str, float] = {}
    # The trainer is pure Python and single-threaded: the four folds' bases are built side by side.
    with ProcessPoolExecutor(max_workers=_builders()) as pool:
        built = dict(zip(TRAIN_FILES, pool.map(_timed_build, TRAIN_FILES), strict=True))
    with private_redis() as connection:
        for held in TRAIN_FILES:
            three = [name for name in TRAIN_FILES if name != held]
            base, build_seconds[held] = built[held]
            model = SpamModel(connection, base=base)
            connection.flushdb()
            model.learn_many("trained", [row for name in three for row in youtube_rows(name)])
            alone, blended = [], []
            for text, label in youtube_rows(held):
                for site, into in (("new", alone), ("trained", blended)):
                    probability = model.score(site, text, policy.spam_min_training).probability
                    into.append((probability if probability is not None else 0.0, label == "spam"))
            scores[SCORERS[0]][held], scores[SCORERS[1]][held] = alone, blended
    return scores, build_seconds


def _cell(tally: Tally) -> str:
    return f"{tally.recall:6.1%} {tally.fpr:5.1%} {tally.fp:3}"


def print_sweep() -> None:
    """Recall, false-positive rate and false positives by threshold, pooled and per held video."""
    policy = Policy()
    scores, build_seconds = fold_scores()
    marks = {policy.spam_hold: "<- spam_hold", policy.spam_reject: "<- spam_reject"}
    folds = [name.split("-")[1].removesuffix(".csv") for name in TRAIN_FILES]
    print("leave-one-video-out on files 01-04 (Shakira not read); each cell: recall, false-positive rate, FP")
    print(
        f"base built per fold ({_builders()} at a time), seconds: "
        + ", ".join(f"{f} {build_seconds[n]:.1f}" for f, n in zip(folds, TRAIN_FILES, strict=True))
    )
    for scorer in SCORERS:
        by_fold = scores[scorer]
        pooled = [pair for name in TRAIN_FILES for pair in by_fold[name]]
        print(f"\n{scorer}")
        print(f"{'P(spam) >=':>10}  {'pooled':>16}" + "".join(f"  {fold:>16}" for fold in folds))
        for threshold in sorted(set(THRESHOLDS) | set(marks)):
            cells = [_cell(tally_at(pooled, threshold))] + [_cell(tally_at(by_fold[n], threshold)) for n in TRAIN_FILES]
            print((f"{threshold:>10}  " + "  ".join(cells) + f"  {marks.get(threshold, '')}").rstrip())
