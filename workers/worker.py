"""The worker's entry point: one RQ worker on both queues, its scheduler, and the lost-work sweeper."""

from __future__ import annotations

import logging
import os
import signal
import threading
from typing import Any

import redis
from redis import Redis
from redis.utils import get_lib_version
from rq import Queue, SimpleWorker, Worker
from rq.callbacks import execute_failure_callback
from rq.job import Job, JobStatus
from rq.worker.base import BaseWorker

from . import jobs  # noqa: F401  RQ imports each job's function by name: imported here, every horse inherits it
from .checks import CheckContext
from .checks.profanity import policy_matcher
from .config import Settings
from .exceptions import WorkHorseKilled
from .logs import add_log_context, clear_log_context, configure_logging, job_context
from .models import Author, Client, Comment, Status
from .pipeline import decide
from .policy import Policy, stored_policy
from .queues import ALL_QUEUES
from .runtime import Runtime, using_runtime
from .spam_features import features
from .spam_linear import shipped_base
from .spam_model import SpamScore, probability_of
from .store import comment_from_hash, comment_to_hash
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


# A comment that takes every check's path once: a link, a mild word, a name and an address.
WARM_UP_COMMENT = Comment(
    id="warm-up",
    site_id="warm-up",
    thread_id="warm-up",
    body="Read the figures at https://example.org/report before you call this damn plan a success.",
    author=Author(name="Warm Up", email="warm-up@example.org", url="https://example.org"),
    client=Client(ip="192.0.2.1"),
    status=Status.QUEUED,
    created_at=0.0,
)


def warm_up(rt: Runtime | None = None) -> None:
    """Import, compile and read what every job needs before the work horses fork, so each inherits it.

    A forked horse pays for whatever it does first (a module's import, a regex's compile, a lazily
    built table), once per job: so one comment goes through the checks here, with no Redis.
    """
    policy = Policy()
    policy_matcher(policy)  # the default policy's word list: what most sites use
    base = shipped_base()  # the base spam model's weights, read from its file
    stored_policy(policy.model_dump_json())
    comment = comment_from_hash(comment_to_hash(WARM_UP_COMMENT))
    found = features(comment.body, comment.author.url)
    spam = SpamScore(probability=probability_of(base.log_odds(found.values)), trained={}, base=True)
    base.drivers(found)
    decide(comment, policy, CheckContext(body=comment.body, spam=spam))
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


class LoggedJobs(BaseWorker):
    """What both worker classes add to RQ's: the queue that sets the log context, cleared after each job."""

    queue_class = LoggedQueue

    def execute_job(self, job: Job, queue: Queue) -> None:
        """Run the job (a forked work horse inherits the log context), then forget what it was about."""
        try:
            super().execute_job(job, queue)
        finally:
            clear_log_context()


class ModerationWorker(LoggedJobs, Worker):
    """RQ's forking worker, on both queues, for which a killed work horse is a failure like any other."""

    def setup_work_horse_signals(self) -> None:
        """The horse ignores SIGTERM, so a stop sent to every process of the service still lets its job finish."""
        super().setup_work_horse_signals()
        # systemd (KillMode=control-group) signals the horse as well as the worker: the worker's warm stop
        # waits for the job, a cold one (a second SIGTERM) kills the horse with SIGKILL, and a job past
        # its timeout is stopped by SIGALRM, so nothing needs SIGTERM to reach the horse.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)

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


class ModerationSimpleWorker(LoggedJobs, SimpleWorker):
    """RQ's SimpleWorker, on both queues: each job runs in the worker process itself, with no fork."""


# COMMENTGATE_WORKER_CLASS: docs/operations.md ("Worker class") gives the figures and the isolation of each.
WORKER_CLASSES: dict[str, type[BaseWorker]] = {"fork": ModerationWorker, "simple": ModerationSimpleWorker}


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
    # The driver's version is read once, here: redis-py 7.2+ otherwise reads its package metadata (a
    # scan of sys.path, several ms) for every connection it opens, and each forked work horse opens its
    # own. Older redis-py read it once, when imported.
    driver: dict[str, Any] = {}
    if hasattr(redis, "DriverInfo"):
        driver["driver_info"] = redis.DriverInfo(lib_version=get_lib_version())
    return Redis.from_url(
        settings.redis_url, socket_timeout=settings.worker_ttl + 10, socket_connect_timeout=5, **driver
    )


def worker_class_for(settings: Settings) -> type[BaseWorker]:
    """The worker class COMMENTGATE_WORKER_CLASS names."""
    try:
        return WORKER_CLASSES[settings.worker_class]
    except KeyError:
        raise ValueError(
            f"COMMENTGATE_WORKER_CLASS must be one of {', '.join(WORKER_CLASSES)}, not {settings.worker_class!r}"
        ) from None


def build_worker(
    connection: Redis, settings: Settings, worker_class: type[BaseWorker] = ModerationWorker
) -> BaseWorker:
    """A worker of `worker_class` whose heartbeat and maintenance find a dead worker's job within about two minutes."""
    return worker_class(
        list(ALL_QUEUES),
        connection=connection,
        worker_ttl=settings.worker_ttl,
        maintenance_interval=settings.maintenance_interval,
        job_monitoring_interval=settings.job_monitoring_interval,
    )


def run_worker(settings: Settings, burst: bool = False, worker_class: type[BaseWorker] | None = None) -> bool:
    """Run until stopped (or, with `burst`, until the queues are empty); the class is the setting's unless given."""
    if worker_class is None:
        worker_class = worker_class_for(settings)  # an unknown class is refused before anything starts
    if settings.worker_max_jobs < 0:
        raise ValueError(f"COMMENTGATE_WORKER_MAX_JOBS must be 0 (no limit) or more, not {settings.worker_max_jobs}")
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
            worker = build_worker(connection, settings, worker_class)
            return bool(worker.work(burst=burst, with_scheduler=True, max_jobs=settings.worker_max_jobs or None))
    finally:
        stop.set()
