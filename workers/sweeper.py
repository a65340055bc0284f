"""One sweep at a time: the lock every worker's sweeper and `commentgate sweep` take before sweeping."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from redis.exceptions import LockError

from .pipeline_decision import sweep_lost
from .recovery import SETTLE_SECONDS, sweep_stuck_deliveries
from .runtime import Runtime

log = logging.getLogger("commentgate.sweeper")

# How long a sweeper that died holding the lock keeps others out. Renewed after each page, so it
# need only outlast one page: its settle wait and its re-queues.
LOCK_SECONDS = max(30, int(4 * SETTLE_SECONDS))


@dataclass(frozen=True)
class Swept:
    requeued: list[str]
    settled: list[str]


def sweep_lock_key(rt: Runtime) -> str:
    return f"{rt.keys.prefix}:sweeper"


def sweep_once(rt: Runtime) -> Swept | None:
    """Re-queue lost moderation jobs and settle stuck deliveries; None when another sweep holds the lock."""
    # redis-py's Lock: a random token per holder, renewed and released only by that holder (compare-and-delete).
    lock = rt.connection.lock(sweep_lock_key(rt), timeout=LOCK_SECONDS, blocking=False)
    if not lock.acquire():
        return None
    try:
        return Swept(sweep_lost(rt, renew=lock.reacquire), sweep_stuck_deliveries(rt, renew=lock.reacquire))
    finally:
        try:
            lock.release()
        except LockError:  # expired mid-sweep; whoever holds it now keeps it
            log.warning("the sweep lock expired before the sweep ended")
