"""Webhook secrets: rotated with an overlap in which both sign, and renewed when the URL changes."""

from __future__ import annotations

import time

import pytest
from click.testing import CliRunner

from service.cli import main
from tests.conftest import snapshot
from tests.helpers.receiver import Receiver
from workers import webhooks
from workers.webhooks import SIGNATURE_HEADER, sign, verify


@pytest.fixture
def cli(settings, connection, monkeypatch):
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    monkeypatch.setenv("COMMENTGATE_ALLOW_PRIVATE_WEBHOOKS", "1")
    runner = CliRunner()

    def invoke(*args: str, ok: bool = True):
        result = runner.invoke(main, list(args))
        if ok:
            assert result.exit_code == 0, result.output
        return result

    return invoke


def _new_secret(output: str) -> str:
    (line,) = [x for x in output.splitlines() if x.startswith("webhook_secret: ")]
    return line.split(": ", 1)[1]


def test_a_header_with_two_signatures_verifies_with_either_secret_and_no_other():
    body = b'{"id":"evt_1"}'
    header = webhooks.signature_header(("whsec_new", "whsec_old"), body, 1_800_000_000)
    # Known answer, computed apart: printf '1800000000.{"id":"evt_1"}' | openssl dgst -sha256 -hmac whsec_new
    assert header == (
        "t=1800000000,"
        "v1=bcd5b8f84c1762e896c564b29f53d2d26064aba6607250fa924f75df06e0f8a4,"
        "v1=a85586098ed25668b9475bf48d42d1f057a0a8a99fb0ec5cf4574c0cdd237ef5"
    )
    assert sign("whsec_old", body, 1_800_000_000) == header.replace(header.split(",")[1] + ",", "")
    assert verify("whsec_new", body, header, now=1_800_000_000)
    assert verify("whsec_old", body, header, now=1_800_000_000)
    assert not verify("whsec_other", body, header, now=1_800_000_000)
    assert not verify("whsec_old", body + b" ", header, now=1_800_000_000)
    assert not verify("whsec_old", body, header.replace("t=1800000000", "t=1800000001"), now=1_800_000_000)


def test_during_the_overlap_both_secrets_verify_and_after_it_only_the_new(rt, site, post, work, cli):
    with Receiver() as receiver:
        old = rt.sites.set_webhook(site.site_id, receiver.url)
        receiver.secret = old
        out = cli("sites", "rotate-webhook-secret", site.site_id, "--overlap", "2").output
        new = _new_secret(out)
        rotated_at = time.time()
        assert new != old and new.startswith("whsec_")
        assert out.count(new) == 1  # printed once, and not again by listings
        assert new not in cli("sites", "list").output

        post("Signed twice.")
        work()
        assert len(receiver.deliveries) == 1  # the receiver still holding the old secret accepted it
        headers, body = receiver.requests[-1]
        assert verify(old, body, headers[SIGNATURE_HEADER])
        assert verify(new, body, headers[SIGNATURE_HEADER])

        deadline = time.monotonic() + 30
        while time.time() <= rotated_at + 2 and time.monotonic() < deadline:  # the overlap runs out
            time.sleep(0.05)
        post("Signed once.")
        work()
        headers, body = receiver.requests[-1]
        assert verify(new, body, headers[SIGNATURE_HEADER])
        assert not verify(old, body, headers[SIGNATURE_HEADER])
        assert receiver.bad_signatures >= 1  # the old-secret receiver refused it ...
        receiver.secret = new
        post("Signed with the new secret.")
        work()
        assert receiver.deliveries[-1]["type"] == "comment.published"  # ... the new-secret one accepts


def test_rotation_with_no_overlap_retires_the_old_secret_at_once(rt, site, post, work, cli):
    with Receiver() as receiver:
        old = rt.sites.set_webhook(site.site_id, receiver.url)
        new = _new_secret(cli("sites", "rotate-webhook-secret", site.site_id, "--overlap", "0").output)
        post("Only the new secret.")
        work()
        headers, body = receiver.requests[-1]
        assert verify(new, body, headers[SIGNATURE_HEADER])
        assert not verify(old, body, headers[SIGNATURE_HEADER])


def test_a_new_webhook_url_gets_a_new_secret_and_the_same_url_keeps_it(rt, site, post, work, cli):
    with Receiver() as first, Receiver() as second:
        secret_a = _new_secret(cli("sites", "webhook", site.site_id, first.url).output)
        assert cli("sites", "webhook", site.site_id, first.url).output.strip() == "ok"
        cli("sites", "rotate-webhook-secret", site.site_id, "--overlap", "3600")
        secret_b = _new_secret(cli("sites", "webhook", site.site_id, second.url).output)
        assert secret_b != secret_a
        post("To the new endpoint.")
        work()
        headers, body = second.requests[-1]
        assert verify(secret_b, body, headers[SIGNATURE_HEADER])
        assert headers[SIGNATURE_HEADER].count("v1=") == 1  # no older secret signs for a new URL
        assert not verify(secret_a, body, headers[SIGNATURE_HEADER])
        assert first.requests == []


@pytest.mark.parametrize("args", [["site_nope"], ["QUIET"], ["site_nope", "--overlap", "-5"]])
def test_a_refused_rotation_says_why_and_changes_nothing(rt, connection, cli, args):
    quiet = rt.sites.create("quiet").site_id  # no webhook URL: nothing to rotate
    args = [quiet if a == "QUIET" else a for a in args]
    before = snapshot(connection)
    result = cli("sites", "rotate-webhook-secret", *args, ok=False)
    assert result.exit_code != 0
    assert "whsec_" not in result.output
    assert any(word in result.output for word in ("no site", "no webhook URL", "Invalid value"))
    assert snapshot(connection) == before
