"""A managed Redis: its memory policy checked (noeviction), a password, an ACL user without CONFIG."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from redis import Redis
from rq import Worker

from service import create_app
from tests.conftest import snapshot
from workers.config import Settings
from workers.queues import ALL_QUEUES
from workers.redis_policy import eviction_warning, memory_policy

APP_USER, APP_PASSWORD = "cg-app", "app-password"


@pytest.fixture
def evicting(connection: Redis) -> Iterator[str]:
    """The server set to evict keys when full, as a managed Redis's default often is; put back after."""
    before = memory_policy(connection)
    connection.config_set("maxmemory-policy", "allkeys-lru")
    try:
        yield "allkeys-lru"
    finally:
        connection.config_set("maxmemory-policy", before or "noeviction")


@pytest.fixture
def no_config_user(connection: Redis, redis_url: str) -> Iterator[Redis]:
    """A client logged in as an ACL user that may do everything but CONFIG, as managed services give."""
    connection.execute_command("ACL", "SETUSER", APP_USER, "on", f">{APP_PASSWORD}", "~*", "&*", "+@all", "-config")
    parts = urlsplit(redis_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 6379
    client = Redis(host=host, port=port, username=APP_USER, password=APP_PASSWORD)
    try:
        yield client
    finally:
        client.close()
        connection.execute_command("ACL", "DELUSER", APP_USER)


def test_noeviction_gives_no_warning(connection):
    assert memory_policy(connection) == "noeviction"
    assert eviction_warning(connection) is None


def test_an_evicting_policy_is_named_in_the_warning(connection, evicting):
    warning = eviction_warning(connection)
    assert warning is not None
    assert "allkeys-lru" in warning
    assert "noeviction" in warning


def test_config_refused_gives_no_warning_and_changes_nothing(connection, no_config_user, evicting):
    # Even with an evicting policy: a user that may not read it cannot be told, and is not alarmed for ever.
    before = snapshot(connection)
    assert memory_policy(no_config_user) is None
    assert eviction_warning(no_config_user) is None
    # The same user can do the work the service needs.
    assert no_config_user.ping() is True
    assert snapshot(connection) == before


def test_redis_unreachable_gives_no_warning():
    # Another check (the Redis one) reports that; the warning is only about the memory policy.
    assert eviction_warning(Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5)) is None


def _app_client(settings: Settings, redis_url: str) -> FlaskClient:
    return create_app({"TESTING": True, "SETTINGS": dataclasses.replace(settings, redis_url=redis_url)}).test_client()


def _a_live_worker(connection: Redis) -> None:
    """Register a worker and its heartbeat the way RQ's own worker does when it starts."""
    Worker(list(ALL_QUEUES), connection=connection, worker_ttl=600).register_birth()


def test_readyz_warns_of_an_evicting_policy_without_failing(settings, connection, evicting):
    _a_live_worker(connection)
    before = snapshot(connection)
    response = _app_client(settings, settings.redis_url).get("/readyz")
    # Comments still flow: the probe passes, and the body says what to fix.
    assert response.status_code == 200
    body = response.get_json()
    assert body["ready"] is True
    assert len(body["warnings"]) == 1
    assert "allkeys-lru" in body["warnings"][0] and "noeviction" in body["warnings"][0]
    assert snapshot(connection) == before


def test_readyz_has_no_warning_with_noeviction(settings, connection):
    _a_live_worker(connection)
    response = _app_client(settings, settings.redis_url).get("/readyz")
    assert (response.status_code, response.get_json()["warnings"]) == (200, [])


def test_readyz_as_an_acl_user_without_config_is_ready_with_no_warning(
    settings, connection, redis_url, no_config_user, evicting
):
    parts = urlsplit(redis_url)
    app_url = f"redis://{APP_USER}:{APP_PASSWORD}@{parts.hostname}:{parts.port}/0"
    _a_live_worker(connection)
    with_acl = _app_client(settings, app_url)
    before = snapshot(connection)
    response = with_acl.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["ready"] is True
    assert response.get_json()["warnings"] == []
    assert snapshot(connection) == before
