"""The real parts for the moderation benches: embedded Redis, `commentgate web` (gunicorn) and worker processes."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from redis import Redis

from service.web_server import gunicorn_command
from workers.config import Settings
from workers.embedded_redis import EmbeddedRedis, free_port
from workers.moderators import Role
from workers.runtime import Runtime

ROOT = Path(__file__).resolve().parents[1]
# The benches submit hundreds of comments from one process in seconds: the operator's ceilings on a
# site's submit rate and queue length would refuse them (429 / 503), so the benches lift them.
BENCH_ENV = {
    "COMMENTGATE_CEILING_SUBMIT_BURST": "0",
    "COMMENTGATE_CEILING_SUBMIT_RATE_PER_SECOND": "0",
    "COMMENTGATE_CEILING_MAX_QUEUED_COMMENTS": "0",
}


@dataclass
class LiveStack:
    """A running stack: its base URL and a runtime on the same Redis for setting up and reading back."""

    base: str
    rt: Runtime
    http: requests.Session

    def moderator_token(self, email: str = "bench-admin@example.org") -> str:
        """An admin moderator's bearer token for the moderation API."""
        self.rt.moderators.add(email, Role.ADMIN)
        return self.rt.moderators.issue_token(email)

    def call(self, method: str, path: str, token: str, **kwargs: Any) -> requests.Response:
        """One request with a bearer token, over the session's kept-alive connection."""
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        return self.http.request(method, f"{self.base}{path}", headers=headers, timeout=60, **kwargs)


def _wait_ready(base: str, processes: list[subprocess.Popen[bytes]], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in processes):
            raise RuntimeError("a process of the stack exited while starting")
        try:
            # Up and talking to Redis; /readyz is 503 while no worker runs (a bench may start none).
            if requests.get(f"{base}/readyz", timeout=2).json()["checks"]["redis"]["ok"]:
                return
        except requests.RequestException:  # not listening yet
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the web server did not answer /readyz within {timeout:.0f} s")


@contextmanager
def _redis(redis_url: str | None) -> Iterator[str]:
    """The given server (a disposable database: it is flushed), else a private embedded one for the run."""
    if redis_url:
        Redis.from_url(redis_url).flushdb()
        yield redis_url
        return
    with tempfile.TemporaryDirectory() as tmp:
        server = EmbeddedRedis(Path(tmp) / "redis")
        server.start()
        try:
            yield server.url
        finally:
            server.stop()


@contextmanager
def live_stack(
    web_processes: int = 2, workers: int = 1, redis_url: str | None = None, worker_class: str | None = None
) -> Iterator[LiveStack]:
    """Start gunicorn (the production command) and `workers` worker processes on Redis; stop them all on exit.

    `worker_class`: COMMENTGATE_WORKER_CLASS for the workers (`fork` or `simple`); the setting's own otherwise.
    """
    with _redis(redis_url) as url:
        processes: list[subprocess.Popen[bytes]] = []
        try:
            env = {**os.environ, **BENCH_ENV, "REDIS_URL": url}
            if worker_class:
                env["COMMENTGATE_WORKER_CLASS"] = worker_class
            rt = Runtime(Redis.from_url(url), Settings.from_env(env))
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            commands = [gunicorn_command(f"127.0.0.1:{port}", web_processes)]
            commands += [[sys.executable, "-m", "service", "worker"]] * workers
            for command in commands:
                out = subprocess.DEVNULL
                processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out))
            _wait_ready(base, processes)
            with requests.Session() as http:
                yield LiveStack(base, rt, http)
        finally:
            for p in processes:
                p.terminate()
            for p in processes:
                try:
                    p.wait(30)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
