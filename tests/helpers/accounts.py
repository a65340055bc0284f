"""Logging a Flask test client in through the real login form (CSRF token and all)."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

PASSWORD = "a long test password"  # the login tests' moderator `ada@example.org` (tests/conftest.py)
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/moderate/login") -> str:
    """The CSRF token a page of this client's session carries (what a form or fetch sends back)."""
    found = CSRF_META.search(client.get(path).text)
    assert found, "no csrf-token meta tag on the page"
    return found.group(1)


def post_login(client: FlaskClient, email: str, password: str, next_path: str = "", **environ: str) -> TestResponse:
    token = csrf_token(client)
    form = {"email": email, "password": password, "csrf_token": token, "next": next_path}
    return client.post("/moderate/login", data=form, environ_base=environ)


def log_in(client: FlaskClient, email: str, password: str) -> FlaskClient:
    answer = post_login(client, email, password)
    assert answer.status_code == 302, answer.text
    return client


def alert(answer: TestResponse) -> str:
    """The error the login page shows."""
    found = re.search(r'role="alert"[^>]*>([^<]*)<', answer.text)
    return found.group(1) if found else ""
