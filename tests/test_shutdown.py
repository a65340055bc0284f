"""Stopping warm: a worker told to stop (SIGTERM) finishes the job it is running, takes no other, and exits;
the web server told to stop answers the requests it has already started, takes no new ones, and exits."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from rq import Worker

from tests.helpers.gated_worker import GATE_ENTERED, GATE_OPEN
from tests.helpers.processes import ROOT, kill_group, start_worker, wait_for
from tests.test_web_tier import Served, _env
from workers.embedded_redis import free_port
from workers.models import Author, Client, Status
from workers.submission import Submission, submit


def _submit(rt, site_id: str, body: str) -> str:
    policy = rt.sites.policy(site_id)
    return submit(rt, site_id, policy, Submission("t", body, Author("Ada"), Client(ip="203.0.113.7"))).comment_id


def _shutdown_requested(connection) -> bool:
    """RQ records on the worker's own hash that a stop was asked while it was busy."""
    return any(worker.shutdown_requested_date for worker in Worker.all(connection=connection))


def _descendants(pid: int) -> list[int]:
    """`pid` and every process under it, from /proc: what a control group holds for a service's main process."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):  # a process that ended while we read
            parents[int(stat.parent.name)] = int(stat.read_text().rpartition(")")[2].split()[1])
    family = [pid]
    for member in family:
        family.extend(child for child, parent in parents.items() if parent == member)
    return family


def _to_every_process(pid: int) -> None:
    """systemd's default stop (KillMode=control-group): SIGTERM to the worker, its scheduler and its work horse."""
    processes = _descendants(pid)
    assert len(processes) >= 3, processes  # the worker, its scheduler, the horse running the job
    for member in processes:
        os.kill(member, signal.SIGTERM)


def _wait_exit(process: subprocess.Popen[bytes], timeout: float) -> int:
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"the worker did not exit within {timeout}s") from None


@pytest.mark.parametrize(
    "send",
    [
        # `docker stop`, Kubernetes, `kill PID`: the signal reaches the worker's main process only.
        pytest.param(lambda pid: os.kill(pid, signal.SIGTERM), id="to-the-worker"),
        # systemd's default: every process of the service, the work horse included, gets it.
        pytest.param(_to_every_process, id="to-every-process"),
    ],
)
def test_a_worker_stopped_mid_job_finishes_that_job_then_exits(rt, site, settings, send):
    running = _submit(rt, site.site_id, "GATED-CHECK: a comment whose checks wait for the test")
    waiting = _submit(rt, site.site_id, "a clean comment queued behind it")
    worker = start_worker(settings.redis_url, "tests/helpers/gated_worker.py")
    try:
        assert wait_for(lambda: rt.connection.get(GATE_ENTERED), timeout=60).decode() == running
        send(worker.pid)
        wait_for(lambda: _shutdown_requested(rt.connection), timeout=30)
        assert worker.poll() is None  # still there: it waits for its job
        rt.connection.set(GATE_OPEN, 1)
        assert _wait_exit(worker, timeout=60) == 0
    finally:
        with contextlib.suppress(ProcessLookupError):  # gone already, as it should be
            kill_group(worker)
    comment = rt.comments.get(running)
    assert comment is not None and comment.status is Status.PUBLISHED, comment
    assert [(a["from"], a["to"]) for a in rt.comments.audit(running)] == [("queued", "published")]
    # The comment behind it was not started: it waits, queued, for the next worker.
    assert rt.comments.status_of(waiting) is Status.QUEUED
    assert Worker.all(connection=rt.connection) == []  # it unregistered: /readyz stops counting it


def _refused(port: int) -> bool:
    """No process listens on the port any more: a new client is turned away, as a load balancer sees it."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


def test_the_web_server_stopped_mid_request_answers_it_then_exits(rt, site, redis_url):
    port = free_port()
    # What the compose file runs (`commentgate web`), with two processes, and what `docker stop` does to it.
    command = [sys.executable, "-m", "service", "web", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
    served = Served(
        subprocess.Popen(command, env=_env(REDIS_URL=redis_url), cwd=ROOT), f"http://127.0.0.1:{port}", port
    )
    try:
        served.wait_until_up()
        payload = {
            "thread_id": "t",
            "author": {"name": "Ada", "email": "ada@example.org"},
            "body": "Sent while the server stops.",
            "client": {"ip": "203.0.113.8"},
        }
        body = json.dumps(payload).encode()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/healthz")  # a kept-alive connection the server has accepted
        assert connection.getresponse().read() is not None
        # A submission in flight: its headers and the first half of its body are sent, the rest is not.
        connection.putrequest("POST", "/api/v1/comments")
        for name, value in {
            "Authorization": f"Bearer {site.key}",
            "Content-Type": "application/json",
            "Content-Length": str(len(body)),
        }.items():
            connection.putheader(name, value)
        connection.endheaders(body[: len(body) // 2])

        served.process.send_signal(signal.SIGTERM)
        wait_for(lambda: _refused(port), timeout=30)  # stopping: it takes no new connection
        assert served.process.poll() is None  # but it has not gone: it drains the request in flight

        connection.send(body[len(body) // 2 :])
        response = connection.getresponse()
        answer = json.loads(response.read())
        assert response.status == 202, answer
        # Not asserted: whether the answer says `Connection: close`. gunicorn decides that when it has
        # parsed the request's headers, and whether that happened before or after the worker took the
        # signal is a race within its event loop; either way the connection ends with the worker.
        assert served.process.wait(60) == 0
    finally:
        served.stop()
    comment = rt.comments.get(answer["id"])
    assert comment is not None and comment.body == payload["body"] and comment.status is Status.QUEUED
