"""The operator's picture: what it reports, the health word it gives, and that taking it changes nothing."""

from __future__ import annotations

import dataclasses
import time

import pytest
from redis import Redis
from rq import SimpleWorker

from tests.conftest import snapshot
from tests.helpers.receiver import Receiver
from workers.config import Settings
from workers.ops_picture import take_picture
from workers.queues import ALL_QUEUES, MODERATION_QUEUE, WEBHOOK_QUEUE
from workers.runtime import Runtime


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # One delivery's three tries (webhook_retries=(0, 0)) pause its endpoint.
    return dataclasses.replace(settings, webhook_pause_after=3)


@pytest.fixture
def live_worker(connection):
    """An RQ worker registered with a fresh heartbeat, as a running one keeps it."""
    worker = SimpleWorker(list(ALL_QUEUES), connection=connection)
    worker.register_birth()
    worker.heartbeat()
    yield worker
    worker.register_death()


def test_with_no_worker_the_picture_is_down_and_taking_it_changes_nothing(rt, connection, post):
    post("waiting for a worker")
    before = snapshot(connection)
    picture = take_picture(rt)
    assert snapshot(connection) == before
    assert picture.health == "down" and picture.exit_code == 2
    assert picture.reasons == ["no live worker: queued comments are not being decided"]
    moderation = next(q for q in picture.queues if q.name == MODERATION_QUEUE)
    assert moderation.depth == 1 and moderation.failed == 0
    assert picture.workers == []


def test_with_a_live_worker_and_nothing_failed_the_picture_is_healthy(rt, connection, live_worker):
    before = snapshot(connection)
    picture = take_picture(rt)
    assert snapshot(connection) == before
    assert picture.health == "healthy" and picture.reasons == [] and picture.exit_code == 0
    [worker] = picture.workers
    assert worker.name == live_worker.name and worker.alive and not worker.busy
    assert picture.readiness.ready


def test_a_failed_job_and_a_paused_endpoint_make_it_degraded_and_are_shown(
    rt, connection, site, post, work, live_worker
):
    with Receiver(status=500) as receiver:
        secret = rt.sites.set_webhook(site.site_id, receiver.url.replace("http://", "http://user:pw@") + "?token=s3")
        receiver.secret = secret or ""
        post("not received: its three failed tries pause the endpoint")
        work()
        post("waits for the endpoint to be resumed")
        post("waits too")
        work()
    before = snapshot(connection)
    picture = take_picture(rt)
    assert snapshot(connection) == before
    assert picture.health == "degraded" and picture.exit_code == 1
    assert picture.reasons == [
        f"1 failed job(s) in {WEBHOOK_QUEUE}",
        f"webhook endpoint of {site.site_id} is paused",
    ]
    [endpoint] = picture.endpoints
    assert endpoint.site_id == site.site_id and endpoint.site_name == "test-site"
    assert (endpoint.failing_in_a_row, endpoint.paused, endpoint.waiting) == (3, True, 2)
    assert "pw" not in endpoint.url and "s3" not in endpoint.url and endpoint.url.startswith("http://***@")


def test_an_evicting_redis_makes_it_degraded_with_the_warning(rt, connection, live_worker):
    before_policy = connection.config_get("maxmemory-policy")["maxmemory-policy"]
    connection.config_set("maxmemory-policy", "allkeys-lru")
    try:
        picture = take_picture(rt)
    finally:
        connection.config_set("maxmemory-policy", before_policy)
    assert picture.health == "degraded"
    assert picture.eviction_warning is not None and "allkeys-lru" in picture.eviction_warning
    assert picture.reasons == [picture.eviction_warning]
    assert take_picture(rt).health == "healthy"  # noeviction again


def test_a_site_without_a_webhook_has_no_endpoint_row(rt, site, live_worker):
    assert take_picture(rt).endpoints == []


def test_an_old_queued_comment_makes_it_degraded(rt, connection, post, live_worker):
    post("waited too long")
    # The comment entered the queue long ago, as one would after a stall (its score is its submit time).
    [(member, _)] = connection.zrange(rt.keys.queued(), 0, 0, withscores=True)
    connection.zadd(rt.keys.queued(), {member: time.time() - 3600})
    picture = take_picture(rt)
    assert picture.health == "degraded"
    [reason] = picture.reasons
    assert reason.startswith("the oldest queued comment has waited 36") and reason.endswith("(limit 60 s)")


def test_the_decision_mix_sums_the_last_hour_by_status(rt, connection, live_worker):
    now = time.time()
    with connection.pipeline() as pipe:  # decisions as the transitions record them
        for status, at in [
            ("published", now),
            ("published", now - 600),
            ("held", now - 1800),
            ("rejected", now - 7000),
        ]:
            rt.metrics.count_minute(pipe, status, at)
        pipe.execute()
    picture = take_picture(rt)
    assert picture.decision_mix == {"held": 1, "published": 2}  # the rejection is older than an hour
    assert len(picture.minutes) == 60
    assert sum(counts.get("published", 0) for _, counts in picture.minutes) == 2
    as_json = picture.as_dict()
    assert as_json["decision_mix"] == {"held": 1, "published": 2} and as_json["health"] == "healthy"


def test_redis_that_does_not_answer_is_down_without_an_exception(settings):
    down = dataclasses.replace(settings, redis_url="redis://127.0.0.1:1/0")  # port 1: nothing listens
    picture = take_picture(Runtime(Redis.from_url(down.redis_url, socket_connect_timeout=1), down))
    assert picture.health == "down" and picture.exit_code == 2
    assert picture.reasons == ["Redis does not answer"]
    assert picture.as_dict()["queues"] == []


def test_with_no_worker_and_other_concerns_it_is_down_and_gives_every_reason(rt, site, post, work):
    with Receiver(status=500) as receiver:
        receiver.secret = rt.sites.set_webhook(site.site_id, receiver.url) or ""
        post("not received")
        work()  # an in-process burst: no worker stays registered
    picture = take_picture(rt)
    assert picture.health == "down"
    assert picture.reasons == [
        "no live worker: queued comments are not being decided",
        f"1 failed job(s) in {WEBHOOK_QUEUE}",
        f"webhook endpoint of {site.site_id} is paused",  # three failures in a row (this file's setting)
    ]
