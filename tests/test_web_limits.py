"""The web tier under load and abuse, served by gunicorn as production starts it (one gevent process):
a burst of readers past the Redis pool size waits for a connection instead of failing."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from service.web_server import gunicorn_command
from tests.test_web_tier import ROOT, Served, _env
from workers.embedded_redis import free_port
from workers.runtime import Runtime
from workers.sites import NewSite

# Far past redis-py's default pool of 100 connections per process.
BURST = 300
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
    served = _serve(redis_url, COMMENTGATE_REDIS_POOL_TIMEOUT="30")
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
    post: Callable[..., Any], work: Callable[[], None], site: NewSite, one_process: Served
):
    posted = post("Still here when three hundred readers arrive at once.", thread_id=THREAD).get_json()
    work()
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
            assert json.loads(body) == {"status": "ready", "redis": "ok"}
        else:
            assert [item["id"] for item in json.loads(body)["items"]] == [posted["id"]]
