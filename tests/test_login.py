"""Logging in and out with the test client: sessions in Redis, what a removed or reset account sees, redirects."""

from __future__ import annotations

import pytest

from service import create_app
from tests.helpers.accounts import PASSWORD, alert, csrf_token, log_in, post_login
from workers.moderators import Role

COOKIE = "commentgate_session"


def _session_keys(rt) -> set[bytes]:
    return set(rt.connection.scan_iter(match=rt.keys.sessions() + "*"))


def _cookie(client) -> str:
    return client.get_cookie(COOKIE).value


def test_login_redirects_to_next_and_the_account_page_shows_who(client, moderator, site):
    answer = post_login(client, "ADA@example.org ", PASSWORD, next_path="/moderate/account")
    assert (answer.status_code, answer.headers["Location"]) == (302, "/moderate/account")
    page = client.get("/moderate/account")
    assert page.status_code == 200
    assert "ada@example.org" in page.text
    assert site.site_id in page.text


def test_pages_ask_for_login_and_a_fetch_gets_401_json(client):
    page = client.get("/moderate/account")
    assert (page.status_code, page.headers["Location"]) == (302, "/moderate/login?next=/moderate/account")
    fetched = client.get("/moderate/account", headers={"Accept": "application/json"})
    assert (fetched.status_code, fetched.json) == (401, {"error": "login required"})


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", ""])
def test_login_never_redirects_off_the_site(client, moderator, target):
    answer = post_login(client, moderator.email, PASSWORD, next_path=target)
    assert answer.headers["Location"] == "/moderate/"


def test_wrong_password_and_unknown_email_get_the_same_answer(client, moderator, rt):
    wrong = post_login(client, moderator.email, "not the password")
    unknown = post_login(client, "nobody@example.org", "not the password")
    assert (
        (wrong.status_code, alert(wrong)) == (unknown.status_code, alert(unknown)) == (401, "Wrong e-mail or password.")
    )
    assert client.get("/moderate/account").status_code == 302  # still not logged in


def test_login_starts_a_new_session_id_and_deletes_the_old_one(client, moderator, rt):
    csrf_token(client)  # an anonymous visit: a session holding the CSRF token
    before = _cookie(client)
    assert _session_keys(rt) == {(rt.keys.sessions() + before).encode()}
    log_in(client, moderator.email, PASSWORD)
    after = _cookie(client)
    assert after != before
    assert _session_keys(rt) == {(rt.keys.sessions() + after).encode()}  # the pre-login id is worth nothing


def test_logout_deletes_the_session_and_the_old_cookie_is_refused(app, client, moderator, rt):
    log_in(client, moderator.email, PASSWORD)
    old = _cookie(client)
    token = csrf_token(client, "/moderate/account")
    answer = client.post("/moderate/logout", data={"csrf_token": token})
    assert (answer.status_code, answer.headers["Location"]) == (302, "/moderate/login")
    assert _session_keys(rt) == set()

    replay = app.test_client()
    replay.set_cookie(COOKIE, old)
    assert replay.get("/moderate/account").headers["Location"].startswith("/moderate/login")


def test_a_removed_account_is_logged_out_at_its_next_request(client, moderator, rt):
    log_in(client, moderator.email, PASSWORD)
    rt.moderators.remove(moderator.email)
    assert client.get("/moderate/account").headers["Location"].startswith("/moderate/login")
    assert _session_keys(rt) == set()  # and its session is deleted


def test_a_role_change_applies_at_the_next_request(client, moderator, rt, site):
    log_in(client, moderator.email, PASSWORD)
    rt.moderators.set_role(moderator.email, Role.ADMIN, frozenset())
    page = client.get("/moderate/account")
    assert '<dd id="account-role">admin</dd>' in page.text
    assert '<dd id="account-sites">every site</dd>' in page.text


def test_a_password_reset_ends_open_sessions(client, moderator, rt):
    log_in(client, moderator.email, PASSWORD)
    rt.moderators.reset_password(moderator.email, "another long password")
    assert client.get("/moderate/account").headers["Location"].startswith("/moderate/login")
    log_in(client, moderator.email, "another long password")
    assert client.get("/moderate/account").status_code == 200


def test_markup_in_an_email_is_escaped(client, rt):
    email = "<script>alert(1)</script>@example.org"
    rt.moderators.add(email, Role.ADMIN, frozenset(), PASSWORD)
    log_in(client, email, PASSWORD)
    page = client.get("/moderate/account").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;@example.org" in page


def test_without_a_secret_key_the_pages_are_off_and_the_api_still_serves(rt, settings, site):
    from dataclasses import replace

    app = create_app({"TESTING": True, "SETTINGS": replace(settings, secret_key="")})
    client = app.test_client()
    page = client.get("/moderate/login")
    assert page.status_code == 503
    assert "COMMENTGATE_SECRET_KEY" in page.text
    assert (
        client.get(f"/api/v1/sites/{site.site_id}/policy", headers={"Authorization": f"Bearer {site.key}"}).status_code
        == 200
    )


def test_a_visitors_session_is_kept_half_an_hour_and_a_logged_in_one_the_lifetime(client, moderator, rt):
    csrf_token(client)
    (anonymous,) = _session_keys(rt)
    assert 0 < rt.connection.ttl(anonymous) <= 30 * 60
    log_in(client, moderator.email, PASSWORD)
    (logged_in,) = _session_keys(rt)
    assert 30 * 60 < rt.connection.ttl(logged_in) <= rt.settings.session_lifetime_seconds
