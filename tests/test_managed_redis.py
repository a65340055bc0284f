"""A managed Redis: its memory policy checked (noeviction), a password, an ACL user without CONFIG."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from redis import Redis

from tests.conftest import snapshot
from workers.redis_policy import eviction_warning, memory_policy


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
    connection.execute_command("ACL", "SETUSER", "cg-app", "on", ">app-password", "~*", "&*", "+@all", "-config")
    parts = urlsplit(redis_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 6379
    client = Redis(host=host, port=port, username="cg-app", password="app-password")
    try:
        yield client
    finally:
        client.close()
        connection.execute_command("ACL", "DELUSER", "cg-app")


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
