"""The shipped base spam model: a linear scorer whose weights are data (workers/data/spam_base.json).

Trained by `bench/build_spam_base.py` with `train_linear` below: stochastic gradient descent on the
hinge loss with L2 regularisation (a linear SVM), in a fixed order, so the file is the same byte for
byte on every machine. Not scikit-learn: its LinearSVC needs numpy and scipy (well over 100 MB) in
every worker for a 40-line trainer, and its output may change between its releases; this trainer
reached 83.6% recall at 1% false positives out of fold, against LinearSVC's 85.3% on the same folds.

The margin becomes log-odds by Platt scaling fitted on out-of-fold margins, so the policy's
probability thresholds mean the same for the base model and for a site's own counts. Signals the
training data cannot teach (YouTube spam almost never gives a phone number) carry fixed log-odds,
`priors`, written in the build script with their reasons.
"""

from __future__ import annotations

import json
import math
import random
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from .spam_features import (
    BUCKETS,
    CHAR_PREFIX,
    DRIVER_MIN,
    FUNCTION_WORDS,
    Features,
    shown_word,
    signal_words,
    words_at,
)
from .spam_signals import SIGNAL_PREFIX

SHIPPED = Path(__file__).with_name("data") / "spam_base.json"
FORMAT = 1
Example = tuple[Mapping[str, float], int, float]  # features, +1 spam / -1 ham, weight
Driver = tuple[float, str, str]  # its part of the log-odds, what in the comment, what that means


def _reads_like(word: str, weight: float, hosts: frozenset[str]) -> str:
    """A word's part of the score in a moderator's words: "“casino” reads like spam", "a link to “t.co” …"."""
    what = f"a link to “{word}”" if word in hosts else f"“{word}”"
    return f"{what} reads like {'spam' if weight > 0 else 'an ordinary comment'}"


@dataclass(frozen=True)
class LinearModel:
    """Weights per feature, and how a margin maps to log-odds."""

    weights: Mapping[str, float]
    bias: float
    slope: float = 1.0  # log-odds = slope * margin + intercept
    intercept: float = 0.0
    priors: Mapping[str, float] | None = None  # log-odds per signal token

    @cached_property
    def _by_bucket(self) -> array[float]:
        """The character n-grams' weights by bucket number (0.0 where there is none).

        Read by a forked work horse, a dict's float objects are written (their reference counts) and
        so copied a page at a time: some 190 page copies per comment, 1 ms. A lookup here writes nothing.
        """
        dense = array("d", bytes(8 * BUCKETS))
        for name, weight in self.weights.items():
            if name.startswith(CHAR_PREFIX):
                dense[int(name[len(CHAR_PREFIX) :])] = weight
        return dense

    def margin(self, values: Mapping[str, float]) -> float:
        """The SVM's side of the line: above 0 reads as spam."""
        by_bucket, weights, cut = self._by_bucket, self.weights, len(CHAR_PREFIX)
        return self.bias + sum(
            (by_bucket[int(name[cut:])] if name.startswith(CHAR_PREFIX) else weights.get(name, 0.0)) * value
            for name, value in values.items()
        )

    def log_odds(self, values: Mapping[str, float]) -> float:
        """Calibrated log-odds that the comment is spam, signals' priors included."""
        priors = self.priors or {}
        return self.slope * self.margin(values) + self.intercept + sum(priors.get(n, 0.0) for n in values)

    def drivers(self, found: Features) -> list[Driver]:
        """The words and signals that moved the score, in a moderator's words, the strongest first."""
        by_word: dict[str, float] = {}
        word_at: dict[int, str] = {}  # several n-grams start at each offset: the word is found once per offset
        by_bucket, values, cut = self._by_bucket, found.values, len(CHAR_PREFIX)
        for name, offset in found.grams.items():  # the character n-grams' features, in the order found
            weight = by_bucket[int(name[cut:])]
            if not weight:  # none: the file keeps no weight of 0
                continue
            word = word_at.get(offset)
            if word is None:
                word = word_at[offset] = shown_word(words_at(found.normalized, offset))
            by_word[word] = by_word.get(word, 0.0) + self.slope * weight * values[name]
        drivers: list[Driver] = [
            (w, word, _reads_like(word, w, found.hosts))
            for word, w in by_word.items()
            if abs(w) >= DRIVER_MIN and word.lower() not in FUNCTION_WORDS
        ]
        priors = self.priors or {}
        for signal in found.found:
            weight = priors.get(SIGNAL_PREFIX + signal.kind, 0.0)
            drivers.append((weight, signal.text or signal.kind, signal_words(signal.kind)))
        drivers.sort(key=lambda d: abs(d[0]), reverse=True)
        return drivers

    def to_json(self) -> str:
        """The model file: sorted, rounded, one weight a line, so rebuilding gives the same bytes."""
        head = {
            "format": FORMAT,
            "bias": _round(self.bias),
            "slope": _round(self.slope),
            "intercept": _round(self.intercept),
            "priors": {k: _round(v) for k, v in sorted((self.priors or {}).items())},
        }
        lines = [json.dumps(head, sort_keys=True)[:-1] + ', "weights": {']
        kept = sorted((k, _round(v)) for k, v in self.weights.items() if abs(v) >= 1e-5)
        lines += [f"{json.dumps(k)}: {v!r}{',' if i < len(kept) - 1 else ''}" for i, (k, v) in enumerate(kept)]
        lines.append("}}")
        return "\n".join(lines) + "\n"

    @classmethod
    def from_json(cls, text: str) -> LinearModel:
        raw = json.loads(text)
        if raw.get("format") != FORMAT:
            raise ValueError(f"spam model format {raw.get('format')!r}; this version reads {FORMAT}")
        return cls(
            weights=raw["weights"],
            bias=raw["bias"],
            slope=raw["slope"],
            intercept=raw["intercept"],
            priors=raw["priors"],
        )


@cache
def shipped_base() -> LinearModel:
    """The base model that ships with the package, read once per process."""
    return LinearModel.from_json(SHIPPED.read_text(encoding="utf-8"))


def train_linear(examples: Sequence[Example], lam: float = 1e-4, epochs: int = 10, seed: int = 1) -> LinearModel:
    """A linear SVM by SGD on the hinge loss (Bottou's step 1/(lam (t + t0))), examples in a seeded order."""
    w: dict[str, float] = {}
    bias, scale, t = 0.0, 1.0, 0  # w is stored divided by `scale`, so L2 shrinking is one multiplication
    order = list(range(len(examples)))
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(order)
        for i in order:
            t += 1
            eta = 1.0 / (lam * (t + 10_000))
            values, y, weight = examples[i]
            m = scale * sum(w.get(k, 0.0) * v for k, v in values.items()) + bias
            scale *= 1 - eta * lam
            if y * m < 1:
                step = eta * y * weight
                for k, v in values.items():
                    w[k] = w.get(k, 0.0) + step * v / scale
                bias += step * 0.1  # a smaller step for the unregularised bias keeps it from swinging
    return LinearModel(weights={k: v * scale for k, v in w.items()}, bias=bias)


def fit_platt(margins: Iterable[float], labels: Iterable[bool], iterations: int = 100) -> tuple[float, float]:
    """Slope and intercept mapping margins to log-odds (Platt 1999, with his smoothed targets), by Newton steps."""
    pairs = list(zip(margins, labels, strict=True))
    n_pos = sum(1 for _, y in pairs if y)
    n_neg = len(pairs) - n_pos
    hi, lo = (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2)
    a, b = 1.0, 0.0
    for _ in range(iterations):
        g_a = g_b = h_aa = h_ab = h_bb = 0.0
        for m, y in pairs:
            p = 1 / (1 + math.exp(-(a * m + b)))
            d = p - (hi if y else lo)
            s = max(p * (1 - p), 1e-12)
            g_a, g_b = g_a + d * m, g_b + d
            h_aa, h_ab, h_bb = h_aa + s * m * m, h_ab + s * m, h_bb + s
        det = h_aa * h_bb - h_ab * h_ab
        if det <= 0:
            break
        da, db = (h_bb * g_a - h_ab * g_b) / det, (h_aa * g_b - h_ab * g_a) / det
        a, b = a - da, b - db
        if abs(da) < 1e-10 and abs(db) < 1e-10:
            break
    return a, b


def _round(x: float) -> float:
    return float(f"{x:.6g}")
