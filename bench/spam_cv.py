"""The leave-one-video-out sweeps on files 01-04 behind the policy's spam thresholds. Shakira is not read.

For each of the four videos: the base model is built from the other three (with the Civil Comments ham,
as the shipped build), then the held video is scored by that base alone (a new site) and by the base blended
with a site's counts learned from the same three. Two calibrations:
- the shipped model's (its Platt scaling, fitted on all four videos' out-of-fold margins), so a threshold means
  what it means in production: the policy's thresholds were chosen on this sweep (hold: the lowest with at most
  1% false positives, base alone and blended; reject: where no ham scored, blended);
- each fold's own (fitted within its three videos): stricter, since nothing of the held video is in it.
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
from workers.spam_linear import LinearModel, shipped_base
from workers.spam_model import SpamModel

THRESHOLDS = [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.91, 0.92, 0.93, 0.94, 0.95, 0.97, 0.99, 0.995, 0.999]
SCORERS = (
    "shipped calibration: base model alone (a new site)",
    "shipped calibration: base + site counts from the other three",
    "each fold's own calibration: base model alone",
    "each fold's own calibration: base + site counts",
)
Scored = list[tuple[float, bool]]


def _builders() -> int:
    return min(len(TRAIN_FILES), os.cpu_count() or 1)


def _timed_build(held: str) -> tuple[LinearModel, float]:
    """The base built without `held` (the Civil Comments ham sample included), and the seconds it took."""
    started = time.perf_counter()
    base = build(files=[name for name in TRAIN_FILES if name != held])
    return base, time.perf_counter() - started


def fold_scores() -> tuple[dict[str, dict[str, Scored]], Scored, dict[str, float]]:
    """(scorer -> held video -> (P(spam), is_spam) pairs); the blended, shipped-calibration scores a rejection
    may use (the site's counts alone would hold too, else 0); the seconds each fold's base took to build."""
    policy, shipped = Policy(), shipped_base()
    scores: dict[str, dict[str, Scored]] = {scorer: {} for scorer in SCORERS}
    rejectable: Scored = []
    build_seconds: dict[str, float] = {}
    # The trainer is pure Python and single-threaded: the four folds' bases are built side by side.
    with ProcessPoolExecutor(max_workers=_builders()) as pool:
        built = dict(zip(TRAIN_FILES, pool.map(_timed_build, TRAIN_FILES), strict=True))
    with private_redis() as connection:
        for held in TRAIN_FILES:
            three = [name for name in TRAIN_FILES if name != held]
            own, build_seconds[held] = built[held]
            # The fold's weights with the shipped model's calibration and signal weights.
            as_shipped = LinearModel(own.weights, own.bias, shipped.slope, shipped.intercept, shipped.priors)
            connection.flushdb()
            SpamModel(connection).learn_many("trained", [row for name in three for row in youtube_rows(name)])
            for i, base in enumerate((as_shipped, own)):
                model = SpamModel(connection, base=base)
                alone, blended = [], []
                for text, label in youtube_rows(held):
                    is_spam = label == "spam"
                    alone.append((model.score("new", text, policy.spam_min_training).probability or 0.0, is_spam))
                    score = model.score("trained", text, policy.spam_min_training)
                    blended.append((score.probability or 0.0, is_spam))
                    if base is as_shipped:
                        rejectable.append((blended[-1][0] if score.may_reject(policy.spam_hold) else 0.0, is_spam))
                scores[SCORERS[2 * i]][held], scores[SCORERS[2 * i + 1]][held] = alone, blended
    return scores, rejectable, build_seconds


def _cell(tally: Tally) -> str:
    return f"{tally.recall:6.1%} {tally.fpr:5.1%} {tally.fp:3}"


def print_sweep() -> None:
    """Recall, false-positive rate and false positives by threshold, pooled and per held video."""
    policy = Policy()
    scores, rejectable, build_seconds = fold_scores()
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
    rejected = tally_at(rejectable, policy.spam_reject)
    print(
        f"\nrejected (shipped calibration, blended >= spam_reject and the site's counts alone >= spam_hold), "
        f"pooled: {_cell(rejected)}"
    )
