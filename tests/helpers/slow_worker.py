"""A worker process whose pipeline has one extra check that sleeps on bodies containing SLOW-CHECK.

Used to kill a worker in the middle of a job. Test code only: it patches the check list, then runs
the real worker entry point.
"""

from __future__ import annotations

import time

from workers import pipeline
from workers.config import Settings
from workers.models import Verdict
from workers.worker import run_worker


def slow_check(comment, policy, context):  # type: ignore[no-untyped-def]
    if "SLOW-CHECK" in comment.body:
        time.sleep(600)
    return Verdict("slow")


if __name__ == "__main__":
    pipeline.CHECKS = (*pipeline.CHECKS, slow_check)
    run_worker(Settings.from_env())
