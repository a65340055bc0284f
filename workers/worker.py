"""The worker's entry point: one RQ worker on both queues, its scheduler, and the lost-job sweeper."""

from __future__ import annotations

import logging
import threading

from redis import Redis
from rq import Worker

from .checks.profanity import policy_matcher
from .config import Settings
from .moderation import sweep_lost
from .policy import Policy
from .queues import ALL_QUEUES
from .runtime import Runtime, use_runtime

log = logging.getLogger("commentgate.worker")
SWEEP_EVERY = 60  # seconds between sweeps; one worker at a time holds the sweep lock


def sweep_forever(rt: Runtime, stop: threading.Event) -> None:
    """Every minute, one worker re-queues comments whose moderation job was lost."""
    lock_key = f"{rt.keys.prefix}:sweeper"
    while not stop.wait(SWEEP_EVERY):
        try:
            if rt.connection.set(lock_key, "1", nx=True, ex=SWEEP_EVERY - 5):
                requeued = sweep_lost(rt)
                if requeued:
                    log.warning("sweeper re-queued %d lost comment(s): %s", len(requeued), requeued)
        except Exception:
            log.exception("sweep failed; will try again")


def warm_up() -> None:
    """Compile what every job needs before the work horses fork, so each inherits it."""
    policy_matcher(Policy())  # the default policy's word list: what most sites use


def build_worker(connection: Redis, settings: Settings) -> Worker:
    """A forking worker whose heartbeat and maintenance find a dead worker's job within about two minutes."""
    return Worker(
        list(ALL_QUEUES),
        connection=connection,
        worker_ttl=settings.worker_ttl,
        maintenance_interval=settings.maintenance_interval,
        job_monitoring_interval=settings.job_monitoring_interval,
    )


def run_worker(settings: Settings, burst: bool = False) -> bool:
    """Run until stopped (or, with `burst`, until the queues are empty)."""
    if not settings.redis_url:
        raise RuntimeError("REDIS_URL is not set")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    connection = Redis.from_url(settings.redis_url)
    rt = Runtime(connection, settings)
    warm_up()
    use_runtime(rt)
    stop = threading.Event()
    sweeper = threading.Thread(target=sweep_forever, args=(rt, stop), name="sweeper", daemon=True)
    sweeper.start()
    try:
        return bool(build_worker(connection, settings).work(burst=burst, with_scheduler=True))
    finally:
        stop.set()
