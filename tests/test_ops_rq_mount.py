"""rq-dashboard mounted at /ops/rq: admins only, working with RQ 3.0 on our Redis, its POSTs not forgeable.

Jobs fail for real (a check that raises, run by an in-process RQ worker); accounts log in through the
real form; refused requests are shown to change nothing.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rq import Worker
from rq.job import Job, JobStatus

from service import create_app
from tests.helpers.accounts import PASSWORD, log_in
from tests.helpers.browser import stored_state
from workers.config import Settings
from workers.failed_jobs import failed_jobs
from workers.moderators import Role
from workers.queues import ALL_QUEUES, MODERATION_QUEUE
from workers.runtime import Runtime
from workers.sites import NewSite

ORIGIN = "http://localhost"  # the test client's own host
SCRIPTED = {"X-Requested-With": "XMLHttpRequest"}  # what the dashboard's jQuery $.post adds to its own calls


def _account(app: Flask, rt: Runtime, role: Role, sites: frozenset[str] = frozenset()) -> FlaskClient:
    email = f"{role.value}-{len(rt.moderators.all())}@example.org"
    rt.moderators.add(email, role, sites, PASSWORD)
    return log_in(app.test_client(), email, PASSWORD)


@pytest.fixture
def admin(app: Flask, rt: Runtime) -> FlaskClient:
    return _account(app, rt, Role.ADMIN)


@pytest.fixture
def registered_worker(rt: Runtime) -> Iterator[Worker]:
    """A worker registered (and heart-beating once) as a running one would be."""
    worker = Worker(list(ALL_QUEUES), connection=rt.connection, name="ops-test-worker")
    worker.register_birth()
    worker.heartbeat()
    yield worker
    worker.register_death()


def _failed_ids(rt: Runtime) -> list[str]:
    return [job.id for job in failed_jobs(rt)]


# -- who reaches it ---------------------------------------------------------------------------------

PATHS = ["/ops/rq", "/ops/rq/", "/ops/rq/0/view/jobs", "/ops/rq/0/data/queues.json", "/ops/rq/static/css/main.css"]


def test_anyone_but_an_admin_gets_the_plain_404_and_reaches_nothing(
    app: Flask, rt: Runtime, site: NewSite, failed_job: str
):
    unknown = app.test_client().get("/no-such-page")
    moderator = _account(app, rt, Role.MODERATOR, frozenset({site.site_id}))
    before = stored_state(rt)
    for client in (app.test_client(), moderator):
        for path in PATHS:
            answer = client.get(path)
            assert (answer.status_code, answer.text) == (404, unknown.text), path
        requeue = client.post(f"/ops/rq/job/{failed_job}/requeue", headers={"Origin": ORIGIN, **SCRIPTED})
        assert requeue.status_code in (400, 404)  # our CSRF check or the 404: never the dashboard
        assert client.get(f"/ops/rq/requeue/{MODERATION_QUEUE}").status_code == 404
    assert stored_state(rt) == before
    assert _failed_ids(rt) == [failed_job]


def test_an_admin_gets_the_dashboard_under_a_csp_that_allows_only_its_own_script(admin: FlaskClient):
    answer = admin.get("/ops/rq/")
    assert answer.status_code == 200
    assert "<title>RQ dashboard</title>" in answer.text
    assert 'href="/ops/rq/0/view/jobs"' in answer.text  # its links know where it is mounted
    policy = answer.headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", policy).group(1).split()  # type: ignore[union-attr]
    inline = re.findall(r'<script type="text/javascript">(.*?)</script>', answer.text, flags=re.S)
    assert len(inline) == 1
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    assert script_src == ["'self'", "'unsafe-eval'", f"'sha256-{digest}'"]
    assert "frame-ancestors 'none'" in policy
    assert answer.headers["Cache-Control"] == "no-store"
    assert admin.get("/ops/rq/static/js/jquery-3.5.1.min.js").status_code == 200


def test_it_reads_our_queues_jobs_and_workers_with_rq_3(
    admin: FlaskClient, rt: Runtime, post: Callable[..., Any], failed_job: str, registered_worker: Worker
):
    post("A comment that waits: no worker runs.")
    queues = {q["name"]: q for q in admin.get("/ops/rq/0/data/queues.json").get_json()["queues"]}
    assert queues[MODERATION_QUEUE]["count"] == 1
    assert queues[MODERATION_QUEUE]["failed_job_registry_count"] == 1
    jobs = admin.get(f"/ops/rq/0/data/jobs/{MODERATION_QUEUE}/failed/8/asc/1.json").get_json()["jobs"]
    assert [j["id"] for j in jobs] == [failed_job]
    assert "classifier exploded" in jobs[0]["exc_info"]
    job = admin.get(f"/ops/rq/0/data/job/{failed_job}.json").get_json()
    assert job["status"] == "failed" and job["origin"] == MODERATION_QUEUE
    workers = admin.get("/ops/rq/0/data/workers.json").get_json()["workers"]
    assert [(w["name"], w["queues"]) for w in workers] == [("ops-test-worker", list(ALL_QUEUES))]
    assert admin.get(f"/ops/rq/0/view/job/{failed_job}").status_code == 200
    assert admin.get("/ops/rq/0/view/workers").status_code == 200


def test_an_unknown_job_or_instance_is_404(admin: FlaskClient):
    assert admin.get("/ops/rq/0/data/job/no-such-job.json").status_code == 404
    assert admin.get("/ops/rq/0/view/job/no-such-job").status_code == 404
    assert admin.get("/ops/rq/1/data/queues.json").status_code == 404


# -- its buttons ------------------------------------------------------------------------------------


def test_its_requeue_button_works_from_its_own_page(
    admin: FlaskClient, rt: Runtime, failed_job: str, work: Callable[[], None]
):
    answer = admin.post(f"/ops/rq/job/{failed_job}/requeue", headers={"Origin": ORIGIN, **SCRIPTED})
    assert answer.get_json() == {"status": "OK"}
    assert _failed_ids(rt) == []
    work()
    assert Job.fetch(failed_job, connection=rt.connection).get_status() == JobStatus.FINISHED


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("POST", "/ops/rq/job/{job}/requeue", {}),  # no Origin, no Referer
        ("POST", "/ops/rq/job/{job}/requeue", {"Origin": "null"}),  # a sandboxed frame or a data: page
        ("POST", "/ops/rq/job/{job}/requeue", {"Origin": "https://evil.example"}),
        ("POST", "/ops/rq/job/{job}/delete", {"Origin": "http://localhost.evil.example"}),
        ("POST", "/ops/rq/job/{job}/delete", {"Referer": "http://comments.localhost/page"}),  # a sibling host
        ("POST", "/ops/rq/queue/{queue}/failed/empty", {"Origin": "https://evil.example"}),
        ("GET", "/ops/rq/requeue/{queue}", {"Origin": ORIGIN}),  # it requeues on GET: a link would do
        ("GET", "/ops/rq/requeue/{queue}", {}),
    ],
)
def test_a_forgeable_request_that_changes_jobs_is_refused_and_changes_nothing(
    admin: FlaskClient, rt: Runtime, failed_job: str, method: str, path: str, headers: dict[str, str]
):
    before = stored_state(rt) | {b"failed": _failed_ids(rt)}
    answer = admin.open(path.format(job=failed_job, queue=MODERATION_QUEUE), method=method, headers=headers)
    assert answer.status_code == 403
    assert "must be a POST from the ops pages of this host" in answer.text
    assert stored_state(rt) | {b"failed": _failed_ids(rt)} == before
    assert Job.fetch(failed_job, connection=rt.connection).get_status() == JobStatus.FAILED


def test_requeue_all_by_post_from_its_page(admin: FlaskClient, rt: Runtime, failed_job: str):
    answer = admin.post(
        f"/ops/rq/requeue/{MODERATION_QUEUE}", headers={"Referer": f"{ORIGIN}/ops/rq/0/view/jobs", **SCRIPTED}
    )
    assert answer.get_json() == {"status": "OK", "count": 1}
    assert _failed_ids(rt) == []


def test_behind_a_trusted_proxy_the_origin_is_checked_against_the_forwarded_host(
    rt: Runtime, settings: Settings, failed_job: str
):
    app = create_app({"TESTING": True, "SETTINGS": dataclasses.replace(settings, trusted_proxies=1)})
    admin = _account(app, rt, Role.ADMIN)
    proxied = {"X-Forwarded-Host": "comments.news.example", "X-Forwarded-Proto": "https", "X-Forwarded-For": "1.2.3.4"}
    refused = admin.post(f"/ops/rq/job/{failed_job}/requeue", headers={**proxied, "Origin": ORIGIN, **SCRIPTED})
    assert refused.status_code == 403
    assert _failed_ids(rt) == [failed_job]
    origin = "https://comments.news.example"
    answer = admin.post(f"/ops/rq/job/{failed_job}/requeue", headers={**proxied, "Origin": origin, **SCRIPTED})
    assert answer.get_json() == {"status": "OK"}
    assert _failed_ids(rt) == []


def test_the_mount_without_its_slash_leads_to_the_dashboard(admin: FlaskClient):
    answer = admin.get("/ops/rq", follow_redirects=True)
    assert answer.status_code == 200
    assert "<title>RQ dashboard</title>" in answer.text


@pytest.mark.parametrize("path", ["/ops/rq/job/{job}/delete", "/ops/rq/queue/{queue}/failed/empty"])
def test_its_delete_and_empty_buttons_work_from_its_own_page(
    admin: FlaskClient, rt: Runtime, failed_job: str, path: str
):
    answer = admin.post(path.format(job=failed_job, queue=MODERATION_QUEUE), headers={"Origin": ORIGIN, **SCRIPTED})
    assert answer.get_json() == {"status": "OK"}
    assert _failed_ids(rt) == []
    assert not rt.connection.exists(f"rq:job:{failed_job}")


def test_the_redis_address_is_not_shown(admin: FlaskClient, redis_url: str):
    page = admin.get("/ops/rq/0/view/queues").text
    assert redis_url.split("//")[1].split("/")[0].split("@")[-1] not in page


@pytest.mark.parametrize(
    "path", ["/ops/rq//requeue/{queue}", "/ops/rq/requeue/{queue}?x=1", "/ops/rq/./requeue/{queue}"]
)
def test_no_spelling_of_the_requeue_all_path_gets_through_by_get(
    admin: FlaskClient, rt: Runtime, failed_job: str, path: str
):
    answer = admin.get(path.format(queue=MODERATION_QUEUE), follow_redirects=True)
    assert answer.status_code in (403, 404)
    assert _failed_ids(rt) == [failed_job]
