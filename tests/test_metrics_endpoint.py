"""`/metrics` through the app: HTTP figures by route template, Redis figures read without writes, the token."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from rq import Worker
from rq.worker import WorkerStatus

from service import create_app
from tests.conftest import snapshot
from tests.helpers.scrape import families, value
from workers.config import Settings
from workers.metrics import CHECK_DURATION, COMMENTS_DECIDED, DECISION_LATENCY, SWEEPER_REQUEUES
from workers.queues import ALL_QUEUES, MODERATION_QUEUE, WEBHOOK_QUEUE
from workers.runtime import Runtime

OPERATIONS = Path(__file__).resolve().parents[1] / "docs" / "operations.md"


def _client(settings: Settings, **changes: Any) -> FlaskClient:
    return create_app({"TESTING": True, "SETTINGS": dataclasses.replace(settings, **changes)}).test_client()


def _scrape(client: FlaskClient, **headers: str) -> str:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    return response.get_data(as_text=True)


def test_requests_are_counted_by_route_template_never_the_raw_path(client: FlaskClient, auth: dict[str, str]):
    statuses = {
        client.get(f"/api/v1/comments/{comment_id}", headers=auth).status_code for comment_id in ("c-1", "c-2", "c-3")
    }
    for path in ("/wp-login.php", "/secret-probe-1", "/secret-probe-2"):
        client.get(path)
    client.get("/healthz")

    text = _scrape(client)

    (status,) = statuses
    comments = {"route": "/api/v1/comments/<comment_id>", "method": "GET", "status": str(status)}
    assert value(text, "commentgate_http_requests_total", **comments) == 3
    assert value(text, "commentgate_http_requests_total", route="none", method="GET", status="404") == 3
    assert value(text, "commentgate_http_requests_total", route="/healthz", method="GET", status="200") == 1
    assert value(text, "commentgate_http_request_duration_seconds_count", route="none", method="GET") == 3
    for raw in ("c-1", "wp-login", "secret-probe"):
        assert raw not in text


def test_an_unknown_method_is_one_label_value(client: FlaskClient):
    client.open("/healthz", method="BREW")
    client.open("/healthz", method="WHEN")

    text = _scrape(client)

    assert value(text, "commentgate_http_requests_total", route="none", method="other", status="405") == 2
    assert "BREW" not in text and "WHEN" not in text


def test_queue_gauges_equal_what_was_enqueued_and_a_scrape_changes_no_key(
    client: FlaskClient, post: Callable[..., Any], rt: Runtime
):
    for n in range(4):
        assert post(f"Comment number {n} waits for a worker.").status_code == 202
    before = snapshot(rt.connection)

    text = _scrape(client)

    assert snapshot(rt.connection) == before
    assert value(text, "commentgate_queue_depth", queue=MODERATION_QUEUE) == 4
    assert value(text, "commentgate_queue_depth", queue=WEBHOOK_QUEUE) == 0
    assert value(text, "commentgate_comments_queued") == 4
    oldest = value(text, "commentgate_queue_oldest_job_age_seconds", queue=MODERATION_QUEUE)
    assert oldest is not None and 0 <= oldest < 60
    comment_age = value(text, "commentgate_comments_queued_oldest_age_seconds")
    assert comment_age is not None and 0 <= comment_age < 60
    for state in ("started", "failed", "scheduled", "deferred"):
        assert value(text, "commentgate_queue_jobs", queue=MODERATION_QUEUE, state=state) == 0
    assert value(text, "commentgate_workers_alive") == 0
    assert value(text, "commentgate_redis_up") == 1


def test_workers_alive_and_busy_come_from_their_heartbeats(client: FlaskClient, rt: Runtime):
    idle = Worker(list(ALL_QUEUES), connection=rt.connection, name="idle-one")
    busy = Worker(list(ALL_QUEUES), connection=rt.connection, name="busy-one")
    for worker in (idle, busy):
        worker.register_birth()
    busy.set_state(WorkerStatus.BUSY)

    text = _scrape(client)

    assert (value(text, "commentgate_workers_alive"), value(text, "commentgate_workers_busy")) == (2, 1)


def test_paused_endpoints_are_counted(client: FlaskClient, rt: Runtime):
    rt.connection.sadd(rt.keys.paused_endpoints(), "site-a", "site-b")

    assert value(_scrape(client), "commentgate_webhook_endpoints_paused") == 2


def test_stored_counters_and_histograms_are_exported_with_cumulative_buckets(client: FlaskClient, rt: Runtime):
    with rt.connection.pipeline() as pipe:
        labels = {"decision": "held", "reason": "spam.links", "by": "pipeline"}
        rt.metrics.count(pipe, COMMENTS_DECIDED, labels, by=3)
        rt.metrics.count(
            pipe, COMMENTS_DECIDED, {"decision": "published", "reason": 'a "quoted" \\ one', "by": "moderator"}
        )
        rt.metrics.count(pipe, SWEEPER_REQUEUES, {"kind": "comment"})
        for seconds in (0.07, 0.2, 400.0):
            rt.metrics.observe(pipe, DECISION_LATENCY, seconds)
        for check, seconds in (("spam", 0.0003), ("spam", 0.002), ("profanity", 0.5)):
            rt.metrics.observe(pipe, CHECK_DURATION, seconds, {"check": check})
        pipe.execute()

    text = _scrape(client)

    assert value(text, "commentgate_comments_decided_total", **labels) == 3
    odd = {"decision": "published", "reason": 'a "quoted" \\ one', "by": "moderator"}
    assert value(text, "commentgate_comments_decided_total", **odd) == 1
    assert value(text, "commentgate_sweeper_requeues_total", kind="comment") == 1
    assert value(text, "commentgate_comments_received_total") == 0
    cumulative = {"0.05": 0, "0.1": 1, "0.25": 2, "300.0": 2, "600.0": 3, "+Inf": 3}
    for le, count in cumulative.items():
        assert value(text, "commentgate_decision_latency_seconds_bucket", le=le) == count, le
    assert value(text, "commentgate_decision_latency_seconds_count") == 3
    assert value(text, "commentgate_decision_latency_seconds_sum") == 400.27
    check = "commentgate_check_duration_seconds"
    assert value(text, f"{check}_bucket", check="spam", le="0.00025") == 0
    assert value(text, f"{check}_bucket", check="spam", le="0.0005") == 1
    assert value(text, f"{check}_bucket", check="spam", le="0.0025") == 2
    assert value(text, f"{check}_bucket", check="profanity", le="0.25") == 0
    assert value(text, f"{check}_bucket", check="profanity", le="+Inf") == 1
    assert (value(text, f"{check}_count", check="spam"), value(text, f"{check}_count", check="profanity")) == (2, 1)


def test_redis_down_still_answers_with_the_http_figures_and_redis_up_0(settings: Settings):
    client = _client(settings, redis_url="redis://:pw-hunter2@127.0.0.1:1/0")
    client.get("/healthz")

    text = _scrape(client)

    assert value(text, "commentgate_redis_up") == 0
    assert value(text, "commentgate_http_requests_total", route="/healthz", method="GET", status="200") == 1
    assert "commentgate_queue_depth" not in families(text)
    assert "pw-hunter2" not in text and "127.0.0.1" not in text


def test_with_a_token_only_its_bearer_reads_the_figures(settings: Settings, rt: Runtime):
    client = _client(settings, metrics_token="metrics-token-7f3a")
    before = snapshot(rt.connection)
    refused = [
        client.get("/metrics"),
        client.get("/metrics", headers={"Authorization": "Bearer wrong-token"}),
        client.get("/metrics", headers={"Authorization": "Bearer metrics-token-7f3"}),
        client.get("/metrics", headers={"Authorization": "metrics-token-7f3a"}),
        client.get("/metrics", headers={"Authorization": "Bearer metrics-token-7f3aé"}),
    ]
    for response in refused:
        assert response.status_code == 401
        assert response.get_data() == b""
        assert response.headers["WWW-Authenticate"] == "Bearer"
    assert snapshot(rt.connection) == before

    text = _scrape(client, Authorization="Bearer metrics-token-7f3a")
    # The refused scrapes are themselves counted, under their route and status.
    assert value(text, "commentgate_http_requests_total", route="/metrics", method="GET", status="401") == 5


def test_without_a_token_metrics_are_open(client: FlaskClient):
    assert value(_scrape(client), "commentgate_redis_up") == 1


def _documented_names() -> dict[str, str]:
    section = OPERATIONS.read_text().split("\n## Metrics\n", 1)[1].split("\n## ", 1)[0]
    return dict(re.findall(r"^\| `(commentgate_\w+)` \| (counter|gauge|histogram) \|", section, re.MULTILINE))


def test_every_exported_name_is_documented_with_its_type_and_every_documented_name_exported(
    client: FlaskClient, post: Callable[..., Any]
):
    post()
    client.get("/healthz")

    exported = families(_scrape(client))

    assert exported == _documented_names()
    assert all(name.startswith("commentgate_") for name in exported)
