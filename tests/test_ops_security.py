"""The mounted rq-dashboard refuses what a form slipped into one of its pages could send, and other origins.

A job's text (a webhook server's answer quoted in an exception, a comment quoted in a traceback) can reach
the dashboard's pages; a form there posts to its own buttons' URLs from our own origin. Only its scripts'
requests (jQuery's X-Requested-With) change jobs, and only from this host under the request's own scheme.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rq.job import Job, JobStatus

from tests.helpers.accounts import PASSWORD, log_in
from tests.helpers.browser import stored_state
from workers.failed_jobs import failed_jobs
from workers.moderators import Role
from workers.queues import MODERATION_QUEUE
from workers.runtime import Runtime

ORIGIN = "http://localhost"  # the test client's own host
SCRIPTED = {"X-Requested-With": "XMLHttpRequest"}


def _admin(app: Flask, rt: Runtime) -> FlaskClient:
    email = f"admin-{len(rt.moderators.all())}@example.org"
    rt.moderators.add(email, Role.ADMIN, frozenset(), PASSWORD)
    return log_in(app.test_client(), email, PASSWORD)


def _failed_ids(rt: Runtime) -> list[str]:
    return [job.id for job in failed_jobs(rt)]


@pytest.mark.parametrize(
    "path", ["/ops/rq/job/{job}/requeue", "/ops/rq/job/{job}/delete", "/ops/rq/queue/{queue}/failed/empty"]
)
@pytest.mark.parametrize("claimed", [{"Origin": ORIGIN}, {"Referer": f"{ORIGIN}/ops/rq/0/view/job/x"}])
def test_a_form_post_from_our_own_origin_is_refused_and_changes_nothing(
    app: Flask, rt: Runtime, failed_job: str, path: str, claimed: dict[str, str]
):
    """What a <form method=post> injected into the dashboard's job page sends: our origin, no script header."""
    admin = _admin(app, rt)
    before = stored_state(rt) | {b"failed": _failed_ids(rt)}
    answer = admin.post(path.format(job=failed_job, queue=MODERATION_QUEUE), headers=claimed)
    assert answer.status_code == 403
    assert "must be a POST from the ops pages of this host" in answer.text
    assert stored_state(rt) | {b"failed": _failed_ids(rt)} == before
    assert Job.fetch(failed_job, connection=rt.connection).get_status() == JobStatus.FAILED


@pytest.mark.parametrize("page", ["/ops/rq/0/view/job/{job}", "/ops/rq/0/view/workers"])
def test_the_dashboards_job_fields_are_inserted_escaped(app: Flask, rt: Runtime, failed_job: str, page: str):
    """Its client-side templates for a job's and a worker's fields use `<%- %>` (escapes), never `<%= %>` (raw)."""
    text = _admin(app, rt).get(page.format(job=failed_job)).text
    assert "<%-" in text
    assert "<%=" not in text
