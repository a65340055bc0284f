"""Our worker process with a chosen RQ worker class, in burst mode.

python -m bench.stack_worker fork|simple     # run_worker(burst=True) with that class, as `commentgate worker`
"""

from __future__ import annotations

import sys

from rq import SimpleWorker
from rq.worker import BaseWorker

from workers import worker as shipped
from workers.config import Settings

RQ_CLASSES = {"fork": "rq.worker.Worker", "simple": "rq.worker.SimpleWorker"}


def kind_of(worker_class: type[BaseWorker]) -> str:
    """`simple` for a worker that runs jobs in its own process, `fork` for one that forks a horse per job."""
    return "simple" if issubclass(worker_class, SimpleWorker) else "fork"


def shipped_class() -> type[BaseWorker]:
    """The class `commentgate worker` runs: COMMENTGATE_WORKER_CLASS, its default unless set."""
    return shipped.worker_class_for(Settings.from_env())


def worker_class(kind: str) -> type[BaseWorker]:
    """Our worker class of this kind (`fork` or `simple`), as COMMENTGATE_WORKER_CLASS would choose it."""
    return shipped.WORKER_CLASSES[kind]


def main(argv: list[str]) -> None:
    (kind,) = argv[1:]
    shipped.run_worker(Settings.from_env(), burst=True, worker_class=worker_class(kind))


if __name__ == "__main__":
    main(sys.argv)
