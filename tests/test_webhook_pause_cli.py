"""`commentgate webhooks endpoints` shows a paused endpoint and what waits; `webhooks resume SITE` delivers it."""

from __future__ import annotations

import dataclasses

import pytest
from click.testing import CliRunner

from service.cli import main
from tests.conftest import snapshot
from tests.helpers.paused_endpoint import pause_endpoint
from tests.helpers.receiver import Receiver
from workers.config import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, webhook_pause_after=3)


@pytest.fixture
def cli(settings, monkeypatch):
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    return lambda *args: CliRunner().invoke(main, list(args))


def test_endpoints_shows_paused_and_waiting_and_resume_delivers_what_waited(rt, site, post, work, cli):
    with Receiver() as receiver:
        pause_endpoint(rt, site.site_id, receiver, post, work)
        post("Waits one.")
        post("Waits two.")
        work()

        listed = cli("webhooks", "endpoints")
        assert listed.exit_code == 0, listed.output
        assert f"{site.site_id}\t{receiver.url}\tfailing in a row: 3\tpaused, 2 waiting" in listed.output

        receiver.status = 200
        resumed = cli("webhooks", "resume", site.site_id)
        assert resumed.exit_code == 0, resumed.output
        assert resumed.output == "resumed; 2 deliveries queued\n"
        assert "failing in a row: 0\tactive" in cli("webhooks", "endpoints").output
        work()
        waited = [event["id"] for _, event in rt.comments.events_after(site.site_id, None, 10)][1:]
        assert receiver.event_ids()[3:] == waited

        again = cli("webhooks", "resume", site.site_id)
        assert again.exit_code == 0 and again.output == "not paused; 0 deliveries queued\n"


def test_resume_of_an_unknown_site_is_refused_and_changes_nothing(rt, site, post, work, cli, connection):
    with Receiver() as receiver:
        pause_endpoint(rt, site.site_id, receiver, post, work)
        post("Waits.")
        work()
    before = snapshot(connection)
    result = cli("webhooks", "resume", "site_nope")
    assert result.exit_code == 1
    assert "no site site_nope" in result.output
    assert snapshot(connection) == before


def test_resume_without_a_site_is_a_usage_error_and_changes_nothing(rt, site, post, work, cli, connection):
    with Receiver() as receiver:
        pause_endpoint(rt, site.site_id, receiver, post, work)
    before = snapshot(connection)
    result = cli("webhooks", "resume")
    assert result.exit_code == 2
    assert "Missing argument 'SITE_ID'" in result.output
    assert snapshot(connection) == before
