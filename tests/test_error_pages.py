"""Only API routes answer problem+json; the rest of the app answers errors as plain HTML."""

from __future__ import annotations

import dataclasses

from flask import Flask

from service import create_app
from service.extensions import runtime
from tests.conftest import snapshot


def test_an_unknown_page_outside_the_api_is_an_html_404(client):
    answer = client.get("/no-such-page")
    assert answer.status_code == 404
    assert answer.mimetype == "text/html"
    assert b"Not Found" in answer.data


def test_an_unknown_api_path_is_still_a_problem_404(client):
    answer = client.get("/api/v1/no-such-resource")
    assert answer.status_code == 404
    assert answer.mimetype == "application/problem+json"
    assert answer.get_json()["type"] == "https://commentgate.dev/problems/not-found"


def test_an_unsupported_body_to_the_api_is_still_a_problem_415(client, auth, site, connection):
    before = snapshot(connection)
    answer = client.put(f"/api/v1/sites/{site.site_id}/policy", data="max_links=3", headers=auth)
    assert answer.status_code == 415
    assert answer.mimetype == "application/problem+json"
    assert answer.get_json()["detail"] == "Send application/json."
    answer = client.post("/api/v1/comments", data="body", headers={**auth, "Content-Type": "text/plain"})
    assert answer.status_code == 415
    assert answer.get_json()["detail"] == "Send application/json or application/x-www-form-urlencoded."
    assert snapshot(connection) == before


def test_an_unknown_site_is_the_same_404_however_it_is_found(client, auth, site):
    malformed = client.get("/api/v1/sites/not a site/policy", headers=auth)
    another = client.get("/api/v1/sites/st_other/policy", headers=auth)
    assert malformed.status_code == another.status_code == 404
    assert (
        malformed.get_json()
        == another.get_json()
        == {
            "type": "https://commentgate.dev/problems/not-found",
            "title": "Not found",
            "status": 404,
            "detail": "No such site.",
        }
    )


def _app_with_a_page(settings) -> Flask:
    """The app with one page outside the API that reads Redis, as the app's HTML pages do."""
    app = create_app({"TESTING": True, "SETTINGS": settings})

    @app.get("/a-page")
    def a_page() -> str:
        runtime().connection.ping()
        return "<p>fine</p>"

    return app


def test_a_page_outside_the_api_answers_html_when_redis_is_down(settings):
    down = dataclasses.replace(settings, redis_url="redis://127.0.0.1:1/0")  # port 1: nothing listens
    answer = _app_with_a_page(down).test_client().get("/a-page")
    assert answer.status_code == 503
    assert answer.mimetype == "text/html"
    assert answer.headers["Retry-After"] == "5"
    assert b"application/problem+json" not in answer.data and b"commentgate.dev/problems" not in answer.data
