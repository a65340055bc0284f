"""Our worker process with a chosen RQ worker class, in burst mode.

python -m bench.stack_worker fork|simple     # run_worker(burst=True) with that class, as `commentgate worker`
"""

from __future__ import annotations

import inspect
import sys

from rq import SimpleWorker, Worker
from rq.worker import BaseWorker

from workers import worker as shipped
from workers.config import Settings

RQ_CLASSES = {"fork": "rq.worker.Worker", "simple": "rq.worker.SimpleWorker"}


def kind_of(worker_class: type[BaseWorker]) -> str:
    """`simple` for a worker that runs jobs in its own process, `fork` for one that forks a horse per job."""
    return "simple" if issubclass(worker_class, SimpleWorker) else "fork"


def shipped_class() -> type[BaseWorker]:
    """The class `commentgate worker` runs: run_worker's default."""
    default = inspect.signature(shipped.run_worker).parameters["worker_class"].default
    if isinstance(default, type) and issubclass(default, BaseWorker):
        return default
    return shipped.ModerationWorker


def worker_class(kind: str) -> type[BaseWorker]:
    """The shipped class when it is of this kind; otherwise the shipped worker's queue class on RQ's class of it."""
    ship = shipped_class()
    if kind_of(ship) == kind:
        return ship
    base: type[BaseWorker] = SimpleWorker if kind == "simple" else Worker
    return type(f"Bench{base.__name__}", (base,), {"queue_class": getattr(ship, "queue_class", base.queue_class)})


def main(argv: list[str]) -> None:
    (kind,) = argv[1:]
    shipped.run_worker(Settings.from_env(), burst=True, worker_class=worker_class(kind))  # type: ignore[arg-type]


if __name__ == "__main__":
    main(sys.argv)
