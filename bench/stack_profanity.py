"""The profanity benchmark's speed figures (bench/bench_profanity.py's functions) as rows of the stack table."""

from __future__ import annotations

from bench.bench_profanity import (
    MATCHES,
    VERDICT,
    compile_seconds,
    median_text,
    median_text_speed,
    worst_cases,
    worst_input_seconds,
)
from bench.stack_table import Row


def profanity_rows(rounds: int) -> list[Row]:
    """Our matcher against better-profanity on the median Davidson tweet; compile time; the worst long input."""
    from better_profanity import Profanity

    text = median_text()
    speeds = median_text_speed(Profanity(), text, rounds)
    cold, warm = compile_seconds()
    worst = worst_input_seconds(worst_cases(), tries=3)
    worst_label = max(worst, key=worst.__getitem__)
    rows = [
        Row(
            "profanity",
            f"median tweet ({len(text)} chars), ours: {label}",
            ours * 1e6,
            "µs",
            ref * 1e6,
            "better-profanity",
        )
        for label, (ref, ours) in ((VERDICT, speeds[VERDICT]), (MATCHES, speeds[MATCHES]))
    ]
    rows += [
        Row("profanity", "compile the default matcher in a new process", cold * 1000, "ms"),
        Row("profanity", "compile another site's matcher", warm * 1000, "ms"),
        Row(
            "profanity",
            "slowest of 6 worst-case 60,000-character comments",
            worst[worst_label] * 1000,
            "ms",
            note=worst_label,
        ),
    ]
    return rows
