"""The ops page at /ops through Flask's test client: who may see it, what it shows, what its buttons do.

Jobs fail for real (a check that raises, run by an in-process RQ worker); accounts log in through the
real form; every refused request is shown to change nothing.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from html import unescape
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rq.job import Job, JobStatus

from tests.helpers.accounts import PASSWORD, csrf_token, log_in
from tests.helpers.browser import stored_state
from tests.helpers.receiver import Receiver
from workers.config import Settings
from workers.failed_jobs import failed_jobs
from workers.moderators import Role
from workers.queue_health import redis_now
from workers.queues import MODERATION_QUEUE
from workers.runtime import Runtime
from workers.sites import NewSite


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Three tries per delivery (webhook_retries=(0, 0)): one delivery's failures pause its endpoint."""
    return dataclasses.replace(settings, webhook_pause_after=3)


@pytest.fixture
def client_as(app: Flask, rt: Runtime, site: NewSite) -> Callable[[Role], FlaskClient]:
    """`client_as(role)`: a client logged in through the form as a new account with that role."""
    made = iter(range(1, 100))

    def make(role: Role) -> FlaskClient:
        email = f"{role.value}{next(made)}@example.org"
        rt.moderators.add(email, role, frozenset({site.site_id}) if role is Role.MODERATOR else frozenset(), PASSWORD)
        return log_in(app.test_client(), email, PASSWORD)

    return make


@pytest.fixture
def admin(client_as: Callable[[Role], FlaskClient]) -> FlaskClient:
    return client_as(Role.ADMIN)


def text(html: str) -> str:
    """The page's words as a person reads them, tags dropped and whitespace collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def section(html: str, element_id: str) -> str:
    found = re.search(rf'<(\w+)[^>]* id="{element_id}"[^>]*>.*?</\1>', html, flags=re.S)
    assert found, f"no #{element_id} on the page"
    return found.group(0)


def page_token(client: FlaskClient) -> str:
    return csrf_token(client, "/ops/")


# -- who sees it ------------------------------------------------------------------------------------


def test_anyone_but_an_admin_gets_the_same_404_as_a_page_that_does_not_exist(
    app: Flask, client_as: Callable[[Role], FlaskClient]
):
    unknown = app.test_client().get("/no-such-page")
    assert unknown.status_code == 404
    for client in (app.test_client(), client_as(Role.MODERATOR)):
        for path in ("/ops", "/ops/", "/ops/static/ops.css"):
            answer = client.get(path)
            assert answer.status_code == 404, path
            assert answer.text == unknown.text
            assert "Location" not in answer.headers  # no redirect to the login that would give the page away


def test_an_admin_sees_the_page_and_a_moderator_who_becomes_admin_too(
    rt: Runtime, client_as: Callable[[Role], FlaskClient]
):
    client = client_as(Role.MODERATOR)
    assert client.get("/ops/").status_code == 404
    rt.moderators.set_role("moderator1@example.org", Role.ADMIN, frozenset())  # read again on every request
    answer = client.get("/ops/")
    assert answer.status_code == 200
    assert "Health:" in text(answer.text)
    assert answer.headers["Cache-Control"] == "no-store"
    assert "script-src 'self'" in answer.headers["Content-Security-Policy"]


def test_a_moderators_post_to_an_action_is_404_and_changes_nothing(
    rt: Runtime, client_as: Callable[[Role], FlaskClient], failed_job: str
):
    client = client_as(Role.MODERATOR)
    token = csrf_token(client, "/moderate/")
    before = stored_state(rt)
    for path in (f"/ops/failed/{failed_job}/requeue", f"/ops/failed/{failed_job}/delete"):
        assert client.post(path, data={"csrf_token": token}).status_code == 404
    assert stored_state(rt) == before
    assert [j.id for j in failed_jobs(rt)] == [failed_job]


# -- what it shows ----------------------------------------------------------------------------------


def test_the_page_shows_health_queues_and_a_failed_job_with_its_traceback_and_reading_changes_nothing(
    rt: Runtime, admin: FlaskClient, post: Callable[..., Any], failed_job: str
):
    for n in range(3):
        assert post(f"Waiting comment {n}.").status_code == 202  # no worker runs: they wait
    before = stored_state(rt)
    html = admin.get("/ops/").text
    assert stored_state(rt) == before
    health = text(section(html, "health-word"))
    assert health == "down"  # no worker is alive
    assert "no live worker" in text(section(html, "health-reasons"))
    row = re.search(rf'<tr data-queue="{MODERATION_QUEUE}">(.*?)</tr>', html, flags=re.S)
    assert row, html
    assert re.search(r'data-figure="depth">3<', row.group(1))
    assert re.search(r'data-figure="failed">1<', row.group(1))
    job = section(html, f"job-{failed_job}")
    assert "classifier exploded" in text(job)
    assert "Traceback" in text(job)
    assert text(section(html, "no-workers")) == "No worker is registered: nothing decides comments."


def test_the_last_hours_decisions_are_drawn_and_counted_by_status(rt: Runtime, admin: FlaskClient):
    """Decisions as the pipeline records them (`count_minute` in the decision's transaction): 5 now, 2 at -30 min."""
    now = redis_now(rt.connection)
    with rt.connection.pipeline() as pipe:
        decided = [("published", now)] * 3 + [("held", now), ("rejected", now)]
        for status, at in [*decided, ("published", now - 1800), ("held", now - 1800)]:
            rt.metrics.count_minute(pipe, status, at)
        rt.metrics.count_minute(pipe, "published", now - 7200)  # over an hour ago: not shown
        pipe.execute()
    html = admin.get("/ops/").text
    mix = {status: int(n) for status, n in re.findall(r'<tr data-status="(\w+)">.*?<td class="num">(\d+)</td>', html)}
    assert mix == {"held": 2, "published": 4, "rejected": 1}
    chart = section(html, "decision-chart")
    bars = re.findall(r'<rect x="([\d.]+)" y="([\d.]+)" width="[\d.]+" height="([\d.]+)" class="bar bar-(\w+)">', chart)
    assert sorted(status for *_, status in bars) == ["held", "held", "published", "published", "rejected"]
    heights = {(float(x) > 500, status): float(h) for x, _, h, status in bars}  # the last minute is at the right
    assert heights[(True, "published")] == pytest.approx(104 * 3 / 5)  # the busiest minute fills the plot
    assert heights[(True, "held")] == heights[(True, "rejected")] == pytest.approx(104 / 5)
    assert heights[(False, "published")] == heights[(False, "held")] == pytest.approx(104 / 5)
    assert "7 decision(s) in the last 60 minutes" in text(html)
    assert "had 5." in text(html)


def test_a_paused_endpoint_shows_with_its_streak_and_a_resume_button(rt: Runtime, admin: FlaskClient, site: NewSite):
    rt.sites.set_webhook(site.site_id, "https://hooks.example/commentgate?token=secret")
    rt.connection.set(rt.keys.webhook_streak(site.site_id), 12)
    rt.connection.sadd(rt.keys.paused_endpoints(), site.site_id)
    html = admin.get("/ops/").text
    row = text(section(html, "endpoint-table"))
    assert "test-site" in row and "12" in row and "paused" in row and "Resume" in row
    assert "token=secret" not in html  # the URL is shown redacted


# -- what its buttons do ----------------------------------------------------------------------------


def test_requeue_from_the_page_and_the_job_completes(
    rt: Runtime, admin: FlaskClient, failed_job: str, work: Callable[[], None]
):
    answer = admin.post(f"/ops/failed/{failed_job}/requeue", data={"csrf_token": page_token(admin)})
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/ops/#failed")
    assert failed_jobs(rt) == []
    html = admin.get("/ops/").text
    assert f"Requeued {failed_job}." in text(html)
    work()
    assert Job.fetch(failed_job, connection=rt.connection).get_status() == JobStatus.FINISHED
    assert "No failed jobs." in text(admin.get("/ops/").text)


def test_delete_from_the_page_forgets_the_job(rt: Runtime, admin: FlaskClient, failed_job: str):
    answer = admin.post(f"/ops/failed/{failed_job}/delete", data={"csrf_token": page_token(admin)})
    assert answer.status_code == 303
    assert failed_jobs(rt) == []
    assert not rt.connection.exists(f"rq:job:{failed_job}")
    assert f"Deleted {failed_job}." in text(admin.get("/ops/").text)


def test_requeue_all_of_one_queue(rt: Runtime, admin: FlaskClient, failed_job: str):
    answer = admin.post("/ops/failed/requeue-all", data={"csrf_token": page_token(admin), "queue": MODERATION_QUEUE})
    assert answer.status_code == 303
    assert failed_jobs(rt) == []
    assert f"Requeued 1 failed job(s) of {MODERATION_QUEUE}." in text(admin.get("/ops/").text)


@pytest.mark.parametrize(
    ("path", "form", "status", "says"),
    [
        ("/ops/failed/moderate-no-such-job/requeue", {}, 404, "is not among the failed jobs"),
        ("/ops/failed/moderate-no-such-job/delete", {}, 404, "is not among the failed jobs"),
        ("/ops/failed/rq:job:x%20y/requeue", {}, 404, ""),  # not even the shape of a job id
        ("/ops/failed/requeue-all", {"queue": "rq:queue:other"}, 400, "No queue 'rq:queue:other'"),
        ("/ops/endpoints/no-such-site/resume", {}, 404, "There is no site with that id."),
    ],
)
def test_bad_input_is_refused_with_a_clear_error_and_changes_nothing(
    rt: Runtime, admin: FlaskClient, failed_job: str, path: str, form: dict[str, str], status: int, says: str
):
    token = page_token(admin)
    before = stored_state(rt)
    answer = admin.post(path, data={"csrf_token": token, **form})
    assert answer.status_code == status
    assert says in text(answer.text)
    assert stored_state(rt) == before
    assert [j.id for j in failed_jobs(rt)] == [failed_job]


def test_an_action_without_the_csrf_token_is_refused_and_changes_nothing(
    rt: Runtime, admin: FlaskClient, failed_job: str
):
    before = stored_state(rt)
    assert admin.post(f"/ops/failed/{failed_job}/requeue").status_code == 400
    assert admin.post("/ops/failed/requeue-all", data={"csrf_token": "forged"}).status_code == 400
    assert stored_state(rt) == before
    assert [j.id for j in failed_jobs(rt)] == [failed_job]


def endpoint_row(html: str, site_id: str) -> list[str]:
    """The endpoint table's cells for the site, as read: site, URL, failed in a row, state, waiting, action."""
    row = re.search(rf'<tr data-site="{site_id}">(.*?)</tr>', html, flags=re.S)
    assert row, html
    return [text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row.group(1), flags=re.S)]


def test_resume_from_the_page_delivers_what_waited(
    rt: Runtime, admin: FlaskClient, site: NewSite, post: Callable[..., Any], work: Callable[[], None]
):
    with Receiver(status=500) as receiver:
        receiver.secret = rt.sites.set_webhook(site.site_id, receiver.url)
        post("The first comment.")
        work()  # its three tries fail: the endpoint pauses
        post("A second comment.")
        post("A third comment.")
        work()  # their deliveries wait
        [_, _, streak, state, waiting, action] = endpoint_row(admin.get("/ops/").text, site.site_id)
        assert (streak, state, waiting, action) == ("3", "paused", "2", "Resume")
        receiver.status = 200  # the site mended its endpoint
        answer = admin.post(f"/ops/endpoints/{site.site_id}/resume", data={"csrf_token": page_token(admin)})
        assert answer.status_code == 303 and answer.headers["Location"].endswith("/ops/#endpoints")
        html = admin.get("/ops/").text
        assert "Resumed deliveries to test-site: 2 waiting event(s) queued." in text(html)
        assert endpoint_row(html, site.site_id)[2:] == ["0", "delivering", "0", ""]
        work()
        assert len(receiver.event_ids()) == 3 + 2  # the first event's failed tries, then what waited
