"""The real worker, stopped at one exact point of its job loop so a test can SIGKILL it there.

PAUSE_AT names the point:
- `popped`: RQ has popped the job from its queue list but recorded nothing else yet;
- `registered`: RQ has written the job's `wip` entry but the work horse has not marked it started.
PAUSE_ON_JOB (default 1) is which moderation job to stop at. At the point the worker writes the
job's id to the Redis key PAUSED_KEY, then waits to be killed. Test code only.
"""

from __future__ import annotations

import os
import time
from typing import Any

from rq.job import Job
from rq.queue import Queue

from workers.config import Settings
from workers.worker import ModerationWorker, run_worker

PAUSED_KEY = "test:paused-at"
MODERATE = "workers.jobs.moderate_comment"


class PausingWorker(ModerationWorker):
    """Counts moderation jobs and stops at PAUSE_AT on the PAUSE_ON_JOB-th."""

    moderation_jobs = 0

    def _stop_here(self, point: str, job: Job) -> None:
        if os.environ["PAUSE_AT"] != point or job.func_name != MODERATE:
            return
        if self.moderation_jobs != int(os.environ.get("PAUSE_ON_JOB", "1")):
            return
        self.connection.set(PAUSED_KEY, job.id)
        while True:  # until the test kills the process group
            time.sleep(3600)

    def execute_job(self, job: Job, queue: Queue) -> None:
        if job.func_name == MODERATE:
            self.moderation_jobs += 1
        self._stop_here("popped", job)
        super().execute_job(job, queue)

    def prepare_execution(self, job: Job) -> Any:
        execution = super().prepare_execution(job)
        self._stop_here("registered", job)
        return execution


if __name__ == "__main__":
    run_worker(Settings.from_env(), worker_class=PausingWorker)
