"""Site keys and policies kept in the web process: a rotated or removed key, or a changed policy, is seen at once.

The app under test keeps its own cache; changes are made through the test's runtime, as another process
(the CLI, another web process) would make them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.conftest import snapshot
from tests.helpers.processes import ROOT, wait_for
from workers.embedded_redis import free_port
from workers.policy import Policy
from workers.site_cache import SiteCache
from workers.sites import KnownSite, SiteStore, hash_key


def comment(n: int, **fields: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "thread_id": "2025/07/cache",
        "author": {"name": f"Reader {n}", "email": f"reader{n}@example.org"},
        "body": f"Comment number {n}.",
        "client": {"ip": f"203.0.113.{n}"},
    }
    return {**payload, **fields}


# Name and e-mail optional, flood control off: each test turns on what it changes.
OPEN = Policy(flood_seconds=0, require_name=False, require_email=False)


@pytest.fixture
def open_site(site, rt):
    rt.sites.set_policy(site.site_id, OPEN)
    return site


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_a_rotated_key_is_refused_on_the_next_request_and_the_new_one_works(client, site, rt, connection):
    assert client.post("/api/v1/comments", json=comment(1), headers=bearer(site.key)).status_code == 202
    new_key = rt.sites.rotate_key(site.site_id)
    before = snapshot(connection)
    refused = client.post("/api/v1/comments", json=comment(2), headers=bearer(site.key))
    assert refused.status_code == 401
    assert refused.get_json()["title"] == "Unauthorized"
    assert snapshot(connection) == before
    accepted = client.post("/api/v1/comments", json=comment(3), headers=bearer(new_key))
    assert accepted.status_code == 202
    assert rt.comments.get(accepted.get_json()["id"]).site_id == site.site_id


def test_a_key_removed_from_redis_by_hand_is_refused_on_the_next_request(client, site, rt, connection):
    assert client.post("/api/v1/comments", json=comment(1), headers=bearer(site.key)).status_code == 202
    connection.delete(rt.keys.site_key(hash_key(site.key)))
    before = snapshot(connection)
    assert client.post("/api/v1/comments", json=comment(2), headers=bearer(site.key)).status_code == 401
    assert client.get(f"/api/v1/sites/{site.site_id}/policy", headers=bearer(site.key)).status_code == 401
    assert snapshot(connection) == before


def test_a_rotated_key_no_longer_reads_comments(client, site, rt):
    accepted = client.post("/api/v1/comments", json=comment(1), headers=bearer(site.key)).get_json()
    path = f"/api/v1/comments/{accepted['id']}"
    assert client.get(path, headers=bearer(site.key)).status_code == 200
    rt.sites.rotate_key(site.site_id)
    assert client.get(path, headers=bearer(site.key)).status_code == 401


def test_a_policy_changed_elsewhere_applies_to_the_next_submission(client, open_site, rt, connection):
    site = open_site
    no_email = comment(1, author={"name": "Ada"})
    assert client.post("/api/v1/comments", json=no_email, headers=bearer(site.key)).status_code == 202
    rt.sites.set_policy(site.site_id, OPEN.model_copy(update={"require_email": True}))
    before = snapshot(connection)
    refused = client.post("/api/v1/comments", json=comment(2, author={"name": "Ada"}), headers=bearer(site.key))
    assert refused.status_code == 400
    assert refused.get_json()["errors"] == [{"field": "author.email", "message": "is required"}]
    assert snapshot(connection) == before


def test_flood_control_turned_on_elsewhere_holds_back_the_next_comment(client, site, rt):
    same_reader = comment(1)
    assert client.post("/api/v1/comments", json=same_reader, headers=bearer(site.key)).status_code == 202
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=60))
    assert client.post("/api/v1/comments", json=same_reader, headers=bearer(site.key)).status_code == 202
    flooded = client.post("/api/v1/comments", json=same_reader, headers=bearer(site.key))
    assert flooded.status_code == 429


def test_a_policy_put_through_the_api_is_what_the_next_submission_obeys(client, open_site):
    site = open_site
    assert client.post("/api/v1/comments", json=comment(1, author={}), headers=bearer(site.key)).status_code == 202
    put = client.put(
        f"/api/v1/sites/{site.site_id}/policy",
        json={"flood_seconds": 0, "require_email": False},
        headers=bearer(site.key),
    )
    assert put.status_code == 200
    refused = client.post("/api/v1/comments", json=comment(2, author={}), headers=bearer(site.key))
    assert refused.status_code == 400
    assert refused.get_json()["errors"] == [{"field": "author.name", "message": "is required"}]


def test_each_key_stays_with_its_own_site(client, rt):
    first, second = rt.sites.create("first"), rt.sites.create("second")
    for new in (first, second):
        rt.sites.set_policy(new.site_id, Policy(flood_seconds=0))
    ids = {}
    for n, new in enumerate((first, second, first, second)):
        answer = client.post("/api/v1/comments", json=comment(n + 1), headers=bearer(new.key))
        assert answer.status_code == 202
        ids.setdefault(new.site_id, []).append(answer.get_json()["id"])
    for new, other in ((first, second), (second, first)):
        assert {rt.comments.get(i).site_id for i in ids[new.site_id]} == {new.site_id}
        assert client.get(f"/api/v1/comments/{ids[other.site_id][0]}", headers=bearer(new.key)).status_code == 404
        policy = client.get(f"/api/v1/sites/{other.site_id}/policy", headers=bearer(new.key))
        assert policy.status_code == 404


def test_a_key_that_is_no_site_s_is_refused_every_time_and_changes_nothing(client, site, connection):
    before = snapshot(connection)
    for _ in range(2):
        assert client.post("/api/v1/comments", json=comment(1), headers=bearer(site.key + "x")).status_code == 401
    assert snapshot(connection) == before


@pytest.fixture
def one_web_process(redis_url: str) -> Iterator[str]:
    """`commentgate web` with one worker process: every request of the test is served by the same process."""
    port = free_port()
    command = [sys.executable, "-m", "service", "web", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
    process = subprocess.Popen(
        command, env={**_env(), "REDIS_URL": redis_url}, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(base), timeout=60)
        yield base
    finally:
        process.terminate()
        process.wait(30)


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "REDIS_URL"}


def _answers(base: str) -> bool:
    try:
        return requests.get(f"{base}/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def test_the_same_gunicorn_process_sees_a_rotation_and_a_policy_change_at_once(one_web_process, open_site, rt):
    site = open_site
    url = f"{one_web_process}/api/v1/comments"
    with requests.Session() as http:
        assert http.post(url, json=comment(1, author={}), headers=bearer(site.key), timeout=10).status_code == 202
        rt.sites.set_policy(site.site_id, OPEN.model_copy(update={"require_name": True}))
        refused = http.post(url, json=comment(2, author={}), headers=bearer(site.key), timeout=10)
        assert refused.status_code == 400
        assert refused.json()["errors"] == [{"field": "author.name", "message": "is required"}]
        new_key = rt.sites.rotate_key(site.site_id)
        assert http.post(url, json=comment(3), headers=bearer(site.key), timeout=10).status_code == 401
        accepted = http.post(url, json=comment(4), headers=bearer(new_key), timeout=10)
        assert accepted.status_code == 202
        assert rt.comments.get(accepted.json()["id"]).site_id == site.site_id


def test_a_rotated_key_with_a_bad_body_hears_401_not_400(client, site, rt, connection):
    assert client.post("/api/v1/comments", json=comment(1), headers=bearer(site.key)).status_code == 202
    rt.sites.rotate_key(site.site_id)
    before = snapshot(connection)
    assert client.post("/api/v1/comments", json={"body": 5}, headers=bearer(site.key)).status_code == 401
    as_text = {**bearer(site.key), "Content-Type": "text/plain"}
    assert client.post("/api/v1/comments", data="hello", headers=as_text).status_code == 401
    assert snapshot(connection) == before
    too_big = b'{"body": "' + b"a" * (1024 * 1024) + b'"}'
    as_json = {**bearer(site.key), "Content-Type": "application/json"}
    assert client.post("/api/v1/comments", data=too_big, headers=as_json).status_code == 401  # not 413
    assert snapshot(connection) == before


def test_a_rotated_key_with_an_idempotency_key_or_a_parent_writes_and_reveals_nothing(client, site, rt, connection):
    parent = client.post("/api/v1/comments", json=comment(1), headers=bearer(site.key)).get_json()["id"]
    rt.sites.rotate_key(site.site_id)
    before = snapshot(connection)
    with_key = {**bearer(site.key), "Idempotency-Key": "retry-1"}
    assert client.post("/api/v1/comments", json=comment(2), headers=with_key).status_code == 401
    assert (
        client.post("/api/v1/comments", json=comment(3, parent_id=parent), headers=bearer(site.key)).status_code == 401
    )
    assert snapshot(connection) == before


def test_a_site_that_changes_at_every_read_gets_503_and_nothing_is_stored(client, site, rt, connection, monkeypatch):
    assert client.post("/api/v1/comments", json=comment(1), headers=bearer(site.key)).status_code == 202
    stored = connection.llen("rq:queue:commentgate-moderation")
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=0))  # what the app holds is stale from here
    read = SiteStore.known_site

    def read_then_changed(self: SiteStore, digest: str) -> KnownSite | None:
        known = read(self, digest)
        rt.sites.set_policy(site.site_id, Policy(flood_seconds=0))  # another process changes it again
        return known

    monkeypatch.setattr(SiteStore, "known_site", read_then_changed)
    refused = client.post("/api/v1/comments", json=comment(2), headers=bearer(site.key))
    assert refused.status_code == 503
    assert refused.get_json()["title"] == "Site changed"
    assert refused.headers["Retry-After"] == "1"
    assert connection.llen("rq:queue:commentgate-moderation") == stored
    assert connection.zcard(rt.keys.site_queued(site.site_id)) == 1


def test_a_site_dropped_by_another_request_during_its_check_is_still_answered(rt, monkeypatch):
    # Under gevent, another request of the same process may evict or re-read a site while its check waits on Redis.
    first, second = rt.sites.create("first"), rt.sites.create("second")
    cache = SiteCache(rt.sites, capacity=1)
    assert cache.site_for_key(first.key).site_id == first.site_id
    check = SiteStore.is_current

    def meanwhile_another_request_reads_another_site(self: SiteStore, known: KnownSite) -> bool:
        monkeypatch.setattr(SiteStore, "is_current", check)
        cache.site_for_key(second.key)  # capacity 1: the first site is dropped
        return check(self, known)

    monkeypatch.setattr(SiteStore, "is_current", meanwhile_another_request_reads_another_site)
    assert cache.site_for_key(first.key).site_id == first.site_id  # before: KeyError, a 500
    assert cache.site_for_key(second.key).site_id == second.site_id
