"""Real worker processes for end-to-end tests: start one in its own process group, wait on Redis, kill it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")

# A lost job recovered in about a minute rather than the defaults' minutes: a sweep every second of comments
# queued longer than 2 s, RQ's registry clean-up every 10 s. RQ's own `wip` entry still lives 60 s past its
# last heartbeat.
FAST_RECOVERY = {
    "COMMENTGATE_SWEEP_EVERY": "1",
    "COMMENTGATE_SWEEP_AFTER": "2",
    "COMMENTGATE_WORKER_TTL": "10",
    "COMMENTGATE_MAINTENANCE_INTERVAL": "10",
    "COMMENTGATE_JOB_MONITORING_INTERVAL": "2",
}


def start_worker(redis_url: str, module: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """`python <module>` in its own process group (the worker, its scheduler and its work horses)."""
    return subprocess.Popen(
        [sys.executable, *module.split()],
        env={**os.environ, "REDIS_URL": redis_url, **(env or {})},
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the worker's whole process group, as a crash or the OOM killer would."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """Ask the worker to stop (SIGTERM), then make sure nothing of it is left."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(30)
    finally:
        with contextlib.suppress(ProcessLookupError):  # already gone, as it should be
            os.killpg(process.pid, signal.SIGKILL)


def wait_for(predicate: Callable[[], T], timeout: float, interval: float = 0.2) -> T:
    """The predicate's first truthy value, polled until `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout}s")
        time.sleep(interval)
