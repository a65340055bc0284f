"""Where an RQ job really is, read straight from RQ's keys, and what the sweepers do with the ones nowhere.

A job's status says where RQ meant to put it, not where it is: a worker killed just after popping
a job, or just after writing its `wip` entry, leaves a job whose hash says `queued` in no list or
registry. So liveness is decided by place. The reads go to the keys themselves (LRANGE, ZRANGE,
ZRANGEBYSCORE), because RQ's registry reads (`count`, `get_job_ids`) run its clean-up as a side
effect, and that clean-up deletes the very `wip` entries this looks at.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import islice

from redis import Redis
from redis.client import Pipeline
from redis.exceptions import WatchError
from rq.job import Job, JobStatus
from rq.queue import Queue

from .endpoint_pause import finish_left_resumes
from .metrics import SWEEPER_REQUEUES
from .runtime import Runtime
from .store import decode

log = logging.getLogger("commentgate.sweeper")

# A live worker holds a popped job outside every place for milliseconds; a worker stalled by a
# GC pause or a slow Redis round trip for longer. Cheap to wait: only comments 90 s old are looked at.
SETTLE_SECONDS = 5.0
PAGE = 500  # owners looked at per page; the sweep lock is renewed after each


# Which of ARGV's job ids RQ will not run: in neither list (KEYS 1-2), neither registry (KEYS 3-4),
# and with no `wip` entry (KEYS 5) unexpired by Redis's clock. The test runs in Redis, a page of ids
# at a time: only the missing ids come back, never the lists themselves.
MISSING_JOBS = """
local places = {}
for i = 1, 2 do
  for _, id in ipairs(redis.call('LRANGE', KEYS[i], 0, -1)) do places[id] = true end
end
local t = redis.call('TIME')
local now = string.format('%d.%06d', t[1], t[2])
for _, entry in ipairs(redis.call('ZRANGEBYSCORE', KEYS[5], now, '+inf')) do
  places[string.match(entry, '^(.*):[^:]*$') or entry] = true
end
local missing = {}
for _, id in ipairs(ARGV) do
  if not places[id] and not redis.call('ZSCORE', KEYS[3], id) and not redis.call('ZSCORE', KEYS[4], id) then
    missing[#missing + 1] = id
  end
end
return missing
"""


def missing_jobs(connection: Redis, queue: Queue, job_ids: Iterable[str]) -> set[str]:
    """The ids among `job_ids` that RQ will not run: not queued, not waiting to retry, not running."""
    ids = list(job_ids)
    if not ids:
        return set()
    # `wip` scores come from the clock of the worker's host: the script compares them with Redis's.
    keys = [
        queue.key,
        queue.intermediate_queue_key,
        queue.scheduled_job_registry.key,
        queue.deferred_job_registry.key,
        queue.started_job_registry.key,
    ]
    return {decode(job_id) for job_id in connection.register_script(MISSING_JOBS)(keys=keys, args=ids)}


def lost_jobs(
    connection: Redis,
    queue: Queue,
    jobs: Mapping[str, str],
    settle: float = SETTLE_SECONDS,
    pause: Callable[[float], object] = time.sleep,
) -> dict[str, str]:
    """The entries of `jobs` (owner id → job id) whose job is nowhere, twice, `settle` seconds apart.

    Between RQ's pop and its `wip` entry a live worker's job is briefly nowhere; looking twice keeps
    the sweeper from queuing a second copy of a job that is merely being picked up.
    """
    missing = missing_jobs(connection, queue, jobs.values())
    suspects = {owner: job_id for owner, job_id in jobs.items() if job_id in missing}
    if not suspects or settle <= 0:
        return suspects
    pause(settle)
    missing = missing_jobs(connection, queue, suspects.values())
    return {owner: job_id for owner, job_id in suspects.items() if job_id in missing}


def pages(items: Iterable[str], size: int = PAGE) -> Iterator[list[str]]:
    """`items` in lists of at most `size`, read lazily."""
    it = iter(items)
    while page := list(islice(it, size)):
        yield page


def stale_executions(connection: Redis | Pipeline, queue: Queue, job_id: str) -> list[bytes]:
    """The `wip` entries a lost job left behind: RQ's clean-up would retry the job from them once expired."""
    prefix = f"{job_id}:".encode()
    return [entry for entry in connection.zrange(queue.started_job_registry.key, 0, -1) if entry.startswith(prefix)]


def sweep_stuck_deliveries(
    rt: Runtime, now: float | None = None, settle: float = SETTLE_SECONDS, renew: Callable[[], object] = lambda: None
) -> list[str]:
    """Deliveries `pending` longer than `sweep_after` whose job is nowhere: queued again, or failed when spent.

    First, what resumes cut short left waiting is queued (it is `paused`, on no index looked at below).
    """
    finish_left_resumes(rt, now)
    cutoff = (now or time.time()) - rt.settings.sweep_after
    settled: list[str] = []
    for page in pages(rt.deliveries.pending_before(cutoff, PAGE), PAGE):
        # Read before looking for the jobs: a sweep that re-queued one meanwhile has counted it.
        seen = rt.deliveries.requeues_of(page)
        jobs = dict(zip(page, rt.deliveries.job_ids_of(page), strict=True))  # a resumed one has its own
        for event_id, job_id in lost_jobs(rt.connection, rt.queues.webhooks, jobs, settle).items():
            if requeue_delivery(rt, event_id, job_id, seen[event_id]):
                settled.append(event_id)
        renew()
    if settled:
        log.warning("sweeper settled %d delivery(ies) stuck in pending: %s", len(settled), settled[:20])
    return settled


def requeue_delivery(rt: Runtime, event_id: str, job_id: str, seen_requeues: bytes | None) -> bool:
    """Queue the lost delivery again (or mark it failed when spent), unless it moved since the sweep looked."""
    budget = 1 + len(rt.settings.webhook_retries)
    deliveries = rt.deliveries
    with rt.connection.pipeline() as pipe:
        try:
            # A compare-and-set: another sweep or a worker touching the record or the job aborts it.
            pipe.watch(deliveries.key(event_id), Job.key_for(job_id))
            record = deliveries.read_watched(pipe, event_id)
            if record.state != "pending":
                pipe.multi()
                deliveries.unpend(pipe, event_id)
                pipe.execute()
                return False
            if record.requeues != seen_requeues:
                return False  # another sweep queued it again after this one looked
            if record.job_id != job_id:
                return False  # a resume gave it a job of its own after this sweep looked; that one runs
            failed = decode(pipe.hget(Job.key_for(job_id), "status")) == JobStatus.FAILED
            stale = stale_executions(pipe, rt.queues.webhooks, job_id)
            pipe.multi()
            if record.attempts >= budget or failed:
                error = "its job ended or vanished without recording the delivery, and no try is left"
                deliveries.settle(pipe, event_id, "failed", {"failed_at": repr(time.time()), "last_error": error})
                deliveries.count_outcome(pipe, "gave_up")  # its last try never reported back
            else:
                rt.queues.enqueue_delivery(event_id, pipeline=pipe, job_id=job_id)
                deliveries.count_requeue(pipe, event_id)
                rt.metrics.count(pipe, SWEEPER_REQUEUES, {"kind": "delivery"})
            if stale:  # else RQ's clean-up would retry the dead execution too
                pipe.zrem(rt.queues.webhooks.started_job_registry.key, *stale)
            pipe.execute()
        except WatchError:
            return False
    return True
