"""End to end: a worker process (forking a work horse per job) pauses a failing endpoint; resumed from the shell,
the deliveries that waited arrive each once, oldest first."""

from __future__ import annotations

from click.testing import CliRunner

from service.cli import main
from tests.helpers.paused_endpoint import feed
from tests.helpers.processes import start_worker, stop_group, wait_for
from tests.helpers.receiver import Receiver
from workers.queues import WEBHOOK_QUEUE

WORKER_ENV = {
    "COMMENTGATE_WEBHOOK_PAUSE_AFTER": "3",
    "COMMENTGATE_WEBHOOK_RETRIES": "0,0",  # three tries, retried at once
    "COMMENTGATE_WEBHOOK_TIMEOUT": "3",
    "COMMENTGATE_ALLOW_PRIVATE_WEBHOOKS": "1",
}


def settled(rt, connection, event_ids):
    """Every one delivered, and no delivery job left queued or running (so no further POST can come)."""
    started = rt.queues.webhooks.started_job_registry.key
    return (
        all(rt.deliveries.get(event_id).get("state") == "delivered" for event_id in event_ids)
        and connection.llen(f"rq:queue:{WEBHOOK_QUEUE}") == 0
        and connection.zcard(started) == 0
    )


def test_a_worker_process_pauses_the_endpoint_and_resume_delivers_what_waited(
    rt, site, post, connection, settings, monkeypatch
):
    worker = start_worker(settings.redis_url, "-m service worker", WORKER_ENV)
    try:
        with Receiver(status=500) as receiver:
            receiver.secret = rt.sites.set_webhook(site.site_id, receiver.url)
            post("Its three tries fail and pause the endpoint.")
            wait_for(lambda: rt.deliveries.paused_sites() == {site.site_id}, timeout=60)
            assert len(receiver.requests) == 3

            for n in range(3):
                post(f"Waits {n}.")
            wait_for(lambda: rt.deliveries.waiting(site.site_id) == 3, timeout=60)
            assert len(receiver.requests) == 3  # nothing was POSTed while paused
            waited = feed(rt, site.site_id)[1:]

            receiver.status = 200
            monkeypatch.setenv("REDIS_URL", settings.redis_url)
            result = CliRunner().invoke(main, ["webhooks", "resume", site.site_id])
            assert result.output == "resumed; 3 deliveries queued\n"

            wait_for(lambda: settled(rt, connection, waited), timeout=60)
            assert receiver.event_ids()[3:] == waited  # each once, oldest first
            assert receiver.bad_signatures == 0
    finally:
        stop_group(worker)
