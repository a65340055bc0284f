"""A managed Redis: its memory policy checked (noeviction), a password, an ACL user without CONFIG."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from flask.testing import FlaskClient
from redis import Redis
from redis.exceptions import AuthenticationError
from redis.exceptions import ConnectionError as RedisConnectionError
from rq import Worker

from service import create_app
from service.web_server import gunicorn_command
from tests.conftest import snapshot
from tests.helpers.processes import ROOT, start_worker, stop_group, wait_for
from tests.helpers.tls_proxy import TlsProxy, make_certificates
from workers.config import Settings
from workers.embedded_redis import free_port
from workers.keys import Keys
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


def test_readyz_warns_of_an_evicting_policy_without_failing(settings, connection, evicting, caplog):
    _a_live_worker(connection)
    before = snapshot(connection)
    response = _app_client(settings, settings.redis_url).get("/readyz")
    # Comments still flow: the probe passes, and the body names the warning by a code only: anyone may
    # ask /readyz, and Redis's configuration is not theirs to read.
    assert response.status_code == 200
    body = response.get_json()
    assert body["ready"] is True
    assert body["warnings"] == ["redis_may_evict"]
    assert "allkeys-lru" not in response.text and "maxmemory" not in response.text
    # The sentence that says what to fix goes to the log (and to `commentgate status` and the ops page).
    assert "Redis maxmemory-policy is allkeys-lru, not noeviction" in caplog.text
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


# -- TLS (rediss://), a password, an ACL user: web, worker, RQ and the CLI ----------------------------


@pytest.fixture
def certificates(tmp_path: Path) -> tuple[str, str, str]:
    return make_certificates(tmp_path / "certs")


@pytest.fixture
def tls_endpoint(redis_url: str, certificates: tuple[str, str, str]) -> Iterator[TlsProxy]:
    """A TLS endpoint in front of the test server (tests/helpers/tls_proxy.py says why not the server's own)."""
    _, cert, key = certificates
    with TlsProxy(urlsplit(redis_url).port or 6379, cert, key) as proxy:
        yield proxy


def test_a_rediss_url_verifies_the_server_against_the_ca_it_names(redis_url, tls_endpoint, certificates, tmp_path):
    ca, _, _ = certificates
    password = urlsplit(redis_url).password
    trusted = Redis.from_url(f"rediss://:{password}@127.0.0.1:{tls_endpoint.port}/0?ssl_ca_certs={ca}")
    assert trusted.ping() is True
    assert tls_endpoint.handshakes == 1
    other_ca, _, _ = make_certificates(tmp_path / "other", "Another CA")
    untrusted = Redis.from_url(f"rediss://:{password}@127.0.0.1:{tls_endpoint.port}/0?ssl_ca_certs={other_ca}")
    with pytest.raises(RedisConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
        untrusted.ping()
    wrong_password = Redis.from_url(f"rediss://:not-it@127.0.0.1:{tls_endpoint.port}/0?ssl_ca_certs={ca}")
    with pytest.raises(AuthenticationError):
        wrong_password.ping()


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "service", *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_web_worker_and_cli_over_tls_as_an_acl_user_decide_a_comment(
    connection, no_config_user, tls_endpoint, certificates, tmp_path
):
    """As on a managed Redis: TLS with the provider's CA, a user and password, and no CONFIG allowed."""
    ca, _, _ = certificates
    url = f"rediss://{APP_USER}:{APP_PASSWORD}@127.0.0.1:{tls_endpoint.port}/0?ssl_ca_certs={ca}"
    port = free_port()
    env = {**os.environ, "REDIS_URL": url, "COMMENTGATE_LOG_FORMAT": "text"}
    site = json.loads(_cli(env, "sites", "add", "Managed", "--json"))
    with (tmp_path / "web.log").open("w") as web_log:
        web = subprocess.Popen(
            gunicorn_command(f"127.0.0.1:{port}", 2), env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=web_log
        )
    worker = start_worker(url, "-m service worker", {"COMMENTGATE_LOG_FORMAT": "text"})
    base = f"http://127.0.0.1:{port}"
    try:
        ready = wait_for(lambda: _ready(f"{base}/readyz"), timeout=60)
        # Through TLS the web sees the worker's heartbeat; CONFIG is refused, so no warning, and ready.
        assert ready["checks"]["workers"]["alive"] == 1 and ready["warnings"] == []
        headers = {"Authorization": f"Bearer {site['key']}"}
        payload = {"thread_id": "t", "body": "Over TLS.", "author": {"name": "Ada", "email": "ada@example.org"}}
        accepted = requests.post(f"{base}/api/v1/comments", json=payload, headers=headers, timeout=10)
        assert accepted.status_code == 202
        comment_id = accepted.json()["id"]
        url_of = f"{base}/api/v1/comments/{comment_id}"
        decided = wait_for(
            lambda: (r := requests.get(url_of, headers=headers, timeout=5).json())["status"] != "queued" and r, 60
        )
        assert decided["status"] == "published"
    finally:
        stop_group(worker)
        web.terminate()
        web.wait(30)
    # The same server, read without TLS: it is the one the processes wrote to.
    assert connection.hget(Keys("cg").comment(comment_id), "status") == b"published"
    # web (2 processes), worker (its connections, its scheduler, the work horse) and the CLI all came through TLS.
    assert tls_endpoint.handshakes >= 4
    assert "CONFIG" not in (tmp_path / "web.log").read_text()


def _ready(url: str) -> dict | None:
    try:
        response = requests.get(url, timeout=2)
    except requests.RequestException:
        return None
    return response.json() if response.status_code == 200 else None
