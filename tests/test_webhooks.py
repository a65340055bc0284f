"""Webhooks: signed, delivered once per decision by their own job, failures kept for operators."""

from __future__ import annotations

import json
import time

import pytest
from click.testing import CliRunner

from service.cli import main
from tests.helpers.receiver import Receiver
from workers.exceptions import UnsafeWebhookUrl
from workers.webhooks import check_webhook_url, sign, verify


def test_signature_round_trip_and_tampering():
    body = b'{"id":"evt_1"}'
    header = sign("whsec_x", body)
    assert verify("whsec_x", body, header)
    assert not verify("whsec_x", body + b" ", header)
    assert not verify("whsec_y", body, header)
    assert not verify("whsec_x", body, sign("whsec_x", body, int(time.time()) - 301))  # stale


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",
        "http://localhost/x",
        "http://10.0.0.5/x",
        "http://169.254.169.254/latest",
        "http://[::1]/",
    ],
)
def test_private_and_loopback_webhook_urls_are_refused(url):
    with pytest.raises(UnsafeWebhookUrl):
        check_webhook_url(url, allow_private=False)
    check_webhook_url(url, allow_private=True)


def test_non_http_webhook_urls_are_refused_even_when_private_is_allowed():
    with pytest.raises(UnsafeWebhookUrl):
        check_webhook_url("file:///etc/passwd", allow_private=True)


def test_each_decision_is_delivered_signed_with_its_event_id(rt, site, post, work):
    with Receiver() as receiver:
        receiver.secret = rt.sites.set_webhook(site.site_id, receiver.url)
        ids = [post("Lovely piece.").get_json()["id"], post("fucking nonsense").get_json()["id"]]
        work()
        assert receiver.bad_signatures == 0
        by_comment = {d["comment"]["id"]: d for d in receiver.deliveries}
        assert set(by_comment) == set(ids)
        assert by_comment[ids[0]]["type"] == "comment.published"
        assert by_comment[ids[1]]["type"] == "comment.held"
        assert by_comment[ids[1]]["comment"]["reasons"] == ["profanity.severe"]
        assert all(d["_header_id"] == d["id"] for d in receiver.deliveries)
        events = rt.comments.events_after(site.site_id, None, 10)
        assert sorted(e["id"] for _, e in events) == sorted(receiver.event_ids())


def test_a_failing_endpoint_is_retried_then_listed_as_failed(rt, site, post, work, settings, monkeypatch):
    with Receiver(status=500) as receiver:
        receiver.secret = rt.sites.set_webhook(site.site_id, receiver.url)
        post("Will not be received.")
        work()
        assert len(receiver.deliveries) == 3  # the first try and two retries (settings.webhook_retries)
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    result = CliRunner().invoke(main, ["webhooks", "failed", "--json"])
    assert result.exit_code == 0, result.output
    failed = json.loads(result.output)
    assert [f["event_id"] for f in failed] == [receiver.deliveries[0]["id"]]
    assert failed[0]["attempts"] == 3 and failed[0]["last_status"] == "500"
    endpoints = CliRunner().invoke(main, ["webhooks", "endpoints"])
    assert f"{site.site_id}\t{receiver.url}\tfailing in a row: 3" in endpoints.output


def test_without_a_webhook_no_delivery_job_is_queued(rt, site, post, work, connection):
    post("quiet site")
    work()
    assert connection.llen("rq:queue:commentgate-webhooks") == 0
    assert len(rt.comments.events_after(site.site_id, None, 10)) == 1
