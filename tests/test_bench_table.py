"""The stack benchmark's table: ratios to the ceiling, targets judged from the figures, and how cells read.

No speed is measured here: the rows are built from given figures.
"""

from __future__ import annotations

import math
import re

from bench.bench_web import _milliseconds
from bench.stack_pipeline import Drain
from bench.stack_profile import Profile
from bench.stack_rows import PipelineRun, pipeline_rows
from bench.stack_table import Goal, Row, Target, markdown, number, ratio_text

AT_LEAST_HALF = Target(Goal.RATIO_AT_LEAST, 0.5)
AT_MOST_25 = Target(Goal.AT_MOST, 25)


def _cells(table: str, measure: str) -> list[str]:
    """The cells of the table's row for `measure`, split as Markdown does (on pipes not escaped)."""
    (line,) = [line for line in table.splitlines() if f"| {measure} |" in line]
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip().strip("|"))]


def test_ratio_is_ours_over_the_ceiling_and_judged_against_the_target():
    table = markdown(
        [
            Row("ingest", "at the target", 50, "req/s", 100, "bare", AT_LEAST_HALF),
            Row("ingest", "below it", 49, "req/s", 100, "bare", AT_LEAST_HALF),
        ]
    )
    assert _cells(table, "at the target") == [
        "ingest",
        "at the target",
        "50.0 req/s",
        "100 req/s (bare)",
        "0.50",
        "ratio ≥ 0.50",
        "yes",
    ]
    assert _cells(table, "below it")[4:] == ["0.49", "ratio ≥ 0.50", "**no**"]


def test_an_at_most_target_is_judged_on_our_own_figure_not_the_ratio():
    over = Row("ingest", "p99", 30, "ms", 3, "bare", AT_MOST_25)
    under = Row("ingest", "p99", 20, "ms", 40, "bare", AT_MOST_25)
    assert (over.met, under.met) == (False, True)
    assert _cells(markdown([over]), "p99")[4:] == ["10.0", "≤ 25.0 ms", "**no**"]


def test_a_missing_figure_shows_a_dash_and_no_verdict():
    row = Row("ingest", "p99", None, "ms", 3, "bare", AT_MOST_25)
    assert row.ratio is None and row.met is None
    assert _cells(markdown([row]), "p99")[2:] == ["—", "3.00 ms (bare)", "", "≤ 25.0 ms", ""]


def test_without_a_ceiling_there_is_no_ratio_and_a_ratio_target_has_no_verdict():
    assert Row("memory", "growth", 4.0, "%", target=AT_LEAST_HALF).met is None
    assert Row("pipeline", "rate", 10, "/s", 0, "RQ").ratio is None  # a ceiling of 0 divides nothing


def test_a_comment_never_decided_is_infinitely_late_and_misses_an_at_most_target():
    row = Row("end to end", "p99", math.inf, "ms", 10, "202 answered", AT_MOST_25)
    assert row.met is False
    assert _cells(markdown([row]), "p99")[2:5] == ["∞", "10.0 ms (202 answered)", "∞"]


def test_numbers_keep_about_three_significant_figures():
    assert [number(x) for x in (6364.2, 61.74, 2.346, 0.0412)] == ["6,364", "61.7", "2.35", "0.041"]


def test_a_ratio_far_below_one_reads_as_a_fraction():
    assert ratio_text(2e-5) == "1/50,000"
    assert ratio_text(0.35) == "0.35"


def test_a_pipe_in_a_cell_does_not_split_the_row():
    table = markdown([Row("profanity", "f|u", 1.0, "ms")])
    assert "f\\|u" in table
    assert len(_cells(table, "f\\|u")) == 7


def test_the_pipeline_target_applies_to_the_shipped_worker_class_only():
    def drain(rate: float) -> Drain:
        return Drain(100, rate, 60.0, {100: 60.0}, None)

    profile = Profile(100, 10.0, {"Redis I/O": 5.0, "checks": 1.0}, 20.0, 60.0)
    rows = pipeline_rows(
        [
            PipelineRun("fork", drain(40), drain(100), shipped=False),
            PipelineRun("simple", drain(90), drain(100), shipped=True),
        ],
        profile,
        profile,
    )
    fork, simple = rows[0], rows[1]
    assert (fork.target, fork.met) == (None, None)
    assert simple.target == Target(Goal.RATIO_AT_LEAST, 0.8) and simple.met is True
    forking_cost = rows[2]
    assert forking_cost.ours is not None and math.isclose(forking_cost.ours, 1000 / 40 - 1000 / 90)


def test_wrk_latencies_read_in_milliseconds():
    assert [_milliseconds(x) for x in ("456.00us", "1.50ms", "2.00s", "n/a")] == [0.456, 1.5, 2000.0, None]
