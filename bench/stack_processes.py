"""Processes the stack benchmark runs and watches: gunicorn with a given app, the load generator, and RSS."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from service.web_server import gunicorn_command
from workers.embedded_redis import free_port

ROOT = Path(__file__).resolve().parents[1]
OURS = "service:create_app()"
BARE = "bench.bare_app:create_app()"


@dataclass(frozen=True)
class Served:
    """A running gunicorn: where it listens and its master's pid (its workers are the master's children)."""

    port: int
    master: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _wait_answering(base: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited while starting")
        try:
            requests.get(f"{base}/healthz", timeout=2)  # any answer (the bare app's is 404) means it serves
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s")


@contextmanager
def gunicorn(app: str, env: dict[str, str], workers: int = 2) -> Iterator[Served]:
    """The production command line (service.web_server.gunicorn_command) serving `app`."""
    port = free_port()
    command = gunicorn_command(f"127.0.0.1:{port}", workers)
    command[-1] = app
    out = subprocess.DEVNULL
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=out)
    try:
        _wait_answering(f"http://127.0.0.1:{port}", process)
        yield Served(port, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def fixed_rate(**settings: Any) -> dict[str, Any]:
    """Run bench/fixed_rate.py in its own process with these settings; its JSON answer."""
    command = [sys.executable, "-m", "bench.fixed_rate", json.dumps(settings)]
    out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    answer: dict[str, Any] = json.loads(out)
    return answer


def children(pid: int) -> list[int]:
    """The process's live children."""
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    except (FileNotFoundError, ProcessLookupError):
        pass
    return found


def rss_mb(pid: int) -> float | None:
    """The process's resident set size (VmRSS) in MB; None once it has gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds the processes have used so far (/proc/<pid>/stat), the gone ones left out."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of the whole line
    return total / os.sysconf("SC_CLK_TCK")


def percentile(samples: list[float], share: float) -> float | None:
    """The nearest-rank percentile (share 0.5 = median, 0.99 = p99)."""
    if not samples:
        return None
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]
