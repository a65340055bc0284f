"""`bench/eval_spam.py --feedback` on a slice: every comment goes in over HTTP and is decided through the API."""

from __future__ import annotations

from collections import Counter

from bench.common import TRAIN_FILES, youtube_rows
from bench.spam_feedback import ACTIONS, feedback_run

SLICE = 6  # the first six comments of files 03 and 04: both labels, a few seconds of work


def test_a_slice_is_held_decided_by_label_and_learned_once_each(redis_url: str):
    run = feedback_run(lambda model, site: model.trained(site), limit=SLICE, workers=1, redis_url=redis_url)

    labels = [label for name in TRAIN_FILES[2:] for _, label in youtube_rows(name)[:SLICE]]
    assert sum(run.pipeline.values()) == len(labels)  # every comment was decided by the checks
    assert {status for _, status in run.pipeline} <= {"held", "rejected"}  # premoderation published none
    assert sum(n for (label, _), n in run.pipeline.items() if label == "spam") == labels.count("spam")
    # Every held comment, and every ham the checks rejected, was decided by a moderator through the API.
    expected: Counter[str] = Counter()
    for key, n in run.pipeline.items():
        if key in ACTIONS:
            expected[ACTIONS[key]] += n
    assert expected and run.decided == expected
    # The model learned each decision once, under its label; the seed (files 01-02) is untouched.
    seeded = [r for name in TRAIN_FILES[:2] for r in youtube_rows(name)]
    assert run.before == run.trained_before == {"spam": _count(seeded, "spam"), "ham": _count(seeded, "ham")}
    assert run.after == {
        "spam": run.before["spam"] + run.decided["spam"],
        "ham": run.before["ham"] + run.decided["approve"] + run.decided["restore"],
    }


def _count(rows: list[tuple[str, str]], label: str) -> int:
    return sum(1 for _, row_label in rows if row_label == label)
