"""Webhook delivery is bounded (answer size, total time), goes to the checked address, and keeps URL credentials out."""

from __future__ import annotations

import base64
import dataclasses
import functools
import logging
import ssl
import subprocess
import time

import pytest

from tests.helpers.raw_endpoints import ENDLESS_CAP, RawEndpoint
from tests.helpers.receiver import Receiver
from workers.exceptions import UnsafeWebhookUrl
from workers.runtime import Runtime
from workers.store import decode_hash
from workers.webhooks import check_webhook_url


@pytest.fixture
def quick(connection, settings, use_runtime):
    """A runtime whose deliveries have a 1 s bound and no retries; jobs pick it up (ask for it last)."""
    runtime = Runtime(connection, dataclasses.replace(settings, webhook_timeout=1, webhook_retries=()))
    use_runtime(runtime)
    return runtime


def _only_delivery(rt):
    (key,) = list(rt.connection.scan_iter(match=f"{rt.keys.prefix}:delivery:*"))
    return decode_hash(rt.connection.hgetall(key))


def _wait_until(condition, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


def test_an_endless_answer_is_read_only_a_few_kb_and_the_delivery_is_recorded(rt, site, post, work, quick):
    with RawEndpoint("endless") as endpoint:
        rt.sites.set_webhook(site.site_id, endpoint.url)
        post("To an endpoint that never stops talking.")
        work()
        delivery = _only_delivery(rt)
        assert delivery["state"] == "delivered" and delivery["last_status"] == "200"
        assert _wait_until(lambda: endpoint.cut_off.is_set() or endpoint.done.is_set())
        assert endpoint.cut_off.is_set(), f"the client read all {endpoint.sent} bytes"
        assert endpoint.sent < ENDLESS_CAP


def test_a_trickling_endpoint_is_cut_off_at_the_total_deadline(rt, site, post, work, quick):
    with RawEndpoint("trickle") as endpoint:
        rt.sites.set_webhook(site.site_id, endpoint.url)
        post("To an endpoint that answers a byte at a time.")
        work()
        delivery = _only_delivery(rt)
        assert delivery["state"] == "failed" and delivery["attempts"] == "1"
        assert "no complete answer within 1 s" in delivery["last_error"]
        assert "last_status" not in delivery
        assert _wait_until(endpoint.cut_off.is_set)
        assert not endpoint.done.is_set()


def test_the_connection_goes_to_the_address_that_was_checked(rt, site, post, work, monkeypatch):
    answers = iter([["127.0.0.1"], ["127.0.0.2"], ["127.0.0.2"]])  # a DNS answer that changes after the check
    calls = []

    def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        return next(answers)

    monkeypatch.setattr("workers.webhooks.resolve", resolve)
    with Receiver() as receiver:
        port = receiver.server.server_address[1]
        receiver.secret = rt.sites.set_webhook(site.site_id, f"http://hooks.example.test:{port}/hooks/commentgate")
        post("Pinned.")
        work()
        assert _only_delivery(rt)["state"] == "delivered"
        assert len(receiver.deliveries) == 1  # reached the receiver on 127.0.0.1, the checked address
        headers, _ = receiver.requests[0]
        assert headers["Host"] == f"hooks.example.test:{port}"  # the name is kept for the receiver
        assert calls == ["hooks.example.test"]  # resolved once, for the check; the connection reused it


def test_a_failing_delivery_keeps_url_credentials_out_of_records_and_logs(rt, site, post, work, caplog):
    caplog.set_level(logging.DEBUG)
    with Receiver(status=500) as receiver:
        port = receiver.server.server_address[1]
        url = f"http://hookuser:s3cret-pw@127.0.0.1:{port}/hooks/commentgate?token=qu3ry-secret"
        rt.sites.set_webhook(site.site_id, url)
        receiver.secret = rt.sites.get(site.site_id).webhook_secret
        post("Will fail.")
        work()
        assert len(receiver.deliveries) == 3
        headers, _ = receiver.requests[0]
        assert headers["Authorization"] == "Basic " + base64.b64encode(b"hookuser:s3cret-pw").decode()
    delivery = _only_delivery(rt)
    assert delivery["state"] == "failed"
    assert f"http://127.0.0.1:{port} answered 500" in delivery["last_error"]
    site_key = rt.keys.site(site.site_id).encode()
    for key in rt.connection.scan_iter():
        if key != site_key:  # the site's own record must hold the URL to deliver to it
            for secret in (b"s3cret-pw", b"qu3ry-secret"):
                assert secret not in (rt.connection.dump(key) or b""), key
    assert "s3cret-pw" not in caplog.text and "qu3ry-secret" not in caplog.text
    assert "answered 500" in caplog.text  # the failure itself is logged


def test_a_refused_url_names_the_host_but_not_its_credentials():
    with pytest.raises(UnsafeWebhookUrl) as refused:
        check_webhook_url("http://admin:hunter2@127.0.0.1:8080/x", allow_private=False)
    assert "127.0.0.1" in str(refused.value) and "hunter2" not in str(refused.value)
    with pytest.raises(UnsafeWebhookUrl) as refused:
        check_webhook_url("ftp://admin:hunter2@example.org/x", allow_private=True)
    assert "hunter2" not in str(refused.value)


def _certificates(directory) -> tuple[str, str, str]:
    """A throwaway CA and a certificate it signed for hooks.example.test: (ca, cert, key) paths."""
    ca, ca_key = directory / "ca.pem", directory / "ca.key"
    cert, key, csr = directory / "leaf.pem", directory / "leaf.key", directory / "leaf.csr"
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run = functools.partial(subprocess.run, check=True, capture_output=True)
    run(["openssl", "req", "-x509", *ec, "-keyout", ca_key, "-out", ca, "-days", "2", "-subj", "/CN=Test CA"])
    run(["openssl", "req", *ec, "-keyout", key, "-out", csr, "-subj", "/CN=hooks.example.test"])
    (directory / "san.ext").write_text("subjectAltName=DNS:hooks.example.test\n")
    sign = ["openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", cert]
    run([*sign, "-days", "2", "-extfile", directory / "san.ext"])
    return str(ca), str(cert), str(key)


def test_https_goes_to_the_checked_address_and_verifies_the_certificate_for_the_name(
    rt, site, post, work, monkeypatch, tmp_path
):
    ca, cert, key = _certificates(tmp_path)
    names_asked = []
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert, key)
    server_tls.sni_callback = lambda sock, name, ctx: names_asked.append(name)
    monkeypatch.setattr("workers.webhooks.resolve", lambda host, port: ["127.0.0.1"])
    monkeypatch.setattr("workers.webhooks.tls_context", lambda: ssl.create_default_context(cafile=ca))
    with Receiver(tls=server_tls) as receiver:
        port = receiver.server.server_address[1]
        receiver.secret = rt.sites.set_webhook(site.site_id, f"https://hooks.example.test:{port}/hooks")
        post("Over TLS.")
        work()
        assert [d["type"] for d in receiver.deliveries] == ["comment.published"]
        assert names_asked == ["hooks.example.test"]  # SNI carries the name, not the address
        assert receiver.requests[0][0]["Host"] == f"hooks.example.test:{port}"

        # The same server reached under a name its certificate does not carry is refused.
        rt.sites.set_webhook(site.site_id, f"https://other.example.test:{port}/hooks")
        post("Wrong name.")
        work()
        assert len(receiver.deliveries) == 1
        states = [decode_hash(rt.connection.hgetall(k)) for k in rt.connection.scan_iter(match="cg:delivery:*")]
        (failed,) = [d for d in states if d["state"] == "failed"]
        assert "certificate" in failed["last_error"].lower() or "hostname" in failed["last_error"].lower()
