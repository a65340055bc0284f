"""The worker's entry point: one RQ worker on both queues, its scheduler, and the lost-work sweeper."""

from __future__ import annotations

import logging
import os
import signal
import threading
from typing import Any

from redis import Redis
from rq import Queue, Worker
from rq.callbacks import execute_failure_callback
from rq.job import Job, JobStatus

from .checks.profanity import policy_matcher
from .config import Settings
from .exceptions import WorkHorseKilled
from .logs import add_log_context, clear_log_context, configure_logging, job_context
from .policy import Policy
from .queues import ALL_QUEUES
from .runtime import Runtime, using_runtime
from .spam_linear import shipped_base
from .sweeper import sweep_once

log = logging.getLogger("commentgate.worker")


def sweep_forever(rt: Runtime, stop: threading.Event) -> None:
    """At start and every `sweep_every` seconds, sweep, unless another worker or the CLI is sweeping."""
    every = rt.settings.sweep_every
    while True:
        try:
            sweep_once(rt)
        except Exception:
            log.exception("sweep failed; will try again")
        if stop.wait(every):
            return


def warm_up(rt: Runtime | None = None) -> None:
    """Compile (and read) what every job needs before the work horses fork, so each inherits it."""
    policy_matcher(Policy())  # the default policy's word list: what most sites use
    shipped_base()  # the base spam model's weights, read from its file
    if rt is not None:
        rt.authors.id_of("", "warm-up")  # reads the author-id secret once, not once per forked job


class LoggedQueue(Queue):
    """A queue whose dequeued job sets what the worker's log lines are about, from RQ's own first line on."""

    @classmethod
    def dequeue_any(cls, *args: Any, **kwargs: Any) -> tuple[Job, Queue] | None:
        found: tuple[Job, Queue] | None = super().dequeue_any(*args, **kwargs)
        if found is not None:
            # RQ logs the job it picked before the worker sees it: set the ids here, not in execute_job.
            add_log_context(**job_context(found[0]))
        return found


class ModerationWorker(Worker):
    """RQ's forking worker, on both queues, for which a killed work horse is a failure like any other."""

    queue_class = LoggedQueue

    def setup_work_horse_signals(self) -> None:
        """The horse ignores SIGTERM, so a stop sent to every process of the service still lets its job finish."""
        super().setup_work_horse_signals()
        # systemd (KillMode=control-group) signals the horse as well as the worker: the worker's warm stop
        # waits for the job, a cold one (a second SIGTERM) kills the horse with SIGKILL, and a job past
        # its timeout is stopped by SIGALRM, so nothing needs SIGTERM to reach the horse.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)

    def execute_job(self, job: Job, queue: Queue) -> None:
        """Run the job (its work horse inherits the log context), then forget what it was about."""
        try:
            super().execute_job(job, queue)
        finally:
            clear_log_context()

    def handle_work_horse_killed(self, job: Job, retpid: int, ret_val: int, rusage: Any) -> None:
        """Run the job's failure callback, which RQ skips when the horse dies (the OOM killer, a SIGKILL)."""
        super().handle_work_horse_killed(job, retpid, ret_val, rusage)
        if job.get_status(refresh=False) != JobStatus.STARTED:
            # The horse recorded the failure itself (its callback ran, a retry is scheduled), then exited
            # non-zero: running the callback again would count the failure twice.
            return
        exc = WorkHorseKilled(f"the work horse running {job.id} died ({describe_wait_status(ret_val)})")
        try:
            execute_failure_callback(job, self.death_penalty_class, WorkHorseKilled, exc, None)
        except Exception:
            log.exception("failure callback of %s raised; the sweeper will settle it", job.id)


def describe_wait_status(status: int | None) -> str:
    """`killed by signal 9`, `exit status 1`: how a child process ended, from its wait status."""
    if status is not None and os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    if status is not None and os.WIFEXITED(status):
        return f"exit status {os.WEXITSTATUS(status)}"
    return f"wait status {status}"


def worker_connection(settings: Settings) -> Redis:
    """The worker's Redis client, with a socket timeout longer than RQ's blocking wait on its queues."""
    # RQ raises the pool's timeout when the worker is built, but connections opened before that
    # (the sweeper's, the warm-up's) keep redis-py's default 5 s: a BLPOP on one of them timed
    # out and RQ backed off for up to a minute, picking up no job meanwhile.
    return Redis.from_url(settings.redis_url, socket_timeout=settings.worker_ttl + 10, socket_connect_timeout=5)


def build_worker(connection: Redis, settings: Settings, worker_class: type[Worker] = ModerationWorker) -> Worker:
    """A forking worker whose heartbeat and maintenance find a dead worker's job within about two minutes."""
    return worker_class(
        list(ALL_QUEUES),
        connection=connection,
        worker_ttl=settings.worker_ttl,
        maintenance_interval=settings.maintenance_interval,
        job_monitoring_interval=settings.job_monitoring_interval,
    )


def run_worker(settings: Settings, burst: bool = False, worker_class: type[Worker] = ModerationWorker) -> bool:
    """Run until stopped (or, with `burst`, until the queues are empty)."""
    if not settings.redis_url:
        raise RuntimeError("REDIS_URL is not set")
    configure_logging(settings.log_format)
    connection = worker_connection(settings)
    rt = Runtime(connection, settings)
    warm_up(rt)
    stop = threading.Event()
    sweeper = threading.Thread(target=sweep_forever, args=(rt, stop), name="sweeper", daemon=True)
    sweeper.start()
    try:
        with using_runtime(rt):
            return bool(build_worker(connection, settings, worker_class).work(burst=burst, with_scheduler=True))
    finally:
        stop.set()
