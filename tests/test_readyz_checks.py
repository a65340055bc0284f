"""/readyz tells an orchestrator whether comments are flowing: Redis, a live worker, a young queue."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from redis import Redis
from rq import Worker

from service import create_app
from tests.conftest import snapshot
from tests.helpers.processes import kill_group, start_worker, stop_group, wait_for
from workers.config import Settings
from workers.queues import ALL_QUEUES
from workers.runtime import Runtime

SHORT_TTL = 5  # seconds: a killed worker's heartbeat ages out quickly


def _client(settings: Settings, **changes: Any) -> FlaskClient:
    return create_app({"TESTING": True, "SETTINGS": dataclasses.replace(settings, **changes)}).test_client()


def _checks(response: Any) -> dict[str, Any]:
    body: dict[str, Any] = response.get_json()
    return body["checks"]


def _a_worker_heartbeat(connection: Redis) -> Worker:
    """Register a worker and its heartbeat the way RQ's own worker does when it starts."""
    worker = Worker(list(ALL_QUEUES), connection=connection, worker_ttl=600)
    worker.register_birth()
    return worker


def test_healthz_answers_with_redis_unreachable(settings):
    client = _client(settings, redis_url="redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


def test_redis_down_is_503_with_every_check_failed_and_no_detail(settings, caplog):
    client = _client(settings, redis_url="redis://:pw-hunter2@127.0.0.1:1/0")
    with caplog.at_level(logging.WARNING):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {
        "ready": False,
        "checks": {
            "redis": {"ok": False},
            "workers": {"ok": False, "alive": 0},
            "queue_age": {"ok": False, "oldest_seconds": None, "limit_seconds": 60},
        },
        "warnings": [],
    }
    body = response.get_data(as_text=True)
    for detail in ("127.0.0.1", ":1", "pw-hunter2", "Error", "connect", "refused"):
        assert detail not in body
    # The operator finds the reason in the log, without the password.
    assert "127.0.0.1" in caplog.text
    assert "pw-hunter2" not in caplog.text


def test_no_worker_is_503_with_workers_failed(client, connection):
    before = snapshot(connection)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["ready"] is False
    assert _checks(response) == {
        "redis": {"ok": True},
        "workers": {"ok": False, "alive": 0},
        "queue_age": {"ok": True, "oldest_seconds": None, "limit_seconds": 60},
    }
    assert snapshot(connection) == before


def test_a_live_worker_and_empty_queue_is_200_killed_or_stopped_503(settings, rt: Runtime, connection):
    client = _client(settings, worker_ttl=SHORT_TTL)
    env = {"COMMENTGATE_WORKER_TTL": str(SHORT_TTL)}
    worker = start_worker(settings.redis_url, "-m service worker", env)
    try:
        ready = wait_for(lambda: (r := client.get("/readyz")).status_code == 200 and r, timeout=60)
        assert ready.get_json() == {
            "ready": True,
            "checks": {
                "redis": {"ok": True},
                "workers": {"ok": True, "alive": 1},
                "queue_age": {"ok": True, "oldest_seconds": None, "limit_seconds": 60},
            },
            "warnings": [],
        }
        kill_group(worker)  # as a crash would: no chance to unregister
        # The dead worker is still registered; its heartbeat ages out within worker_ttl.
        assert connection.scard("rq:workers") == 1
        down = wait_for(lambda: (r := client.get("/readyz")).status_code == 503 and r, timeout=SHORT_TTL + 30)
        assert _checks(down)["workers"] == {"ok": False, "alive": 0}
        assert _checks(down)["redis"] == {"ok": True}
        # Reading it cleaned nothing up: the stale registration is still there, every key unchanged.
        before = snapshot(connection)
        assert client.get("/readyz").status_code == 503
        assert snapshot(connection) == before
        assert connection.scard("rq:workers") == 1

        worker = start_worker(settings.redis_url, "-m service worker", env)  # a fresh worker: ready again
        again = wait_for(lambda: (r := client.get("/readyz")).status_code == 200 and r, timeout=60)
        assert _checks(again)["workers"] == {"ok": True, "alive": 1}
        stop_group(worker)  # SIGTERM: the worker unregisters as it exits, so it stops counting at once
        stopped = client.get("/readyz")
        assert (stopped.status_code, _checks(stopped)["workers"]) == (503, {"ok": False, "alive": 0})
    finally:
        if worker.poll() is None:
            stop_group(worker)


def test_a_comment_queued_longer_than_the_limit_is_503_with_its_age(
    settings, rt: Runtime, connection, post: Callable[..., Any]
):
    _a_worker_heartbeat(connection)  # a worker is alive but takes nothing: the comment waits
    comment_id = post("Waiting for a worker that is not picking anything up.").get_json()["id"]
    comment = rt.comments.get(comment_id)
    assert comment is not None
    submitted = comment.created_at

    young = _client(settings).get("/readyz")
    assert young.status_code == 200
    assert _checks(young)["queue_age"]["ok"] is True
    assert 0 <= _checks(young)["queue_age"]["oldest_seconds"] < 60

    strict = _client(settings, ready_queue_age=1)
    old = wait_for(lambda: (r := strict.get("/readyz")).status_code == 503 and r, timeout=30)
    assert old.get_json()["ready"] is False
    queue_age = _checks(old)["queue_age"]
    assert queue_age["ok"] is False and queue_age["limit_seconds"] == 1
    seconds, micros = connection.time()
    waited = seconds + micros / 1e6 - submitted
    assert 1 <= queue_age["oldest_seconds"] <= waited + 0.1
    assert _checks(old)["workers"] == {"ok": True, "alive": 1}
    assert _checks(old)["redis"] == {"ok": True}
    assert rt.comments.status_of(comment_id).value == "queued"


def test_queue_figures_count_what_was_enqueued_and_change_no_key(rt: Runtime) -> None:
    from workers.queue_health import queue_figures, redis_now
    from workers.queues import MODERATION_QUEUE, WEBHOOK_QUEUE

    for n in range(3):
        rt.queues.enqueue_moderation(f"c{n}")
    before = snapshot(rt.connection)

    moderation, webhooks = queue_figures(rt.connection, redis_now(rt.connection) + 5)

    assert snapshot(rt.connection) == before
    assert (moderation.name, moderation.depth, moderation.started, moderation.failed) == (MODERATION_QUEUE, 3, 0, 0)
    assert moderation.oldest_seconds is not None and 5 <= moderation.oldest_seconds < 60
    assert (webhooks.name, webhooks.depth, webhooks.oldest_seconds) == (WEBHOOK_QUEUE, 0, None)
