"""The real worker, with a check that never returns on bodies containing HANG-CHECK (a stuck check).

The worker class is the setting's (COMMENTGATE_WORKER_CLASS). Test code only: it patches the
check list, then runs the real worker entry point.
"""

from __future__ import annotations

import threading

from workers import pipeline
from workers.config import Settings
from workers.models import Verdict
from workers.worker import run_worker


def hanging_check(comment, policy, context):  # type: ignore[no-untyped-def]
    if "HANG-CHECK" in comment.body:
        threading.Event().wait()  # never set: only the job timeout's signal ends it
    return Verdict("hanging")


if __name__ == "__main__":
    pipeline.CHECKS = (*pipeline.CHECKS, hanging_check)
    run_worker(Settings.from_env())
