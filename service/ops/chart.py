"""The last hour's decisions per minute as stacked bars: geometry for an inline SVG (no script, no CDN)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

# Stacked bottom to top in this order; a status not listed (a future one) is drawn last, in grey.
STATUS_ORDER = ("published", "held", "rejected", "queued")
WIDTH, HEIGHT = 600, 120  # the SVG's viewBox; the page scales it to its column
AXIS = 16  # room under the bars for the time labels


@dataclass(frozen=True)
class Segment:
    """One status's part of one minute's bar."""

    status: str
    x: float
    y: float
    width: float
    height: float
    label: str  # its tooltip: "07:42 UTC: 3 held"


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Chart:
    segments: list[Segment]
    ticks: list[Tick]
    peak: int  # the busiest minute's decisions (the scale's top)
    total: int
    summary: str  # the chart in one sentence, for people who cannot see it
    width: int = WIDTH
    height: int = HEIGHT
    baseline: int = HEIGHT - AXIS


def _clock(minute_start: int) -> str:
    return datetime.fromtimestamp(minute_start, UTC).strftime("%H:%M")


def _ordered(counts: dict[str, int]) -> list[tuple[str, int]]:
    known = [(s, counts[s]) for s in STATUS_ORDER if counts.get(s)]
    return known + sorted((s, n) for s, n in counts.items() if s not in STATUS_ORDER and n)


def decision_chart(minutes: list[tuple[int, dict[str, int]]]) -> Chart:
    """Bars for each minute (oldest at the left), scaled to the busiest minute; ticks every 15 minutes."""
    totals = [sum(counts.values()) for _, counts in minutes]
    peak = max(totals, default=0)
    slot = WIDTH / max(len(minutes), 1)
    plot = HEIGHT - AXIS
    segments: list[Segment] = []
    ticks: list[Tick] = []
    for index, (minute_start, counts) in enumerate(minutes):
        x = index * slot
        if index % 15 == 0:
            ticks.append(Tick(x, _clock(minute_start)))
        top = float(plot)
        for status, n in _ordered(counts):
            height = plot * n / peak
            top -= height
            label = f"{_clock(minute_start)} UTC: {n} {status}"
            segments.append(
                Segment(status, round(x + 1, 2), round(top, 2), round(slot - 2, 2), round(height, 2), label)
            )
    total = sum(totals)
    if minutes and total:
        busiest = _clock(minutes[totals.index(peak)][0])
        summary = f"{total} decision(s) in the last {len(minutes)} minutes; the busiest, {busiest} UTC, had {peak}."
    elif minutes:
        summary = f"No decisions in the last {len(minutes)} minutes."
    else:
        summary = "No figures: Redis did not answer."
    return Chart(segments, ticks, peak, total, summary)
