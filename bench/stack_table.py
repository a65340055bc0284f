"""The stack benchmark's table: each figure beside its ceiling, the ratio, and the issue's target, judged."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum


class Goal(StrEnum):
    """Which way a target points: a ratio to the ceiling at least this, or our own figure at most this."""

    RATIO_AT_LEAST = "ratio_at_least"
    AT_MOST = "at_most"


@dataclass(frozen=True)
class Target:
    goal: Goal
    limit: float

    def describe(self, unit: str) -> str:
        if self.goal is Goal.RATIO_AT_LEAST:
            return f"ratio ≥ {number(self.limit)}"
        return f"≤ {number(self.limit)} {unit}".rstrip()


@dataclass(frozen=True)
class Row:
    """One measure: our figure, what it stands on (the ceiling, measured in the same run), and a target."""

    stage: str
    measure: str
    ours: float | None
    unit: str = ""
    ceiling: float | None = None
    ceiling_name: str = ""
    target: Target | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """Ours over the ceiling: for a rate, the share of it reached; for a time or a size, how many times it."""
        if self.ours is None or not self.ceiling:
            return None
        return self.ours / self.ceiling

    @property
    def met(self) -> bool | None:
        """Whether the target holds; None without a target or without the figures it needs."""
        if self.target is None:
            return None
        if self.target.goal is Goal.RATIO_AT_LEAST:
            return None if self.ratio is None else self.ratio >= self.target.limit
        return None if self.ours is None else self.ours <= self.target.limit


COLUMNS = ("stage", "measure", "ours", "ceiling (same run)", "ratio", "target", "met?")


def number(value: float) -> str:
    """Three significant figures or so: 6,364 · 61.7 · 2.35 · 0.041."""
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 0.1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def figure(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if math.isinf(value):
        return "∞"  # never seen: e.g. a comment not decided before the run gave up waiting
    return f"{number(value)} {unit}".rstrip()


def ratio_text(ratio: float) -> str:
    """A ratio; one far below 1 as a fraction (1/50,000), where three decimals would show only 0.000."""
    if math.isinf(ratio):
        return "∞"
    if 0 < ratio < 0.01:
        return f"1/{1 / ratio:,.0f}"
    return number(ratio)


def cells(row: Row) -> tuple[str, ...]:
    """The row's text in COLUMNS order."""
    ceiling = figure(row.ceiling, row.unit) if row.ceiling is not None else ""
    if ceiling and row.ceiling_name:
        ceiling = f"{ceiling} ({row.ceiling_name})"
    ours = figure(row.ours, row.unit)
    if row.note:
        ours = f"{ours} ({row.note})"
    ratio = ratio_text(row.ratio) if row.ratio is not None else ""
    target = row.target.describe(row.unit) if row.target else ""
    met = {True: "yes", False: "**no**", None: ""}[row.met]
    return (row.stage, row.measure, ours, ceiling, ratio, target, met)


def markdown(rows: list[Row]) -> str:
    """The rows as one Markdown table (pipes in cells escaped)."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in rows:
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells(row)) + " |")
    return "\n".join(lines)
