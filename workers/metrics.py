"""Figures produced by workers and by web requests' transactions, kept in Redis so any web process exports them.

Workers fork per job and may run on other hosts, so their counters cannot live in process memory: each
figure is a field of one Redis hash, incremented on the pipeline of the transaction it describes (a
decision's count is written in the decision's own EXEC). The web's `/metrics` reads the hash at scrape
time. Histograms keep one count per bucket (not cumulative: one HINCRBY per observation), a sum and a
count; the exporter accumulates the buckets.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from redis import Redis
from redis.client import Pipeline

from .keys import Keys

Kind = Literal["counter", "histogram"]
Labels = Mapping[str, str]

LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)
CHECK_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)
MINUTES_KEPT = 120  # the per-minute decision counts the ops page charts (the last hour) and a margin


@dataclass(frozen=True)
class StoredMetric:
    """A figure kept in Redis: its Prometheus name (without `_total`), type, help and label names."""

    name: str
    kind: Kind
    help: str
    labels: tuple[str, ...] = ()
    buckets: tuple[float, ...] = ()


COMMENTS_RECEIVED = StoredMetric(
    "commentgate_comments_received", "counter", "Comments accepted with 202 (stored and queued)."
)
COMMENTS_DECIDED = StoredMetric(
    "commentgate_comments_decided",
    "counter",
    "Status changes recorded, by the new status, the first reason code ('none' without one) and who decided.",
    ("decision", "reason", "by"),
)
DECISION_LATENCY = StoredMetric(
    "commentgate_decision_latency_seconds",
    "histogram",
    "Seconds from a comment's submission to the pipeline's decision.",
    (),
    LATENCY_BUCKETS,
)
CHECK_DURATION = StoredMetric(
    "commentgate_check_duration_seconds",
    "histogram",
    "Seconds one check took on one comment.",
    ("check",),
    CHECK_BUCKETS,
)
WEBHOOK_DELIVERIES = StoredMetric(
    "commentgate_webhook_deliveries",
    "counter",
    "Webhook delivery attempts by outcome: delivered, failed (will retry), gave_up (last try), skipped, paused.",
    ("outcome",),
)
SWEEPER_REQUEUES = StoredMetric(
    "commentgate_sweeper_requeues",
    "counter",
    "Work the sweeper found lost and queued again: kind=comment (a moderation job) or delivery.",
    ("kind",),
)
STORED_METRICS: tuple[StoredMetric, ...] = (
    COMMENTS_RECEIVED,
    COMMENTS_DECIDED,
    DECISION_LATENCY,
    CHECK_DURATION,
    WEBHOOK_DELIVERIES,
    SWEEPER_REQUEUES,
)


def _labels(metric: StoredMetric, labels: Labels | None) -> str:
    """The label part of a field, in the metric's declared order: `{a="x",b="y"}` or empty."""
    given = dict(labels or {})
    if set(given) != set(metric.labels):
        raise ValueError(f"{metric.name} takes labels {metric.labels}, got {tuple(given)}")
    if not metric.labels:
        return ""
    return "{" + ",".join(f'{name}="{_escape(given[name])}"' for name in metric.labels) + "}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def bucket_bound(metric: StoredMetric, value: float) -> str:
    """The upper bound of the (non-cumulative) bucket `value` falls in, as the field writes it."""
    for bound in metric.buckets:
        if value <= bound:
            return repr(bound)
    return "+Inf"


class MetricsStore:
    """Writes figures on the caller's pipeline (inside its MULTI), and reads them all back for `/metrics`."""

    def __init__(self, keys: Keys) -> None:
        self.keys = keys

    def count(self, pipe: Pipeline, metric: StoredMetric, labels: Labels | None = None, by: int = 1) -> None:
        """Add `by` to a counter."""
        assert metric.kind == "counter"
        pipe.hincrby(self.keys.metrics(), f"{metric.name}_total{_labels(metric, labels)}", by)

    def observe(self, pipe: Pipeline, metric: StoredMetric, value: float, labels: Labels | None = None) -> None:
        """Record one observation of a histogram: its bucket, the sum and the count."""
        assert metric.kind == "histogram" and not math.isnan(value)
        label_part = _labels(metric, labels)
        key = self.keys.metrics()
        pipe.hincrby(key, f"{metric.name}_bucket{label_part}|{bucket_bound(metric, value)}", 1)
        pipe.hincrbyfloat(key, f"{metric.name}_sum{label_part}", value)
        pipe.hincrby(key, f"{metric.name}_count{label_part}", 1)

    def count_minute(self, pipe: Pipeline, decision: str, at: float) -> None:
        """One decision in the minute `at` falls in, for the ops page's last-hour chart."""
        key = self.keys.decisions_minute(int(at // 60))
        pipe.hincrby(key, decision, 1)
        pipe.expire(key, MINUTES_KEPT * 60)

    def read(self, client: Redis) -> dict[str, float]:
        """Every stored field and its value: `name_total{labels}`, `name_bucket{labels}|le`, `name_sum{…}`…"""
        raw = client.hgetall(self.keys.metrics())
        return {field.decode(): float(value) for field, value in raw.items()}

    def minutes(self, client: Redis, now: float, count: int = 60) -> list[tuple[int, dict[str, int]]]:
        """The last `count` minutes up to `now`, oldest first: (minute start, decisions by status)."""
        last = int(now // 60)
        first = last - count + 1
        with client.pipeline(transaction=False) as pipe:
            for minute in range(first, last + 1):
                pipe.hgetall(self.keys.decisions_minute(minute))
            rows = pipe.execute()
        return [
            (minute * 60, {k.decode(): int(v) for k, v in row.items()})
            for minute, row in zip(range(first, last + 1), rows, strict=True)
        ]
