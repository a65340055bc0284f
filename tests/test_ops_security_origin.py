"""The mounted rq-dashboard's origin check compares the scheme too: an http page is not the https ops page."""

from __future__ import annotations

import dataclasses

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import create_app
from tests.helpers.browser import stored_state
from tests.test_ops_security import SCRIPTED, _admin, _failed_ids
from workers.config import Settings
from workers.runtime import Runtime


def _behind_https_proxy(rt: Runtime, settings: Settings) -> FlaskClient:
    app = create_app({"TESTING": True, "SETTINGS": dataclasses.replace(settings, trusted_proxies=1)})
    return _admin(app, rt)


HTTPS_PROXY = {"X-Forwarded-Host": "comments.news.example", "X-Forwarded-Proto": "https", "X-Forwarded-For": "1.2.3.4"}


@pytest.mark.parametrize(
    "claimed", [{"Origin": "http://comments.news.example"}, {"Referer": "http://comments.news.example/ops/"}]
)
def test_an_http_origin_is_refused_when_the_request_is_https(
    rt: Runtime, settings: Settings, failed_job: str, claimed: dict[str, str]
):
    """A page served over plain http (which anyone on the path can write) is not the https ops page."""
    admin = _behind_https_proxy(rt, settings)
    before = stored_state(rt) | {b"failed": _failed_ids(rt)}
    answer = admin.post(f"/ops/rq/job/{failed_job}/requeue", headers={**HTTPS_PROXY, **claimed, **SCRIPTED})
    assert answer.status_code == 403
    assert stored_state(rt) | {b"failed": _failed_ids(rt)} == before


def test_the_https_origin_of_an_https_request_is_let_through(rt: Runtime, settings: Settings, failed_job: str):
    admin = _behind_https_proxy(rt, settings)
    headers = {**HTTPS_PROXY, "Origin": "https://comments.news.example", **SCRIPTED}
    answer = admin.post(f"/ops/rq/job/{failed_job}/requeue", headers=headers)
    assert answer.get_json() == {"status": "OK"}
    assert _failed_ids(rt) == []


def test_an_https_origin_is_refused_when_the_request_is_plain_http(app: Flask, rt: Runtime, failed_job: str):
    admin = _admin(app, rt)
    before = stored_state(rt) | {b"failed": _failed_ids(rt)}
    answer = admin.post(f"/ops/rq/job/{failed_job}/requeue", headers={"Origin": "https://localhost", **SCRIPTED})
    assert answer.status_code == 403
    assert stored_state(rt) | {b"failed": _failed_ids(rt)} == before
