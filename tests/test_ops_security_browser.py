"""rq-dashboard's job and workers pages show markup in a job's text as text, in a real Chromium.

A job's exception and description can carry text from outside (a webhook server's answer, a quoted
comment): a form there, sized to the page, would turn an admin's click anywhere into one of the
dashboard's POSTs. It must appear as characters.
"""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect
from rq.registry import FailedJobRegistry

from tests.helpers.browser import Live
from tests.helpers.processes import wait_for
from workers.queues import MODERATION_QUEUE

FORM = (
    f'<form action="/ops/rq/queue/{MODERATION_QUEUE}/failed/empty" method="post">'
    '<button style="position:fixed;left:0;top:0;width:100vw;height:100vh;opacity:0;z-index:9999">x</button></form>'
)


def _failed(live: Live, job_ids: set[str]) -> None:
    registry = FailedJobRegistry(MODERATION_QUEUE, connection=live.rt.connection)
    wait_for(lambda: job_ids <= set(registry.get_job_ids(cleanup=False)), timeout=30)


def test_a_form_in_a_jobs_exception_and_description_is_shown_as_text(live: Live, logged_in_page: Callable[..., Page]):
    moderation = live.rt.queues.moderation
    moderation.enqueue("tests.helpers.ops_jobs.fail_quoting", FORM, job_id="quoting-a-form", description=FORM)
    _failed(live, {"quoting-a-form"})
    page = logged_in_page(live.admin.email)
    answer = page.goto(live.url("/ops/rq/0/view/job/quoting-a-form"))
    assert answer is not None and answer.status == 200
    expect(page.locator("#job-data .exc_info")).to_contain_text(f"could not parse the comment {FORM}")
    expect(page.locator("#job-data .description-scroll")).to_have_text(FORM)
    expect(page.locator("#job-data form, #job-data button")).to_have_count(0)  # nothing there to click
