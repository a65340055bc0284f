"""The operator's picture at a glance: readiness, queues, workers, webhook endpoints, the decision mix, a health word.

`commentgate status` prints it and the ops page renders it. Plain reads only: a picture taken while
comments flow changes no key (RQ's registry counts and `Worker.all()` would clean up as they read).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from redis.exceptions import RedisError

from .queue_health import QueueFigures, Readiness, WorkerFigures, check_readiness, queue_figures, redis_now, workers
from .redis_policy import eviction_warning
from .runtime import Runtime
from .store import decode
from .webhooks import redact_url

log = logging.getLogger(__name__)

Health = Literal["healthy", "degraded", "down"]
# What `commentgate status` exits with, so cron and monitoring can act on the word.
EXIT_CODES: dict[str, int] = {"healthy": 0, "degraded": 1, "down": 2}


@dataclass(frozen=True)
class EndpointFigures:
    """One site's webhook endpoint: where it points (redacted), its failure streak, paused or not, what waits."""

    site_id: str
    site_name: str
    url: str
    failing_in_a_row: int
    paused: bool
    waiting: int


@dataclass(frozen=True)
class Picture:
    """Everything an operator needs to judge whether comments flow, taken at one moment of Redis's clock."""

    taken_at: float | None  # Redis's clock; None when Redis did not answer
    readiness: Readiness
    queues: list[QueueFigures] = field(default_factory=list)
    workers: list[WorkerFigures] = field(default_factory=list)
    endpoints: list[EndpointFigures] = field(default_factory=list)
    decision_mix: dict[str, int] = field(default_factory=dict)  # the last hour, by status
    minutes: list[tuple[int, dict[str, int]]] = field(default_factory=list)  # the last 60, oldest first
    eviction_warning: str | None = None
    health: Health = "healthy"
    reasons: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.health]

    def as_dict(self) -> dict[str, Any]:
        """The picture as JSON-ready values (`commentgate status --json`)."""
        return {
            "health": self.health,
            "reasons": list(self.reasons),
            "taken_at": self.taken_at,
            "readiness": self.readiness.as_dict(),
            "queues": [asdict(q) for q in self.queues],
            "workers": [{**asdict(w), "busy": w.busy} for w in self.workers],
            "endpoints": [asdict(e) for e in self.endpoints],
            "decision_mix": dict(self.decision_mix),
            "minutes": [{"minute": start, "decisions": counts} for start, counts in self.minutes],
            "eviction_warning": self.eviction_warning,
        }


def take_picture(rt: Runtime) -> Picture:
    """Read the whole picture; a Redis that does not answer gives `down`, never an exception."""
    settings = rt.settings
    readiness = check_readiness(rt.connection, rt.keys, settings.worker_ttl, settings.ready_queue_age)
    if not readiness.redis_ok:
        return Picture(taken_at=None, readiness=readiness, health="down", reasons=["Redis does not answer"])
    try:
        now = redis_now(rt.connection)
        minutes = rt.metrics.minutes(rt.connection, now)
        picture = Picture(
            taken_at=now,
            readiness=readiness,
            queues=queue_figures(rt.connection, now),
            workers=workers(rt.connection, settings.worker_ttl, now),
            endpoints=endpoint_figures(rt),
            decision_mix=_mix(minutes),
            minutes=minutes,
            eviction_warning=eviction_warning(rt.connection),
        )
    except (RedisError, OSError) as exc:
        # Redis went away between the readiness check and the rest: the same answer as not answering.
        log.warning("status: Redis stopped answering: %s", exc)
        return Picture(taken_at=None, readiness=readiness, health="down", reasons=["Redis does not answer"])
    health, reasons = judge(picture)
    return replace(picture, health=health, reasons=reasons)


def judge(picture: Picture) -> tuple[Health, list[str]]:
    """The health word and why: down stops comments; degraded is something an operator should look at."""
    readiness = picture.readiness
    if not readiness.redis_ok:
        return "down", ["Redis does not answer"]
    stopped = [] if readiness.workers_ok else ["no live worker: queued comments are not being decided"]
    concerns = []
    if not readiness.queue_age_ok:
        concerns.append(
            f"the oldest queued comment has waited {readiness.oldest_seconds:.0f} s (limit {readiness.limit_seconds} s)"
        )
    concerns += [f"{q.failed} failed job(s) in {q.name}" for q in picture.queues if q.failed]
    concerns += [f"webhook endpoint of {e.site_id} is paused" for e in picture.endpoints if e.paused]
    if picture.eviction_warning:
        concerns.append(picture.eviction_warning)
    # Every reason is listed, the one that stops comments first: a dead worker with failed jobs needs both.
    health: Health = "down" if stopped else "degraded" if concerns else "healthy"
    return health, stopped + concerns


def endpoint_figures(rt: Runtime) -> list[EndpointFigures]:
    """Every site with a webhook URL: its redacted URL, failure streak, pause and waiting deliveries."""
    keys = rt.keys
    site_ids = rt.sites.all_ids()
    if not site_ids:
        return []
    with rt.connection.pipeline(transaction=False) as pipe:
        for site_id in site_ids:
            pipe.hmget(keys.site(site_id), ("name", "webhook_url"))
            pipe.get(keys.webhook_streak(site_id))
        pipe.smembers(keys.paused_endpoints())
        rows = pipe.execute()
    paused = {decode(s) for s in rows[-1]}
    found = []
    for i, site_id in enumerate(site_ids):
        (name, url), streak = rows[2 * i], rows[2 * i + 1]
        if not url:
            continue
        found.append(
            EndpointFigures(
                site_id=site_id,
                site_name=decode(name),
                url=redact_url(decode(url)),
                failing_in_a_row=int(streak or 0),
                paused=site_id in paused,
                waiting=rt.deliveries.waiting(site_id),
            )
        )
    return found


def _mix(minutes: list[tuple[int, dict[str, int]]]) -> dict[str, int]:
    """Decisions of the given minutes summed by status."""
    mix: dict[str, int] = {}
    for _, counts in minutes:
        for status, n in counts.items():
            mix[status] = mix.get(status, 0) + n
    return dict(sorted(mix.items()))
