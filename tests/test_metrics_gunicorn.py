"""`/metrics` served by gunicorn as `commentgate web` starts it: two processes, one sum, whichever answers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import requests
from redis import Redis

from service.web_server import gunicorn_command
from tests.helpers.processes import ROOT, wait_for
from tests.helpers.scrape import value
from workers.embedded_redis import free_port

HEALTHZ = {"route": "/healthz", "method": "GET", "status": "200"}
AT_LEAST = 20  # requests sent before looking for both processes in the access log


@dataclass
class Server:
    """A running gunicorn (the production command) whose access log names the process of each request."""

    process: subprocess.Popen[bytes]
    base: str
    access_log: Path

    def get(self, path: str) -> requests.Response:
        # requests.get opens a fresh connection each time: gunicorn's processes take turns accepting.
        return requests.get(f"{self.base}{path}", timeout=10)

    def scrape(self) -> str:
        response = self.get("/metrics")
        assert response.status_code == 200
        return response.text

    def pids_that_served(self, path: str) -> set[str]:
        lines = self.access_log.read_text().splitlines() if self.access_log.exists() else []
        # Access lines are JSON objects (COMMENTGATE_LOG_FORMAT's default) whose message is "<pid> /path".
        messages = (json.loads(line)["message"] for line in lines if line.strip())
        return {pid for pid, served in (message.split() for message in messages) if served == path}


@contextmanager
def serving(redis_url: str, tmp_path: Path, processes: int = 2, **env: str) -> Iterator[Server]:
    port = free_port()
    access_log = tmp_path / f"access-{port}.log"
    command = gunicorn_command(f"127.0.0.1:{port}", processes)
    # The production command, plus an access log of "<pid> /path" lines.
    command[-1:-1] = ["--access-logfile", str(access_log), "--access-logformat", "%(p)s %(U)s"]
    process = subprocess.Popen(
        command, env={**os.environ, "REDIS_URL": redis_url, **env}, cwd=ROOT, start_new_session=True
    )
    server = Server(process, f"http://127.0.0.1:{port}", access_log)
    try:
        wait_for(lambda: _answers(server), timeout=60)
        yield server
    finally:
        with suppress(ProcessLookupError):  # it may have exited on its own (the test then fails)
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)


def _answers(server: Server) -> bool:
    assert server.process.poll() is None, "gunicorn exited"
    try:
        return server.get("/metrics").status_code == 200
    except requests.ConnectionError:  # not listening yet
        return False


def test_two_processes_requests_are_summed_whichever_process_answers_the_scrape(
    redis_url: str, connection: Redis, tmp_path: Path
):
    with serving(redis_url, tmp_path) as server:
        sent = 0

        def both_processes_served_healthz() -> bool:
            nonlocal sent
            assert server.get("/healthz").status_code == 200
            sent += 1
            return sent >= AT_LEAST and len(server.pids_that_served("/healthz")) == 2

        wait_for(both_processes_served_healthz, timeout=60, interval=0.01)

        def every_scrape_has_the_sum_until_both_processes_answered_one() -> bool:
            text = server.scrape()
            assert value(text, "commentgate_http_requests_total", **HEALTHZ) == sent
            assert (
                value(text, "commentgate_http_request_duration_seconds_count", route="/healthz", method="GET") == sent
            )
            return len(server.pids_that_served("/metrics")) == 2

        wait_for(every_scrape_has_the_sum_until_both_processes_answered_one, timeout=60, interval=0.01)

        # A process that dies takes none of its counts with it: gunicorn starts another, and the
        # scrapes it answers have the same sum. (Waiting for it to answer also lets it finish booting
        # before the server is stopped: a booting gunicorn worker ignores SIGTERM.)
        first_two = server.pids_that_served("/healthz")
        os.kill(int(sorted(first_two)[0].strip("<>")), signal.SIGKILL)

        def a_new_process_answered_a_scrape_with_the_sum() -> bool:
            assert value(server.scrape(), "commentgate_http_requests_total", **HEALTHZ) == sent
            return bool(server.pids_that_served("/metrics") - first_two)

        wait_for(a_new_process_answered_a_scrape_with_the_sum, timeout=60, interval=0.05)


def test_a_restarted_server_counts_from_zero_in_the_directory_an_operator_chose(
    redis_url: str, connection: Redis, tmp_path: Path
):
    chosen = tmp_path / "prometheus"
    with serving(redis_url, tmp_path, PROMETHEUS_MULTIPROC_DIR=str(chosen)) as server:
        for _ in range(5):
            server.get("/healthz")
        assert value(server.scrape(), "commentgate_http_requests_total", **HEALTHZ) == 5
    assert list(chosen.glob("*.db"))  # the stopped server's files are still there ...

    with serving(redis_url, tmp_path, PROMETHEUS_MULTIPROC_DIR=str(chosen)) as server:
        assert value(server.scrape(), "commentgate_http_requests_total", **HEALTHZ) is None  # ... and not summed
        for _ in range(2):
            server.get("/healthz")
        assert value(server.scrape(), "commentgate_http_requests_total", **HEALTHZ) == 2
