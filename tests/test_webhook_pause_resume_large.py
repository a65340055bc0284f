"""Resuming more deliveries than one page while a worker runs: the resume ends, and each waited event arrives once."""

from __future__ import annotations

import dataclasses

import pytest

from tests.helpers.paused_endpoint import deliver_only, feed, pause_endpoint
from tests.helpers.receiver import Receiver
from workers import endpoint_pause
from workers.config import Settings
from workers.endpoint_pause import resume_endpoint

PAGES_AT_MOST = 50  # four pages of three hold the 12 waiting deliveries


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, webhook_pause_after=3)


def test_a_resume_of_many_pages_ends_while_a_worker_delivers_its_first_pages(
    rt, site, post, work, connection, monkeypatch
):
    monkeypatch.setattr(endpoint_pause, "RESUME_PAGE", 3)  # 12 waiting: four pages
    with Receiver() as receiver:
        pause_endpoint(rt, site.site_id, receiver, post, work)
        for n in range(12):
            post(f"Waits {n}.")
        work()
        waited = feed(rt, site.site_id)[1:]
        assert rt.deliveries.waiting(site.site_id) == 12
        receiver.status = 200

        page = endpoint_pause._resume_page
        pages: list[object] = []

        def page_then_a_worker_runs(*args):
            # A worker takes each page's jobs as soon as they are queued, while the resume goes on paging.
            if len(pages) >= PAGES_AT_MOST:
                raise AssertionError(f"the resume was still paging after {len(pages)} pages")
            pages.append(page(*args))
            deliver_only(connection)
            return pages[-1]

        monkeypatch.setattr(endpoint_pause, "_resume_page", page_then_a_worker_runs)
        queued = [resume_endpoint(rt, site.site_id)]

        assert queued == [12]
        assert rt.deliveries.paused_sites() == set()
        assert rt.deliveries.waiting(site.site_id) == 0
        work()
        assert receiver.event_ids()[3:] == waited  # each once, oldest first
        assert {rt.deliveries.get(event_id)["state"] for event_id in waited} == {"delivered"}


def test_a_resume_cut_short_is_finished_by_the_next_one(rt, site, post, work, connection, monkeypatch):
    monkeypatch.setattr(endpoint_pause, "RESUME_PAGE", 2)
    with Receiver() as receiver:
        pause_endpoint(rt, site.site_id, receiver, post, work)
        for n in range(5):
            post(f"Waits {n}.")
        work()
        waited = feed(rt, site.site_id)[1:]
        receiver.status = 200

        page = endpoint_pause._resume_page
        pages: list[int] = []

        def page_then_cut_short(rt_, site_id, resuming_key):
            if pages:  # the web request running the resume times out after its first page
                raise TimeoutError("worker timeout")
            pages.append(1)
            return page(rt_, site_id, resuming_key)

        monkeypatch.setattr(endpoint_pause, "_resume_page", page_then_cut_short)
        with pytest.raises(TimeoutError):
            resume_endpoint(rt, site.site_id)
        assert rt.deliveries.paused_sites() == set()
        monkeypatch.setattr(endpoint_pause, "_resume_page", page)

        assert resume_endpoint(rt, site.site_id) == 3  # the rest of what the first one took
        assert resume_endpoint(rt, site.site_id) == 0
        work()
        assert receiver.event_ids()[3:] == waited  # each once, oldest first
