"""Backpressure: while the oldest queued comment has waited past the limit, submissions get 503 with
Retry-After and nothing is stored, instead of growing a backlog no worker is draining."""

from __future__ import annotations

import dataclasses

from flask.testing import FlaskClient
from redis import Redis

from service import create_app
from tests.conftest import snapshot
from workers.admission import BACKLOGGED_RETRY_AFTER
from workers.config import Settings
from workers.queue_health import redis_now
from workers.runtime import Runtime

LIMIT = 300  # the default


def wait_as_if(connection: Redis, rt: Runtime, seconds: float) -> None:
    """Every queued comment as if it had been created `seconds` ago (by Redis's clock), no worker running."""
    now = redis_now(connection)
    for comment_id in connection.zrange(rt.keys.queued(), 0, -1):
        connection.zadd(rt.keys.queued(), {comment_id: now - seconds}, xx=True)


def comment(n: int) -> dict[str, object]:
    """A JSON submission from reader `n`."""
    author = {"name": f"Reader {n}", "email": f"reader{n}@example.org"}
    return {"thread_id": "t", "body": f"Comment {n}.", "author": author, "client": {"ip": f"198.51.100.{n}"}}


def assert_backlogged(response) -> None:
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["type"].endswith("/backlogged")
    assert body["status"] == 503
    assert f"more than {LIMIT} seconds" in body["detail"]
    assert "nothing was stored" in body["detail"]
    assert response.headers["Retry-After"] == str(BACKLOGGED_RETRY_AFTER)


def test_the_default_limit_is_300_seconds():
    assert Settings().backpressure_queue_age == LIMIT
    assert Settings.from_env({"COMMENTGATE_BACKPRESSURE_QUEUE_AGE": "120"}).backpressure_queue_age == 120


def test_a_backlog_past_the_limit_refuses_with_503_and_stores_nothing(post, rt, site, connection):
    assert post("the first, that no worker picks up").status_code == 202
    wait_as_if(connection, rt, LIMIT + 1)
    before = snapshot(connection)
    assert_backlogged(post("a second, while the first has waited five minutes"))
    assert snapshot(connection) == before
    assert connection.zcard(rt.keys.queued()) == 1
    assert connection.llen("rq:queue:commentgate-moderation") == 1


def test_a_refused_idempotency_key_is_free_for_the_retry(post, rt, site, connection, work):
    assert post("the first").status_code == 202
    wait_as_if(connection, rt, LIMIT + 1)
    before = snapshot(connection)
    retry = {"Idempotency-Key": "comment-77"}
    assert_backlogged(post("kept by the site, sent again later", headers=retry))
    assert snapshot(connection) == before

    work()  # workers are back and drain the backlog
    accepted = post("kept by the site, sent again later", headers=retry)
    assert accepted.status_code == 202
    assert accepted.get_json()["status"] == "queued"


def test_under_the_limit_a_comment_is_accepted(post, rt, site, connection):
    assert post("the first").status_code == 202
    wait_as_if(connection, rt, LIMIT - 5)
    response = post("a second, while the first has waited under five minutes")
    assert response.status_code == 202
    assert connection.zcard(rt.keys.queued()) == 2


def test_a_drained_backlog_accepts_again(post, rt, site, connection, work):
    assert post("the first").status_code == 202
    wait_as_if(connection, rt, LIMIT + 1)
    assert_backlogged(post("refused while the first waits"))
    work()
    assert connection.zcard(rt.keys.queued()) == 0
    assert post("accepted once it is decided").status_code == 202


def test_any_sites_backlog_refuses_every_site(post, client, rt, site, connection):
    # Workers serve every site from one queue: a site's comment waits behind the whole backlog.
    assert post("the first").status_code == 202
    wait_as_if(connection, rt, LIMIT + 1)
    other = rt.sites.create("another-site")
    payload = {
        "thread_id": "t",
        "body": "Hello.",
        "author": {"name": "B", "email": "b@example.org"},
        "client": {"ip": "198.51.100.9"},
    }
    before = snapshot(connection)
    response = client.post("/api/v1/comments", json=payload, headers={"Authorization": f"Bearer {other.key}"})
    assert_backlogged(response)
    assert snapshot(connection) == before


def test_an_accepted_idempotency_key_is_still_answered_during_a_backlog(client, auth, rt, site, connection):
    payload = comment(1)
    headers = {**auth, "Idempotency-Key": "k-1"}
    first = client.post("/api/v1/comments", json=payload, headers=headers)
    assert first.status_code == 202
    wait_as_if(connection, rt, LIMIT + 1)
    before = snapshot(connection)
    replay = client.post("/api/v1/comments", json=payload, headers=headers)
    assert replay.status_code == 202
    assert replay.get_json()["id"] == first.get_json()["id"]
    assert snapshot(connection) == before


def test_a_form_post_is_refused_the_same_way(client, auth, rt, site, connection, post):
    assert post("the first").status_code == 202
    wait_as_if(connection, rt, LIMIT + 1)
    form = {
        "comment_post_ID": "42",
        "author": "Ada",
        "email": "ada@example.org",
        "comment": "Hi.",
        "user_ip": "203.0.113.5",
    }
    before = snapshot(connection)
    assert_backlogged(client.post("/api/v1/comments", data=form, headers=auth))
    assert snapshot(connection) == before


def test_zero_turns_backpressure_off(settings: Settings, rt, site, auth, connection):
    off: FlaskClient = create_app(
        {"TESTING": True, "SETTINGS": dataclasses.replace(settings, backpressure_queue_age=0)}
    ).test_client()
    payload = {
        "thread_id": "t",
        "body": "One.",
        "author": {"name": "A", "email": "a@example.org"},
        "client": {"ip": "198.51.100.1"},
    }
    assert off.post("/api/v1/comments", json=payload, headers=auth).status_code == 202
    wait_as_if(connection, rt, 10 * LIMIT)
    payload = {**payload, "body": "Two.", "client": {"ip": "198.51.100.2"}}
    assert off.post("/api/v1/comments", json=payload, headers=auth).status_code == 202
    assert connection.zcard(rt.keys.queued()) == 2
