"""/readyz tells an orchestrator whether Redis answers, and tells strangers nothing more."""

from __future__ import annotations

import logging

from rq import Worker

from service import create_app
from workers.config import Settings
from workers.queues import ALL_QUEUES


def test_readyz_with_redis_unreachable_is_503_with_a_generic_body(settings, caplog):
    dead = Settings(**{**settings.__dict__, "redis_url": "redis://127.0.0.1:1/0"})
    client = create_app({"TESTING": True, "SETTINGS": dead}).test_client()
    with caplog.at_level(logging.WARNING):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["ready"] is False
    assert response.get_json()["checks"]["redis"] == {"ok": False}
    body = response.get_data(as_text=True)
    for detail in ("127.0.0.1", ":1", "Error", "connect", "refused"):
        assert detail not in body
    # The operator still finds the reason in the log.
    assert "127.0.0.1" in caplog.text


def test_readyz_with_redis_up_and_a_worker_is_200(client, connection):
    Worker(list(ALL_QUEUES), connection=connection, worker_ttl=600).register_birth()  # as RQ's worker starts
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["ready"] is True
    assert response.get_json()["checks"]["redis"] == {"ok": True}
