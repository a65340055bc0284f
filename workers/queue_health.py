"""Whether comments are flowing: Redis answers, a worker is alive, the oldest queued comment is young.

Read-only: RQ's `Worker.all()` and registry counts may clean up keys as they read, so the worker
registry and each worker's heartbeat are read directly; nothing here writes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from redis import Redis
from redis.exceptions import RedisError
from rq.queue import Queue
from rq.registry import DeferredJobRegistry, FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry
from rq.utils import utcparse
from rq.worker_registration import REDIS_WORKER_KEYS

from .keys import Keys
from .queues import ALL_QUEUES

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Readiness:
    """The three checks an orchestrator needs, and the limits they were judged by."""

    redis_ok: bool
    workers_alive: int
    oldest_seconds: float | None  # None: nothing queued (or Redis did not answer)
    limit_seconds: int

    @property
    def workers_ok(self) -> bool:
        return self.workers_alive > 0

    @property
    def queue_age_ok(self) -> bool:
        return self.redis_ok and (self.oldest_seconds is None or self.oldest_seconds < self.limit_seconds)

    @property
    def ready(self) -> bool:
        return self.redis_ok and self.workers_ok and self.queue_age_ok

    def as_dict(self) -> dict[str, Any]:
        """The `/readyz` body: no hosts, ports or error text, only figures."""
        oldest = None if self.oldest_seconds is None else round(self.oldest_seconds, 1)
        return {
            "ready": self.ready,
            "checks": {
                "redis": {"ok": self.redis_ok},
                "workers": {"ok": self.workers_ok, "alive": self.workers_alive},
                "queue_age": {"ok": self.queue_age_ok, "oldest_seconds": oldest, "limit_seconds": self.limit_seconds},
            },
        }


def redis_now(connection: Redis) -> float:
    """Redis's clock (TIME), the one clock web and workers on different hosts share."""
    seconds, micros = connection.time()
    return float(seconds) + micros / 1_000_000


@dataclass(frozen=True)
class WorkerFigures:
    """One registered RQ worker as its own key describes it."""

    name: str
    state: str  # RQ's: idle, busy, suspended, started, ...
    current_job: str | None
    hostname: str
    pid: int | None
    queues: tuple[str, ...]
    heartbeat_age: float | None  # seconds since its last heartbeat (None: never beat)
    alive: bool  # heartbeat younger than worker_ttl

    @property
    def busy(self) -> bool:
        return self.alive and self.state == "busy"


_WORKER_FIELDS = ("state", "current_job", "hostname", "pid", "queues", "last_heartbeat")


def workers(connection: Redis, worker_ttl: int, now: float) -> list[WorkerFigures]:
    """Every registered worker, read from its key (RQ's `Worker.all()` would clean up as it reads)."""
    worker_keys = sorted(k.decode() for k in connection.smembers(REDIS_WORKER_KEYS))
    if not worker_keys:
        return []
    with connection.pipeline(transaction=False) as pipe:
        for key in worker_keys:
            pipe.hmget(key, _WORKER_FIELDS)
        rows: list[list[bytes | None]] = pipe.execute()
    found = []
    for key, row in zip(worker_keys, rows, strict=True):
        state, job, hostname, pid, queues, beat = (v.decode() if v is not None else None for v in row)
        # A worker that died without unregistering stays in the set until its key expires; its stale
        # heartbeat, not its presence, says it is gone.
        age = max(0.0, now - utcparse(beat).timestamp()) if beat else None
        found.append(
            WorkerFigures(
                name=key.rpartition(":")[2],
                state=state or "?",
                current_job=job or None,
                hostname=hostname or "",
                pid=int(pid) if pid else None,
                queues=tuple(q for q in (queues or "").split(",") if q),
                heartbeat_age=age,
                alive=age is not None and age < worker_ttl,
            )
        )
    return found


def live_workers(connection: Redis, worker_ttl: int, now: float) -> int:
    """RQ workers whose last heartbeat is younger than `worker_ttl` seconds."""
    return sum(1 for worker in workers(connection, worker_ttl, now) if worker.alive)


@dataclass(frozen=True)
class QueueFigures:
    """One RQ queue: jobs waiting, how long the first has waited, and its registries' sizes."""

    name: str
    depth: int
    oldest_seconds: float | None  # None: empty
    started: int
    failed: int
    scheduled: int
    deferred: int


def queue_figures(connection: Redis, now: float, names: tuple[str, ...] = ALL_QUEUES) -> list[QueueFigures]:
    """Each queue's figures from plain reads (LLEN, ZCARD, HGET): RQ's `count` would clean up first."""
    registries = (StartedJobRegistry, FailedJobRegistry, ScheduledJobRegistry, DeferredJobRegistry)
    with connection.pipeline(transaction=False) as pipe:
        for name in names:
            queue_key = Queue.redis_queue_namespace_prefix + name
            pipe.llen(queue_key)
            pipe.lindex(queue_key, 0)
            for registry in registries:
                pipe.zcard(registry.key_template.format(name))
        rows = pipe.execute()
    width = 2 + len(registries)
    firsts = [rows[i * width + 1] for i in range(len(names))]
    with connection.pipeline(transaction=False) as pipe:
        for first in firsts:
            # An empty queue's place is kept by a read of a key that never exists.
            job_key = Queue.job_class.redis_job_namespace_prefix + (first.decode() if first else "")
            pipe.hget(job_key, "enqueued_at")
        enqueued = pipe.execute()
    figures = []
    for i, name in enumerate(names):
        depth, _, started, failed, scheduled, deferred = rows[i * width : (i + 1) * width]
        at = enqueued[i]
        oldest = max(0.0, now - utcparse(at.decode()).timestamp()) if at else None
        figures.append(QueueFigures(name, depth, oldest, started, failed, scheduled, deferred))
    return figures


def oldest_queued_age(connection: Redis, keys: Keys, now: float) -> float | None:
    """Seconds the oldest undecided comment has waited, or None when none waits."""
    oldest = connection.zrange(keys.queued(), 0, 0, withscores=True)
    return max(0.0, now - oldest[0][1]) if oldest else None


def check_readiness(connection: Redis, keys: Keys, worker_ttl: int, limit_seconds: int) -> Readiness:
    """Every check, from one Redis clock reading; a Redis that does not answer fails them all."""
    try:
        connection.ping()
        now = redis_now(connection)
        alive = live_workers(connection, worker_ttl, now)
        oldest = oldest_queued_age(connection, keys, now)
    except (RedisError, OSError) as exc:
        # redis-py's errors name the host and port but never the password; the answer names neither.
        log.warning("readiness: Redis does not answer: %s", exc)
        return Readiness(redis_ok=False, workers_alive=0, oldest_seconds=None, limit_seconds=limit_seconds)
    return Readiness(redis_ok=True, workers_alive=alive, oldest_seconds=oldest, limit_seconds=limit_seconds)
