"""The reference: scikit-learn's LinearSVC on character 2-5-gram TF-IDF (a bench-only dependency, `.[bench]`).

`analyzer="char"`: n-grams run across word boundaries, as the base model's hashed n-grams do; everything
else is scikit-learn's default (lower-cased, raw TF, L2-normalised rows, C = 1). Its threshold is chosen
as the policy's are: leave one of videos 01-04 out at a time, pool the out-of-fold decision values, and take
the lowest threshold whose pooled false-positive rate is at most 1%. Shakira is never read while choosing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

try:
    from bench.common import TRAIN_FILES, youtube_rows
    from bench.spam_measures import Tally, lowest_threshold, tally_at
except ImportError:  # run as a file
    from common import TRAIN_FILES, youtube_rows  # type: ignore[no-redef]
    from spam_measures import Tally, lowest_threshold, tally_at  # type: ignore[no-redef]

ANALYZER = "char"
NGRAMS = (2, 5)
MAX_FPR = 0.01


def fitted(rows: list[tuple[str, str]]) -> Any:
    """A TF-IDF + LinearSVC pipeline fitted on (text, label) rows."""
    # Imported here: scikit-learn is installed for `make bench` only, and the tests import this package.
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    model = make_pipeline(TfidfVectorizer(analyzer=ANALYZER, ngram_range=NGRAMS), LinearSVC(random_state=0))
    model.fit([text for text, _ in rows], [label == "spam" for _, label in rows])
    return model


def decision_values(model: Any, rows: list[tuple[str, str]]) -> list[tuple[float, bool]]:
    """(signed distance to the SVM's hyperplane, is_spam) per row."""
    values = model.decision_function([text for text, _ in rows])
    return [(float(v), label == "spam") for v, (_, label) in zip(values, rows, strict=True)]


def out_of_fold() -> list[tuple[float, bool]]:
    """Each of 01-04 scored by an SVM fitted on the other three, pooled."""
    pooled: list[tuple[float, bool]] = []
    for held in TRAIN_FILES:
        train = [row for name in TRAIN_FILES if name != held for row in youtube_rows(name)]
        pooled.extend(decision_values(fitted(train), youtube_rows(held)))
    return pooled


@dataclass(frozen=True)
class Reference:
    """The reference's held-out tallies at its chosen threshold and at 0, and the chosen threshold."""

    threshold: float
    chosen: Tally
    at_zero: Tally


def reference(held_out: list[tuple[str, str]]) -> Reference:
    """Fit on 01-04 and score `held_out` at the leave-one-video-out threshold and at the SVM's own 0."""
    threshold = lowest_threshold(out_of_fold(), MAX_FPR)
    model = fitted([row for name in TRAIN_FILES for row in youtube_rows(name)])
    scored = decision_values(model, held_out)
    return Reference(threshold, tally_at(scored, threshold), tally_at(scored, 0.0))
