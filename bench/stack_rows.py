"""The stack benchmark's measurements as table rows, each beside the ceiling measured in the same run."""

from __future__ import annotations

from dataclasses import dataclass

from bench.stack_end_to_end import EndToEnd
from bench.stack_ingest import Ingest
from bench.stack_pipeline import Drain
from bench.stack_profile import Profile
from bench.stack_table import Goal, Row, Target

# The targets (this 2-core machine, ratios in one run).
PIPELINE_RATIO = Target(Goal.RATIO_AT_LEAST, 0.8)  # of RQ's no-op job rate, with the worker class shipped
INGEST_RATIO = Target(Goal.RATIO_AT_LEAST, 0.45)  # of the bare endpoint's requests/s
INGEST_P99_MS = Target(Goal.AT_MOST, 25)  # at half that load
END_TO_END_P99_MS = Target(Goal.AT_MOST, 150)  # at 100 comments/s with 2 workers
WORKER_RSS_MB = Target(Goal.AT_MOST, 150)
# "Flat over the 10,000 comments": at most this much growth from the first mark to the last.
FLAT_GROWTH_PERCENT = Target(Goal.AT_MOST, 10)
CLASS_NAMES = {"fork": "forking `Worker`", "simple": "`SimpleWorker`"}


def _marks(rss_at: dict[int, float]) -> str:
    return ", ".join(f"{rss:.0f} MB at {mark:,}" for mark, rss in sorted(rss_at.items()))


def _growth(rss_at: dict[int, float]) -> float | None:
    """Percent growth from the first mark to the last."""
    if len(rss_at) < 2:
        return None
    first, last = rss_at[min(rss_at)], rss_at[max(rss_at)]
    return (last - first) / first * 100


def ingest_rows(ours: Ingest, bare: Ingest) -> list[Row]:
    rate = f"{ours.half.rate:,.0f} req/s"
    return [
        Row(
            "ingest",
            "`POST /api/v1/comments` at saturation (wrk)",
            ours.saturated.requests_per_second,
            "req/s",
            bare.saturated.requests_per_second,
            "bare Flask 202",
            INGEST_RATIO,
            note=f"non-2xx {ours.saturated.non_2xx}",
        ),
        Row(
            "ingest",
            "server CPU per request at saturation (gunicorn workers)",
            ours.server_cpu_ms,
            "ms",
            bare.server_cpu_ms,
            "bare Flask 202",
        ),
        Row("ingest", f"p50 at {rate} (half of ours)", ours.half.p50_ms, "ms", bare.half.p50_ms, "bare, same rate"),
        Row(
            "ingest",
            f"p99 at {rate} (half of ours)",
            ours.half.p99_ms,
            "ms",
            bare.half.p99_ms,
            "bare, same rate",
            INGEST_P99_MS,
            note=_statuses(ours.half.statuses),
        ),
        Row(
            "ingest",
            "load generator's CPU: wrk at saturation",
            ours.saturated.cpu_seconds / ours.saturated.wall_seconds * 100,
            "% of a CPU",
            bare.saturated.cpu_seconds / bare.saturated.wall_seconds * 100,
            "wrk against bare",
            note=f"fixed-rate client {ours.half.cpu_share * 100:.0f}%",
        ),
    ]


def _statuses(statuses: dict[str, int]) -> str:
    return "answers " + ", ".join(f"{code}: {n}" for code, n in sorted(statuses.items()))


@dataclass(frozen=True)
class PipelineRun:
    """One worker class: our worker draining comments and RQ's draining no-ops."""

    kind: str
    ours: Drain
    noop: Drain
    shipped: bool


def pipeline_rows(runs: list[PipelineRun], profile_ours: Profile, profile_noop: Profile) -> list[Row]:
    rows = []
    for run in runs:
        shipped = " (shipped)" if run.shipped else ""
        rows.append(
            Row(
                "pipeline",
                f"comments/s, one worker process, {CLASS_NAMES[run.kind]}{shipped}",
                run.ours.per_second,
                "/s",
                run.noop.per_second,
                "RQ's no-op, same class",
                PIPELINE_RATIO if run.shipped else None,
                note=f"{run.ours.jobs:,} comments",
            )
        )
    by_kind = {run.kind: run for run in runs}
    if {"fork", "simple"} <= by_kind.keys():
        fork, simple = by_kind["fork"], by_kind["simple"]
        rows.append(
            Row(
                "pipeline",
                "forking's cost per job (1/fork rate - 1/simple rate)",
                1000 / fork.ours.per_second - 1000 / simple.ours.per_second,
                "ms",
                1000 / fork.noop.per_second - 1000 / simple.noop.per_second,
                "RQ's no-op",
            )
        )
    rows += [
        Row("profile", "Redis commands per job", profile_ours.commands, "", profile_noop.commands, "RQ's no-op"),
        Row(
            "profile", "Redis round trips per job", profile_ours.round_trips, "", profile_noop.round_trips, "RQ's no-op"
        ),
    ]
    for stage, ms in profile_ours.stages_ms.items():
        ceiling = profile_noop.stages_ms.get(stage) if stage != "checks" else None
        rows.append(Row("profile", f"{stage}, per job (cProfile)", ms, "ms", ceiling, "RQ's no-op" if ceiling else ""))
    rows.append(
        Row("profile", "total per job (cProfile)", profile_ours.total_ms, "ms", profile_noop.total_ms, "RQ's no-op")
    )
    return rows


def end_to_end_rows(e2e: EndToEnd, shipped: bool) -> list[Row]:
    """p50 and p99 of one end-to-end run; the target is judged on the shipped worker class only."""
    measure = f"submit → decision in the events feed at {e2e.rate:.0f}/s, 2 workers, {CLASS_NAMES[e2e.kind]}" + (
        " (shipped)" if shipped else ""
    )
    note = f"{e2e.decided:,} of {e2e.accepted:,} decided" if e2e.decided < e2e.accepted else ""
    return [
        Row("end to end", f"{measure}, p50", e2e.decided_p50_ms, "ms", e2e.submitted_p50_ms, "202 answered"),
        Row(
            "end to end",
            f"{measure}, p99",
            e2e.decided_p99_ms,
            "ms",
            e2e.submitted_p99_ms,
            "202 answered",
            END_TO_END_P99_MS if shipped else None,
            note=note or _statuses(e2e.statuses),
        ),
    ]


def memory_rows(web: Ingest, bare_web: Ingest, runs: list[PipelineRun]) -> list[Row]:
    web_mark = max(web.rss_at, default=None)
    rows = [
        Row(
            "memory",
            f"web: a gunicorn worker's RSS after {web_mark:,} submissions"
            if web_mark
            else "web: after the ingest runs",
            web.rss_at[web_mark] if web_mark else web.rss_end,
            "MB",
            bare_web.rss_end,
            "bare Flask's",
            note=_marks(web.rss_at),
        )
    ]
    for run in runs:
        last = max(run.ours.rss_at)
        rows.append(
            Row(
                "memory",
                f"worker ({CLASS_NAMES[run.kind]}) RSS after {last:,} comments",
                run.ours.rss_at[last],
                "MB",
                run.noop.rss_at[max(run.noop.rss_at)],
                "RQ's worker",
                WORKER_RSS_MB,
                note=_marks(run.ours.rss_at) if len(run.ours.rss_at) > 1 else "",
            )
        )
        if len(run.ours.rss_at) > 1:
            first = min(run.ours.rss_at)
            rows.append(
                Row(
                    "memory",
                    f"worker ({CLASS_NAMES[run.kind]}) growth, {first:,} → {last:,} comments",
                    _growth(run.ours.rss_at),
                    "%",
                    target=FLAT_GROWTH_PERCENT,
                )
            )
        if run.ours.largest_fork_mb is not None:
            rows.append(
                Row(
                    "memory",
                    "largest work horse (forked per job)",
                    run.ours.largest_fork_mb,
                    "MB",
                    run.noop.largest_fork_mb,
                    "RQ's horse",
                )
            )
    return rows
