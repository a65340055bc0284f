"""Every path under /ops answers anyone but an admin with the plain 404, whatever the method.

A 405 (with `Allow: POST`) for `GET /ops/failed/x/requeue` would tell a visitor the action exists.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import snapshot
from tests.helpers.accounts import PASSWORD, log_in
from workers.moderators import Role
from workers.runtime import Runtime
from workers.sites import NewSite

ACTIONS = ["/ops/failed/x/requeue", "/ops/failed/x/delete", "/ops/failed/requeue-all", "/ops/endpoints/x/resume"]
PAGES = ["/ops", "/ops/", "/ops/static/ops.css", "/ops/no-such-page"]


def _plain_404(client: FlaskClient) -> tuple[str, dict[str, str]]:
    """What an unknown page answers: the answer every /ops path must give (body and headers that tell)."""
    answer = client.get("/no-such-page")
    assert answer.status_code == 404
    return answer.text, {k: v for k, v in answer.headers if k in ("Allow", "Location")}


@pytest.fixture
def moderator_client(app: Flask, rt: Runtime, site: NewSite) -> FlaskClient:
    rt.moderators.add("mod@example.org", Role.MODERATOR, frozenset({site.site_id}), PASSWORD)
    return log_in(app.test_client(), "mod@example.org", PASSWORD)


@pytest.mark.parametrize("who", ["anonymous", "moderator"])
@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS", "POST"])
def test_no_ops_path_tells_a_non_admin_it_exists(
    app: Flask, rt: Runtime, moderator_client: FlaskClient, who: str, method: str
):
    client = moderator_client if who == "moderator" else app.test_client()
    body, headers = _plain_404(client)
    before = snapshot(rt.connection)
    for path in ACTIONS + PAGES:
        answer = client.open(path, method=method)
        assert answer.status_code == 404, (method, path)
        assert "Allow" not in answer.headers and "Location" not in answer.headers, (method, path)
        if method != "HEAD":
            assert answer.text == body, (method, path)
    assert headers == {}
    assert snapshot(rt.connection) == before


def test_an_admin_still_gets_the_405_for_a_wrong_method(app: Flask, rt: Runtime):
    rt.moderators.add("admin@example.org", Role.ADMIN, frozenset(), PASSWORD)
    admin = log_in(app.test_client(), "admin@example.org", PASSWORD)
    answer = admin.get("/ops/failed/x/requeue")
    assert answer.status_code == 405
    assert "POST" in answer.headers["Allow"]
