"""The real worker, with a check that SIGKILLs its own work horse on bodies containing KILL-HORSE.

With KILL_WEBHOOKS=1 every webhook delivery SIGKILLs its work horse too. This is what the kernel's
OOM killer does to a job that grows too big. Test code only.
"""

from __future__ import annotations

import os
import signal

from workers import jobs, pipeline
from workers.config import Settings
from workers.models import Verdict
from workers.worker import run_worker


def killing_check(comment, policy, context):  # type: ignore[no-untyped-def]
    if "KILL-HORSE" in comment.body:
        os.kill(os.getpid(), signal.SIGKILL)
    return Verdict("killer")


def killing_post(*args, **kwargs):  # type: ignore[no-untyped-def]
    os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    pipeline.CHECKS = (*pipeline.CHECKS, killing_check)
    if os.environ.get("KILL_WEBHOOKS") == "1":
        jobs.post_event = killing_post
    run_worker(Settings.from_env())
