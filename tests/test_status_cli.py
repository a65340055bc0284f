"""`commentgate status`: the picture as a table or JSON, and an exit code cron can act on (0, 1, 2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner
from rq import SimpleWorker

from service.cli import main
from tests.conftest import snapshot
from tests.helpers.processes import ROOT, start_worker, stop_group, wait_for
from tests.helpers.receiver import Receiver
from workers.queues import ALL_QUEUES, WEBHOOK_QUEUE


@pytest.fixture
def status(settings, connection, monkeypatch):
    """Run `commentgate status ARGS` against the test Redis; returns (exit code, output)."""
    monkeypatch.setenv("REDIS_URL", settings.redis_url)

    def invoke(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(main, ["status", *args])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        return result.exit_code, result.output

    return invoke


def test_with_no_worker_status_exits_2_says_why_and_changes_nothing(status, connection, post):
    post("waiting for a worker")
    before = snapshot(connection)
    code, out = status()
    assert snapshot(connection) == before
    assert code == 2
    assert out.splitlines()[:2] == ["health: down", "  - no live worker: queued comments are not being decided"]
    [moderation] = [line for line in out.splitlines() if line.startswith("commentgate-moderation")]
    assert moderation.split()[1] == "1"  # depth
    assert "none registered" in out


def test_with_a_live_worker_process_and_nothing_failed_status_exits_0(status, settings):
    worker = start_worker(settings.redis_url, "-m service worker")
    try:
        code, out = wait_for(lambda: (answer := status("--json"))[0] == 0 and answer, timeout=60)
        picture = json.loads(out)
        assert picture["health"] == "healthy" and picture["reasons"] == []
        [seen] = picture["workers"]
        assert seen["alive"] and seen["pid"] is not None
        assert picture["readiness"]["ready"] is True
        assert picture["failed_jobs"] == []
        code, table = status()
        assert code == 0 and table.splitlines()[0] == "health: healthy"
    finally:
        stop_group(worker)


def test_a_failed_job_makes_status_exit_1_and_lists_it_for_requeue(status, rt, site, post, work, connection):
    with Receiver(status=500) as receiver:
        receiver.secret = rt.sites.set_webhook(site.site_id, receiver.url)
        post("not received")
        work()
    event_id = receiver.deliveries[0]["id"]
    worker = SimpleWorker(list(ALL_QUEUES), connection=connection)  # registered and beating, as a running one is
    worker.register_birth()
    worker.heartbeat()
    try:
        code, out = status()
        assert code == 1
        assert out.splitlines()[:2] == ["health: degraded", f"  - 1 failed job(s) in {WEBHOOK_QUEUE}"]
        [row] = [line for line in out.splitlines() if line.startswith(f"webhook-{event_id}")]
        assert WEBHOOK_QUEUE in row and "answered 500" in row
        [endpoint] = [line for line in out.splitlines() if line.startswith(site.site_id)]
        assert endpoint.split()[-3:] == ["3", "no", "0"]  # failing in a row, paused, waiting
        code, out = status("--json")
        assert code == 1
        assert [j["id"] for j in json.loads(out)["failed_jobs"]] == [f"webhook-{event_id}"]
    finally:
        worker.register_death()


def _run_status(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    return subprocess.run(
        [sys.executable, "-m", "service", "status"],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_redis_that_does_not_answer_gives_2_without_a_traceback():
    done = _run_status({"REDIS_URL": "redis://:pw-hunter2@127.0.0.1:1/0"})  # port 1: nothing listens
    assert done.returncode == 2
    assert done.stdout.splitlines() == ["health: down", "  - Redis does not answer"]
    assert "Traceback" not in done.stderr and "pw-hunter2" not in done.stdout + done.stderr


def test_with_no_redis_configured_status_gives_2_and_says_so(tmp_path):
    done = _run_status({"COMMENTGATE_DATA_DIR": str(tmp_path)})
    assert done.returncode == 2
    assert "REDIS_URL is not set" in done.stderr and "Traceback" not in done.stderr
