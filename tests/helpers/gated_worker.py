"""A worker process whose pipeline has one extra check that, on bodies containing GATED-CHECK, waits for a gate.

The check writes the comment's id to GATE_ENTERED, then waits until the test sets GATE_OPEN: the
test knows a job is mid-run, signals the worker, and lets the job finish when it chooses. Test code
only: it patches the check list, then runs the real worker entry point.
"""

from __future__ import annotations

import os
import time

from redis import Redis

from workers import pipeline
from workers.config import Settings
from workers.models import Verdict
from workers.worker import run_worker

GATE_ENTERED = "test:gate-entered"
GATE_OPEN = "test:gate-open"


def gated_check(comment, policy, context):  # type: ignore[no-untyped-def]
    if "GATED-CHECK" in comment.body:
        gate = Redis.from_url(os.environ["REDIS_URL"])
        gate.set(GATE_ENTERED, comment.id)
        while not gate.exists(GATE_OPEN):
            time.sleep(0.05)  # polling the test's condition, well inside the job's timeout
    return Verdict("gated")


if __name__ == "__main__":
    pipeline.CHECKS = (*pipeline.CHECKS, gated_check)
    run_worker(Settings.from_env())
