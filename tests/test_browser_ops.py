"""The ops page and the mounted rq-dashboard in a real Chromium against a live gunicorn and a worker process.

A job fails for real in the worker process (tests/helpers/ops_jobs.py fails its first run); the admin
requeues it from the page and the worker completes it. Non-admins get 404 at both pages.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import requests
from playwright.sync_api import ConsoleMessage, Page, expect
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry

from tests.helpers.browser import Live
from tests.helpers.processes import wait_for
from workers.queue_health import redis_now
from workers.queues import MODERATION_QUEUE

MARKUP = "<script>alert(1)</script><img src=x onerror=alert(2)>"
SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "ops.png"
_n = itertools.count(1)


def failed_job(live: Live, tmp_path: Path) -> str:
    """Enqueue a job that fails on its first run; returns its id once the live worker has failed it."""
    job_id = f"ops-check-{next(_n)}"
    live.rt.queues.moderation.enqueue(
        "tests.helpers.ops_jobs.fail_first_time",
        str(tmp_path / f"{job_id}.marker"),
        job_id=job_id,
        description=f"check the upstream service ({job_id})",
    )
    registry = FailedJobRegistry(MODERATION_QUEUE, connection=live.rt.connection)
    wait_for(lambda: job_id in registry.get_job_ids(cleanup=False), timeout=30)
    return job_id


def job_status(live: Live, job_id: str) -> JobStatus:
    return Job.fetch(job_id, connection=live.rt.connection).get_status()


def open_ops(page: Page, live: Live, path: str = "/ops/") -> Page:
    answer = page.goto(live.url(path))
    assert answer is not None and answer.status == 200
    return page


def test_an_admin_requeues_a_failed_job_from_the_page_and_the_worker_completes_it(
    live: Live, logged_in_page: Callable[..., Page], tmp_path: Path
):
    job_id = failed_job(live, tmp_path)
    page = open_ops(logged_in_page(live.admin.email), live)
    expect(page.locator("#health-word")).to_have_text("degraded")
    job = page.locator(f"#job-{job_id}")
    expect(job.locator("h3")).to_have_text(f"check the upstream service ({job_id})")
    job.get_by_text("Traceback", exact=True).click()
    expect(job.locator(".traceback")).to_contain_text("first run fails on purpose")
    job.get_by_role("button", name=f"Requeue {job_id}").click()
    expect(page.locator(".flashes")).to_have_text(f"Requeued {job_id}.")
    expect(page.locator("#no-failed")).to_have_text("No failed jobs.")
    wait_for(lambda: job_status(live, job_id) == JobStatus.FINISHED, timeout=30)
    page.get_by_role("link", name="Refresh").click()
    expect(page.locator("#health-word")).to_have_text("healthy")


def test_a_non_admin_gets_404_at_ops_and_ops_rq(live: Live, logged_in_page: Callable[..., Page], page: Page):
    moderator = logged_in_page(live.moderator.email)
    for path in ("/ops/", "/ops/rq/", "/ops/rq/0/view/jobs"):
        for visitor in (moderator, page):  # a logged-in moderator, and nobody logged in
            answer = visitor.goto(live.url(path))
            assert answer is not None and answer.status == 404, path
            expect(visitor.get_by_role("heading", name="Not Found")).to_be_visible()
    expect(moderator.get_by_role("link", name="Operations")).to_have_count(0)


def test_the_dashboards_own_requeue_works_in_the_browser_under_its_csp(
    live: Live, logged_in_page: Callable[..., Page], tmp_path: Path
):
    job_id = failed_job(live, tmp_path)
    page = logged_in_page(live.admin.email)
    refused: list[str] = []  # the browser's CSP reports: none may appear

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    page.on("console", watch)
    open_ops(page, live)
    page.get_by_role("link", name="Browse jobs (rq-dashboard)").click()
    expect(page.locator("#queues")).to_contain_text(MODERATION_QUEUE)  # filled in by its script
    open_ops(page, live, f"/ops/rq/0/view/jobs/{MODERATION_QUEUE}/failed/8/asc/1")
    row = page.locator(f'tr[data-job-id="{job_id}"]')
    expect(row.locator(".exc_info")).to_contain_text("first run fails on purpose")
    row.locator("[data-role=requeue-job-btn]").click()  # its jQuery POST, same origin: let through
    wait_for(lambda: job_status(live, job_id) == JobStatus.FINISHED, timeout=30)
    assert refused == []


def test_markup_in_a_traceback_runs_nothing_on_either_page(live: Live, logged_in_page: Callable[..., Page]):
    """rq-dashboard's job page inserts the traceback as markup: its CSP must keep it inert."""
    job = live.rt.queues.moderation.enqueue("tests.helpers.ops_jobs.fail_quoting", MARKUP, job_id="ops-markup")
    registry = FailedJobRegistry(MODERATION_QUEUE, connection=live.rt.connection)
    wait_for(lambda: job.id in registry.get_job_ids(cleanup=False), timeout=30)
    page = logged_in_page(live.admin.email)
    dialogs: list[str] = []  # every alert() a script would open: none may
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_ops(page, live)
    shown = page.locator(f"#job-{job.id}")
    shown.get_by_text("Traceback", exact=True).click()
    expect(shown.locator(".traceback")).to_contain_text(MARKUP)  # as text
    open_ops(page, live, f"/ops/rq/0/view/job/{job.id}")
    expect(page.locator("#job-data .exc_info")).to_contain_text("could not parse the comment")
    page.wait_for_load_state("load")
    assert dialogs == []


def test_the_ops_screenshot(live: Live, logged_in_page: Callable[..., Page], tmp_path: Path):
    """docs/ops.png: a site's hour of decisions, one failed job, a paused webhook endpoint, a live worker."""
    rt = live.rt
    now = redis_now(rt.connection)
    with rt.connection.pipeline() as pipe:  # an hour of decisions as the pipeline records them
        for minute in range(60):
            busy = 3 + (minute * 7) % 11
            for status, n in (("published", busy), ("held", minute % 4), ("rejected", 1 if minute % 5 == 0 else 0)):
                for _ in range(n):
                    rt.metrics.count_minute(pipe, status, now - (59 - minute) * 60)
        pipe.execute()
    other = rt.sites.create("evening-edition")
    rt.sites.set_webhook(other.site_id, "https://hooks.evening.example/commentgate?token=abc")
    rt.connection.set(rt.keys.webhook_streak(other.site_id), 10)
    rt.connection.sadd(rt.keys.paused_endpoints(), other.site_id)
    rt.sites.set_webhook(live.site.site_id, "https://hooks.news.example/comments")
    failed_job(live, tmp_path)
    answer = requests.get(live.url("/readyz"), timeout=10)
    assert answer.json()["checks"]["workers"]["alive"] == 1
    page = logged_in_page(live.admin.email)
    page.set_viewport_size({"width": 1280, "height": 900})
    open_ops(page, live)
    expect(page.locator("#health-word")).to_have_text("degraded")
    expect(page.locator("#decision-chart rect")).not_to_have_count(0)
    expect(page.get_by_role("button", name="Resume deliveries to evening-edition")).to_be_visible()
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > 10_000
