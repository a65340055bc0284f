"""Failed RQ jobs for operators: list them with their traceback, requeue or delete them.

Listing is read-only (the registry's ids without RQ's clean-up, then the job hashes and their latest
result). A requeued job runs again from the start on the next free worker, as any queued job: its
function re-reads the store, so running it again is safe (see docs/operations.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job
from rq.registry import FailedJobRegistry
from rq.results import Result

from .queues import ALL_QUEUES
from .runtime import Runtime


class UnknownQueue(ValueError):
    """A queue name commentgate does not use."""


@dataclass(frozen=True)
class FailedJob:
    """One job in a queue's failed registry, as an operator needs to judge it."""

    id: str
    queue: str
    description: str
    exc_info: str  # the traceback of its last failure ("" when RQ kept none)
    ended_at: datetime | None


def _queue_names(queue: str | None) -> tuple[str, ...]:
    if queue is None:
        return ALL_QUEUES
    if queue not in ALL_QUEUES:
        raise UnknownQueue(f"no queue {queue!r}; the queues are {', '.join(ALL_QUEUES)}")
    return (queue,)


def _registry(rt: Runtime, queue: str) -> FailedJobRegistry:
    return FailedJobRegistry(queue, connection=rt.connection)


def failed_jobs(rt: Runtime, queue: str | None = None, limit: int = 100) -> list[FailedJob]:
    """Up to `limit` failed jobs per queue, most recently failed first; nothing is cleaned up or changed."""
    found = []
    for name in _queue_names(queue):
        ids = _registry(rt, name).get_job_ids(0, limit - 1, desc=True, cleanup=False)
        for job_id, job in zip(ids, Job.fetch_many(ids, connection=rt.connection), strict=True):
            if job is None:  # its hash expired (failure_ttl) before the registry's entry did
                continue
            latest = job.latest_result()
            failed = latest is not None and latest.type == Result.Type.FAILED
            found.append(
                FailedJob(
                    id=job_id,
                    queue=name,
                    description=job.description or "",
                    exc_info=(latest.exc_string or "") if failed and latest else "",
                    ended_at=job.ended_at,
                )
            )
    return found


def _failed_job(rt: Runtime, job_id: str) -> tuple[Job, FailedJobRegistry] | None:
    """The job and its failed registry, or None when it is not a failed job of one of our queues."""
    try:
        job = Job.fetch(job_id, connection=rt.connection)
    except (NoSuchJobError, ValueError):  # ValueError: not even the shape of a job id
        return None
    if job.origin not in ALL_QUEUES:
        return None
    registry = _registry(rt, job.origin)
    if rt.connection.zscore(registry.key, job_id) is None:
        return None
    return job, registry


def requeue(rt: Runtime, job_id: str) -> bool:
    """Put one failed job back on its queue; False when there is no such failed job."""
    found = _failed_job(rt, job_id)
    if found is None:
        return False
    job, registry = found
    try:
        registry.requeue(job)
    except InvalidJobOperation:  # requeued or deleted by someone else since it was read
        return False
    return True


def delete(rt: Runtime, job_id: str) -> bool:
    """Delete one failed job and its results for good; False when there is no such failed job."""
    found = _failed_job(rt, job_id)
    if found is None:
        return False
    job, _ = found
    job.delete()
    return True


def requeue_all(rt: Runtime, queue: str | None = None) -> int:
    """Requeue every failed job (of one queue, or of all); returns how many went back."""
    requeued = 0
    for name in _queue_names(queue):
        for job_id in _registry(rt, name).get_job_ids(cleanup=False):
            requeued += requeue(rt, job_id)
    return requeued
