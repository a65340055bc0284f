"""The web tier under load and abuse, served by gunicorn as production starts it (one gevent process):
a burst of readers past the Redis pool size waits for a connection instead of failing, and a
client that trickles its request body is answered 408 and let go."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from redis import Redis
from rq import Worker

from service.web_server import gunicorn_command
from tests.conftest import snapshot
from tests.test_web_tier import PROMPTLY, ROOT, Served, _closed_by_server, _env
from workers.embedded_redis import free_port
from workers.queues import ALL_QUEUES
from workers.runtime import Runtime
from workers.sites import NewSite

# Far past redis-py's default pool of 100 connections per process.
BURST = 300
BODY_TIMEOUT = 2  # seconds, COMMENTGATE_BODY_TIMEOUT for these tests (the default is longer)
THREAD = "2026/11/burst"


def _serve(redis_url: str, **settings: str) -> Served:
    """`service:create_app()` under gunicorn_command with one worker process."""
    port = free_port()
    command = gunicorn_command(f"127.0.0.1:{port}", 1)
    process = subprocess.Popen(command, env=_env(REDIS_URL=redis_url, **settings), cwd=ROOT)
    served = Served(process, f"http://127.0.0.1:{port}", port)
    try:
        served.wait_until_up()
    except Exception:
        served.stop()
        raise
    return served


@pytest.fixture
def one_process(redis_url: str, rt: Runtime) -> Iterator[Served]:
    # A generous pool wait: on a busy test machine the burst must not fail for want of CPU.
    # A long worker_ttl: the heartbeat a test registers for /readyz stays young for the whole test.
    served = _serve(
        redis_url,
        COMMENTGATE_BODY_TIMEOUT=str(BODY_TIMEOUT),
        COMMENTGATE_REDIS_POOL_TIMEOUT="30",
        COMMENTGATE_WORKER_TTL="600",
    )
    try:
        yield served
    finally:
        served.stop()


def _get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()


def _answer(s: socket.socket) -> tuple[int, dict[str, str], bytes]:
    response = http.client.HTTPResponse(s)
    response.begin()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()


def test_a_burst_past_the_redis_pool_is_served_and_ready_stays_200(
    post: Callable[..., Any], work: Callable[[], None], site: NewSite, one_process: Served, connection: Redis
):
    posted = post("Still here when three hundred readers arrive at once.", thread_id=THREAD).get_json()
    work()
    Worker(list(ALL_QUEUES), connection=connection, worker_ttl=600).register_birth()  # as RQ's worker starts
    listing = f"/api/v1/sites/{site.site_id}/threads/2026%2F11%2Fburst/comments"
    paths = [listing] * BURST
    for i in range(0, BURST, BURST // 6):  # /readyz asked in the middle of the burst
        paths.insert(i, "/readyz")

    # Every client is connected before any sends, so the requests arrive together.
    sockets = [socket.create_connection(("127.0.0.1", one_process.port), timeout=60) for _ in paths]
    one_process.sockets.extend(sockets)
    for s, path in zip(sockets, paths, strict=True):
        s.sendall(_get(path))
    answers = [_answer(s) for s in sockets]

    statuses = Counter((path, status) for path, (status, _, _) in zip(paths, answers, strict=True))
    assert statuses == Counter({(listing, 200): BURST, ("/readyz", 200): len(paths) - BURST})
    for path, (_, _, body) in zip(paths, answers, strict=True):
        if path == "/readyz":
            assert json.loads(body)["ready"] is True
        else:
            assert [item["id"] for item in json.loads(body)["items"]] == [posted["id"]]


def _trickle_until_answered(s: socket.socket, deadline: float) -> bytes:
    """Send one body byte every half second until the server answers; what it sent, or b"" at the deadline."""
    received = b""
    s.settimeout(0.5)
    while time.monotonic() < deadline:
        try:
            chunk = s.recv(65536)
        except TimeoutError:
            if not received:
                s.sendall(b" ")
            continue
        received += chunk
        head, sep, body = received.partition(b"\r\n\r\n")
        if not chunk or (sep and len(body) >= int(_header(head, b"content-length") or 0)):
            return received
    return received


def _header(head: bytes, name: bytes) -> bytes:
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == name:
            return value.strip()
    return b""


def test_a_trickled_body_is_answered_408_and_its_connection_let_go(
    one_process: Served, site: NewSite, connection: Redis
):
    before = snapshot(connection)
    slow = socket.create_connection(("127.0.0.1", one_process.port), timeout=PROMPTLY)
    one_process.sockets.append(slow)
    slow.sendall(
        b"POST /api/v1/comments HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + f"Authorization: Bearer {site.key}\r\n".encode()
        + b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
        + b'{"thread_id":'
    )
    health = requests.get(f"{one_process.base}/healthz", timeout=PROMPTLY, headers={"Connection": "close"})
    assert health.json() == {"status": "ok"}  # the trickling client holds its greenlet only

    received = _trickle_until_answered(slow, time.monotonic() + 15 * BODY_TIMEOUT)

    head, _, body = received.partition(b"\r\n\r\n")
    assert head.split(b" ")[1] == b"408", received[:200]
    assert _header(head, b"content-type") == b"application/problem+json"
    problem = json.loads(body)
    assert problem["status"] == 408
    assert problem["type"].endswith("/request-timeout")
    assert _closed_by_server(slow, time.monotonic() + 60)  # its slot is free again
    assert snapshot(connection) == before
    assert requests.get(f"{one_process.base}/healthz", timeout=PROMPTLY).json() == {"status": "ok"}
