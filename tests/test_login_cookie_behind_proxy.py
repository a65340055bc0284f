"""`secure_cookies=auto` behind a reverse proxy: the session cookie is Secure unless the browser itself is local."""

from __future__ import annotations

import pytest

LOCAL = "http://127.0.0.1:8000"


def _cookie_header(answer) -> str:
    return next(v for k, v in answer.headers.items() if k == "Set-Cookie" and v.startswith("commentgate_session="))


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Forwarded-For": "203.0.113.9"},
        {"X-Forwarded-Proto": "https"},
        {"X-Forwarded-Host": "comments.news.example"},
        {"Forwarded": "for=203.0.113.9;proto=https"},
    ],
)
def test_a_proxied_request_to_host_127_0_0_1_gets_a_secure_cookie(client, headers):
    header = _cookie_header(client.get("/moderate/login", base_url=LOCAL, headers=headers))
    assert "Secure" in header


def test_a_local_host_name_from_a_remote_address_gets_a_secure_cookie(client):
    answer = client.get("/moderate/login", base_url=LOCAL, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert "Secure" in _cookie_header(answer)


@pytest.mark.parametrize("remote", ["127.0.0.1", "::1"])
def test_a_local_browser_on_plain_http_still_gets_a_plain_cookie(client, remote):
    answer = client.get("/moderate/login", base_url=LOCAL, environ_base={"REMOTE_ADDR": remote})
    assert "Secure" not in _cookie_header(answer)
