"""The web tier as production starts it (`commentgate web`, and `commentgate run` for `make run`):
idle and slow clients cannot stop it, and `make run`'s Redis is private."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from redis import Redis

from workers.embedded_redis import free_port
from workers.runtime import Runtime

ROOT = Path(__file__).resolve().parents[1]
WEB_WORKERS = 2
# Far more than the 2 worker processes, and than 2 x 8 threads of a threaded worker: a server that
# gives a process (sync) or a thread (gthread) to each of these clients has none left for /healthz.
IDLE_SOCKETS = 64
HALF_A_HEADER = b"POST /api/v1/comments HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl"
PROMPTLY = 5  # seconds: a load balancer's health-check timeout


@dataclass
class Served:
    """A running `commentgate web` or `commentgate run`, and what a client needs to use it."""

    process: subprocess.Popen[bytes]
    base: str
    port: int
    key: str = ""
    data_dir: Path | None = None
    log: Path | None = None
    sockets: list[socket.socket] = field(default_factory=list)

    def wait_until_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"exited with {self.process.returncode}")
            try:
                # Up and talking to Redis (without a worker, `commentgate web` alone is not ready).
                if requests.get(f"{self.base}/readyz", timeout=2).json()["checks"]["redis"]["ok"]:
                    return
            except requests.RequestException:  # not listening yet
                time.sleep(0.2)
        raise RuntimeError("the web server did not come up")

    def stop(self) -> None:
        for s in self.sockets:
            s.close()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    return {**env, **extra}


def _start_web(redis_url: str, rt: Runtime) -> Served:
    port = free_port()
    command = [sys.executable, "-m", "service", "web", "--bind", f"127.0.0.1:{port}", "--workers", str(WEB_WORKERS)]
    process = subprocess.Popen(command, env=_env(REDIS_URL=redis_url), cwd=ROOT)
    served = Served(process, f"http://127.0.0.1:{port}", port)
    served.key = rt.sites.create("web tier").key
    return served


def _start_run(tmp_path: Path) -> Served:
    port = free_port()
    data_dir = tmp_path / "var"
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "service", "run", "--port", str(port)],
            env=_env(COMMENTGATE_DATA_DIR=str(data_dir)),
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Served(process, f"http://127.0.0.1:{port}", port, data_dir=data_dir, log=log)


@pytest.fixture(params=["web", "run"])
def served(request, redis_url: str, rt: Runtime, tmp_path: Path) -> Iterator[Served]:
    """`commentgate web` against the test Redis, or `commentgate run` with its own embedded Redis."""
    server = _start_web(redis_url, rt) if request.param == "web" else _start_run(tmp_path)
    try:
        server.wait_until_up()
        if request.param == "run":
            assert server.data_dir is not None
            server.key = json.loads((server.data_dir / "demo-site.json").read_text())["key"]
        yield server
    finally:
        server.stop()


def _open_half_requests(served: Served, count: int) -> list[socket.socket]:
    """Clients that send half a request header and then wait, as a slow or hostile client does."""
    opened = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", served.port), timeout=PROMPTLY)
        s.sendall(HALF_A_HEADER)
        opened.append(s)
    served.sockets.extend(opened)
    return opened


def _closed_by_server(s: socket.socket, deadline: float) -> bool:
    """Read until the server closes the connection, or the deadline passes."""
    while (left := deadline - time.monotonic()) > 0:
        s.settimeout(left)
        try:
            if not s.recv(4096):
                return True
        except ConnectionResetError:
            return True
        except TimeoutError:
            return False
    return False


def test_idle_half_header_sockets_do_not_stop_the_web_tier(served: Served):
    _open_half_requests(served, IDLE_SOCKETS)

    for _ in range(2 * WEB_WORKERS):  # fresh connections, so each worker process is asked
        health = requests.get(f"{served.base}/healthz", timeout=PROMPTLY, headers={"Connection": "close"})
        assert health.status_code == 200
        assert health.json() == {"status": "ok"}

    headers = {"Authorization": f"Bearer {served.key}"}
    payload = {
        "thread_id": "2025/07/slow-clients",
        "author": {"name": "Ada", "email": "ada@example.org"},
        "body": "Posted while sixty-four clients hold their requests half sent.",
        "client": {"ip": "203.0.113.9"},
    }
    posted = requests.post(f"{served.base}/api/v1/comments", json=payload, headers=headers, timeout=PROMPTLY)
    assert posted.status_code == 202, posted.text
    stored = requests.get(f"{served.base}{posted.headers['Location']}", headers=headers, timeout=PROMPTLY).json()
    assert stored["id"] == posted.json()["id"]
    assert stored["thread_id"] == payload["thread_id"]


def test_a_client_that_never_finishes_its_header_is_dropped(served: Served):
    slow = _open_half_requests(served, 3)
    deadline = time.monotonic() + 60
    assert all(_closed_by_server(s, deadline) for s in slow)
    # The server is still answering after dropping them.
    assert requests.get(f"{served.base}/healthz", timeout=PROMPTLY).json() == {"status": "ok"}


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_make_run_keeps_its_redis_private(tmp_path: Path):
    served = _start_run(tmp_path)
    try:
        served.wait_until_up()
        data_dir = served.data_dir
        assert data_dir is not None
        password = (data_dir / "redis-password").read_text().strip()
        url = (data_dir / "redis.url").read_text().strip()
        assert len(password) >= 32
        assert f":{password}@" in url
        assert _mode(data_dir / "redis-password") == 0o600
        assert _mode(data_dir / "redis.url") == 0o600
        assert _mode(data_dir / "redis") == 0o700
        assert Redis.from_url(url).ping()

        port = Redis.from_url(url).connection_pool.connection_kwargs["port"]
        with socket.create_connection(("127.0.0.1", port), timeout=5) as stranger:
            stranger.sendall(b"*1\r\n$6\r\nDBSIZE\r\n")
            assert stranger.recv(200).startswith(b"-NOAUTH")
    finally:
        served.stop()
    assert served.log is not None
    assert password not in served.log.read_text()  # the terminal shows where the URL is, not the password
