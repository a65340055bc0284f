"""CSRF on every page form and fetch (not the bearer-token API), the session cookie's flags, security headers."""

from __future__ import annotations

from dataclasses import replace

import pytest

from service import create_app
from service.security_headers import CONTENT_SECURITY_POLICY
from tests.conftest import snapshot
from tests.helpers.accounts import PASSWORD, csrf_token, log_in

COOKIE = "commentgate_session"


@pytest.mark.parametrize("token", [None, "", "forged-token"], ids=["missing", "empty", "forged"])
def test_a_login_form_without_a_valid_csrf_token_is_refused_and_changes_nothing(client, moderator, connection, token):
    csrf_token(client)  # the visit that opens the session
    before = snapshot(connection)
    form = {"email": moderator.email, "password": PASSWORD}
    if token is not None:
        form["csrf_token"] = token
    answer = client.post("/moderate/login", data=form)
    assert answer.status_code == 400
    assert answer.mimetype == "text/html"
    assert "Form expired or forged" in answer.text
    assert snapshot(connection) == before  # no login, no failure counted
    assert client.get("/moderate/account").status_code == 302


def test_logout_without_the_token_is_refused_and_the_session_lives_on(client, moderator):
    log_in(client, moderator.email, PASSWORD)
    answer = client.post("/moderate/logout")
    assert answer.status_code == 400
    assert client.get("/moderate/account").status_code == 200


def test_a_fetch_sends_the_token_in_its_header(client, moderator, rt):
    log_in(client, moderator.email, PASSWORD)
    refused = client.post("/moderate/logout", headers={"Accept": "application/json"})
    assert refused.status_code == 400
    assert refused.json["error"] == "csrf"

    token = csrf_token(client, "/moderate/account")
    answer = client.post("/moderate/logout", headers={"X-CSRFToken": token})
    assert answer.status_code == 302
    assert list(rt.connection.scan_iter(match=rt.keys.sessions() + "*")) == []


def test_the_bearer_token_api_needs_no_csrf_token(client, auth):
    payload = {
        "thread_id": "t1",
        "author": {"name": "Ada", "email": "ada@example.org"},
        "body": "A comment posted with a site key and no cookie.",
        "client": {"ip": "203.0.113.1"},
    }
    answer = client.post("/api/v1/comments", json=payload, headers=auth)
    assert answer.status_code == 202, answer.text
    assert "Set-Cookie" not in answer.headers  # the API opens no session


def _cookie_header(answer) -> str:
    (header,) = [h for h in answer.headers.getlist("Set-Cookie") if h.startswith(COOKIE + "=")]
    return header


def test_session_cookie_is_httponly_lax_and_not_secure_on_plain_http_localhost(client):
    header = _cookie_header(client.get("/moderate/login", base_url="http://localhost:8000"))
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "Secure" not in header
    header = _cookie_header(client.get("/moderate/login", base_url="http://127.0.0.1:8000"))
    assert "Secure" not in header


@pytest.mark.parametrize(
    "base_url", ["https://moderation.example.org", "http://moderation.example.org", "https://localhost"]
)
def test_session_cookie_is_secure_anywhere_else(client, base_url):
    header = _cookie_header(client.get("/moderate/login", base_url=base_url))
    assert "Secure" in header
    assert "HttpOnly" in header


@pytest.mark.parametrize(("mode", "secure"), [("true", True), ("false", False)])
def test_secure_cookies_setting_forces_the_flag(rt, settings, mode, secure):
    client = create_app({"TESTING": True, "SETTINGS": replace(settings, secure_cookies=mode)}).test_client()
    header = _cookie_header(client.get("/moderate/login", base_url="http://localhost"))
    header_elsewhere = _cookie_header(client.get("/moderate/login", base_url="https://moderation.example.org"))
    assert ("Secure" in header, "Secure" in header_elsewhere) == (secure, secure)


def test_html_pages_carry_the_csp_and_security_headers(client, moderator):
    pages = [
        client.get("/moderate/login"),
        client.post("/moderate/login", data={}),
        client.get("/moderate/no-such-page"),
    ]
    log_in(client, moderator.email, PASSWORD)
    pages.append(client.get("/moderate/account"))
    for answer in pages:
        assert answer.mimetype == "text/html"
        assert answer.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Referrer-Policy"] == "same-origin"
        assert answer.headers["Cache-Control"] == "no-store"
    assert "script-src 'self';" in CONTENT_SECURITY_POLICY and "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY


def test_the_layout_has_no_inline_script_or_style(client):
    page = client.get("/moderate/login").text
    assert "<script>" not in page and "<style" not in page and "style=" not in page
    assert '<meta name="csrf-token" content="' in page
    assert client.get("/static/base.css").status_code == 200
