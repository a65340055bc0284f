"""Figures read from Redis at scrape time: what workers counted, the queues, the workers, the backlog.

Reads only (HGETALL, LLEN, ZCARD, HMGET, SCARD, TIME): a scrape changes no key. RQ's own registry
`count` and `Worker.all()` clean up as they read, so workers/queue_health.py reads the keys directly.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.utils import floatToGoString
from redis.exceptions import RedisError

from workers.metrics import STORED_METRICS, StoredMetric
from workers.queue_health import QueueFigures, WorkerFigures, oldest_queued_age, queue_figures, redis_now, workers
from workers.runtime import Runtime

log = logging.getLogger(__name__)

REGISTRY_STATES = ("started", "failed", "scheduled", "deferred")
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
_UNESCAPE = re.compile(r"\\(.)")


@dataclass(frozen=True)
class RedisReading:
    """Everything one scrape reads from Redis, taken before any family is built."""

    stored: dict[str, float]
    queues: list[QueueFigures]
    workers: list[WorkerFigures]
    paused_endpoints: int
    comments_queued: int
    oldest_comment_age: float | None


def read_redis(rt: Runtime) -> RedisReading:
    """One scrape's reads, against Redis's clock."""
    connection = rt.connection
    now = redis_now(connection)
    return RedisReading(
        stored=rt.metrics.read(connection),
        queues=queue_figures(connection, now),
        workers=workers(connection, rt.settings.worker_ttl, now),
        paused_endpoints=connection.scard(rt.keys.paused_endpoints()),
        comments_queued=connection.zcard(rt.keys.queued()),
        oldest_comment_age=oldest_queued_age(connection, rt.keys, now),
    )


def _label_values(metric: StoredMetric, label_part: str) -> tuple[str, ...]:
    """`{a="x",b="y"}` (as workers/metrics.py writes it) back to the values in the metric's label order."""
    found = {
        name: _UNESCAPE.sub(lambda m: "\n" if m[1] == "n" else m[1], value)
        for name, value in _LABEL.findall(label_part)
    }
    return tuple(found.get(name, "") for name in metric.labels)


def _series(stored: dict[str, float], sample: str) -> Iterator[tuple[str, float]]:
    """(label part, value) of each stored field of one sample name (`name_total`, `name_count`)."""
    for field, value in stored.items():
        rest = field[len(sample) :]
        if field.startswith(sample) and (rest == "" or rest.startswith("{")):
            yield rest, value


def stored_families(stored: dict[str, float]) -> Iterator[Metric]:
    """Counters and histograms from the stored fields; buckets accumulated into Prometheus's cumulative `le`."""
    for metric in STORED_METRICS:
        if metric.kind == "counter":
            counter = CounterMetricFamily(metric.name, metric.help, labels=metric.labels)
            rows = dict(_series(stored, f"{metric.name}_total"))
            if not metric.labels:
                rows.setdefault("", 0.0)  # a counter without labels exists from the start, at 0
            for label_part, value in sorted(rows.items()):
                counter.add_metric(_label_values(metric, label_part), value)
            yield counter
        else:
            yield _histogram(metric, stored)


def _histogram(metric: StoredMetric, stored: dict[str, float]) -> HistogramMetricFamily:
    family = HistogramMetricFamily(metric.name, metric.help, labels=metric.labels)
    series = sorted(label_part for label_part, _ in _series(stored, f"{metric.name}_count"))
    if not metric.labels and not series:
        series = [""]
    for label_part in series:
        running = 0.0
        buckets = []
        for bound in (*(repr(b) for b in metric.buckets), "+Inf"):
            running += stored.get(f"{metric.name}_bucket{label_part}|{bound}", 0.0)
            buckets.append((bound if bound == "+Inf" else floatToGoString(float(bound)), running))
        total = stored.get(f"{metric.name}_sum{label_part}", 0.0)
        family.add_metric(_label_values(metric, label_part), buckets, total)
    return family


def _gauge(name: str, help_text: str, labels: tuple[str, ...], rows: Iterable[tuple[tuple[str, ...], float]]) -> Metric:
    family = GaugeMetricFamily(name, help_text, labels=labels)
    for values, value in rows:
        family.add_metric(values, value)
    return family


def live_families(reading: RedisReading) -> Iterator[Metric]:
    """Gauges of the state right now: queues, workers, paused endpoints, the comments' backlog."""
    queues = reading.queues
    yield _gauge(
        "commentgate_queue_depth", "Jobs waiting in an RQ queue.", ("queue",), (((q.name,), q.depth) for q in queues)
    )
    yield _gauge(
        "commentgate_queue_oldest_job_age_seconds",
        "Seconds the first job waiting in an RQ queue has waited (0 when the queue is empty).",
        ("queue",),
        (((q.name,), q.oldest_seconds or 0.0) for q in queues),
    )
    yield _gauge(
        "commentgate_queue_jobs",
        "Jobs in an RQ queue's registries: started, failed, scheduled, deferred.",
        ("queue", "state"),
        (((q.name, state), getattr(q, state)) for q in queues for state in REGISTRY_STATES),
    )
    alive = [w for w in reading.workers if w.alive]
    yield _gauge(
        "commentgate_workers_alive", "RQ workers whose heartbeat is younger than worker_ttl.", (), [((), len(alive))]
    )
    yield _gauge(
        "commentgate_workers_busy", "Live RQ workers running a job now.", (), [((), sum(w.busy for w in alive))]
    )
    yield _gauge(
        "commentgate_webhook_endpoints_paused",
        "Sites whose webhook endpoint is paused after failing too often in a row.",
        (),
        [((), reading.paused_endpoints)],
    )
    yield _gauge(
        "commentgate_comments_queued", "Comments submitted and not yet decided.", (), [((), reading.comments_queued)]
    )
    yield _gauge(
        "commentgate_comments_queued_oldest_age_seconds",
        "Seconds the oldest undecided comment has waited (0 when none waits).",
        (),
        [((), reading.oldest_comment_age or 0.0)],
    )


class RedisCollector:
    """The Redis figures at each scrape; when Redis does not answer, only `commentgate_redis_up 0`."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def collect(self) -> Iterator[Metric]:
        try:
            reading = read_redis(self.rt)
        except (RedisError, OSError) as exc:
            log.warning("metrics: Redis does not answer: %s", exc)
            yield _gauge("commentgate_redis_up", "1 when Redis answered this scrape, else 0.", (), [((), 0)])
            return
        yield _gauge("commentgate_redis_up", "1 when Redis answered this scrape, else 0.", (), [((), 1)])
        yield from stored_families(reading.stored)
        yield from live_families(reading)
