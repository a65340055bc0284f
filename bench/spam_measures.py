"""What the spam evaluations count: a confusion tally, its table row, a threshold under a false-positive cap."""

from __future__ import annotations

from dataclasses import dataclass

# One table layout for every row the spam evaluation prints.
LABEL_WIDTH = 58
HEADER = f"{'':<{LABEL_WIDTH}} {'precision':>9} {'recall':>7} {'FPR':>6}   {'tp':>4} {'fp':>4} {'tn':>4} {'fn':>4}"


@dataclass
class Tally:
    """Counts of one binary decision against the labels."""

    tp: int = 0
    fp: int = 0
    tn: int = 0
    fn: int = 0

    def add(self, predicted_spam: bool, is_spam: bool) -> None:
        if predicted_spam and is_spam:
            self.tp += 1
        elif predicted_spam:
            self.fp += 1
        elif is_spam:
            self.fn += 1
        else:
            self.tn += 1

    def __iadd__(self, other: Tally) -> Tally:
        self.tp, self.fp, self.tn, self.fn = (
            self.tp + other.tp,
            self.fp + other.fp,
            self.tn + other.tn,
            self.fn + other.fn,
        )
        return self

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def fpr(self) -> float:
        return self.fp / (self.fp + self.tn) if self.fp + self.tn else 0.0

    def row(self, label: str) -> str:
        """One line under HEADER."""
        return (
            f"{label:<{LABEL_WIDTH}} {self.precision:9.1%} {self.recall:7.1%} {self.fpr:6.1%}"
            f"   {self.tp:4} {self.fp:4} {self.tn:4} {self.fn:4}"
        )


def tally_at(scored: list[tuple[float, bool]], threshold: float) -> Tally:
    """The tally of `score >= threshold` over (score, is_spam) pairs."""
    tally = Tally()
    for score, is_spam in scored:
        tally.add(score >= threshold, is_spam)
    return tally


def lowest_threshold(scored: list[tuple[float, bool]], max_fpr: float) -> float:
    """The lowest of the scores that, used as `score >= threshold`, flags at most `max_fpr` of the ham.

    FPR only falls as the threshold rises, so the first score (in ascending order) under the cap is the answer.
    """
    ham = sorted(score for score, is_spam in scored if not is_spam)
    allowed = int(max_fpr * len(ham))  # ham scores that may reach the threshold
    ceiling = ham[-(allowed + 1)] if allowed < len(ham) else float("-inf")  # this ham must stay below it
    above = [score for score, _ in scored if score > ceiling]
    if not above:
        raise ValueError("no threshold keeps the false-positive rate under the cap while flagging anything")
    return min(above)
