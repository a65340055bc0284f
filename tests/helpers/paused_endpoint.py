"""Pause a site's webhook endpoint through real failed deliveries; queue deliveries without running them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from redis import Redis
from rq import SimpleWorker

from tests.helpers.receiver import Receiver
from workers import endpoint_pause
from workers.queues import MODERATION_QUEUE, WEBHOOK_QUEUE
from workers.runtime import Runtime


def pause_endpoint(
    rt: Runtime, site_id: str, receiver: Receiver, post: Callable[..., Any], work: Callable[[], None]
) -> None:
    """Point the site at `receiver`, answering 500, and fail deliveries until the endpoint is paused."""
    receiver.status = 500
    receiver.secret = rt.sites.set_webhook(site_id, receiver.url)
    while site_id not in rt.deliveries.paused_sites():
        post("Fails to be delivered.")
        work()


def feed(rt: Runtime, site_id: str) -> list[str]:
    """The ids of the site's events in its feed, oldest first (the first 100)."""
    return [event["id"] for _, event in rt.comments.events_after(site_id, None, 100)]


def cut_short_resume(rt: Runtime, site_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A resume whose connection drops right after it took the waiting set, before it queued anything."""

    def killed(*args: object) -> None:
        raise ConnectionError("the resume's connection dropped after it took the waiting set")

    monkeypatch.setattr(endpoint_pause, "_resume_page", killed)
    with pytest.raises(ConnectionError):
        endpoint_pause.resume_endpoint(rt, site_id)
    monkeypatch.undo()


def decide_only(connection: Redis) -> None:
    """Run the queued moderation jobs and leave the deliveries they queue in their queue."""
    SimpleWorker([MODERATION_QUEUE], connection=connection).work(burst=True, with_scheduler=False)


def deliver_only(connection: Redis) -> None:
    """Run the queued delivery jobs (a worker on the webhooks queue alone)."""
    SimpleWorker([WEBHOOK_QUEUE], connection=connection).work(burst=True, with_scheduler=False)
