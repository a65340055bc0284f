"""Logging in with a real browser against the real web tier (gunicorn) and a worker process."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.helpers.browser import CONTENT_CHECK_PATH, PASSWORD, stored_state
from workers.moderators import Role


def test_login_works_from_the_keyboard_alone(live, page):
    page.goto(live.url(f"/moderate/login?next={CONTENT_CHECK_PATH}"))
    expect(page.get_by_label("E-mail")).to_be_focused()  # autofocus: typing starts at once
    page.keyboard.type(live.moderator.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    page.wait_for_url(live.url(CONTENT_CHECK_PATH))
    expect(page.locator("#account-email")).to_have_text(live.moderator.email)
    expect(page.locator("#account-sites")).to_have_text(live.site.site_id)


def test_wrong_password_and_unknown_email_show_the_same_message(live, page):
    shown = []
    for email, password in [(live.moderator.email, "not the password"), ("nobody@example.org", "not the password")]:
        page.goto(live.url("/moderate/login"))
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password").fill(password)
        with page.expect_response(lambda r: r.url.endswith("/moderate/login") and r.request.method == "POST") as answer:
            page.get_by_role("button", name="Log in").click()
        shown.append((answer.value.status, page.get_by_role("alert").inner_text()))
        expect(page.get_by_label("Password")).to_have_value("")  # nothing logged in: the form again
    assert shown == [(401, "Wrong e-mail or password.")] * 2
    assert page.context.cookies() == [] or all(c["name"] != "remember_token" for c in page.context.cookies())


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(live, page):
    page.goto(live.url("/moderate/login"))
    page.get_by_label("E-mail").fill(live.moderator.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("input[name=csrf_token]").evaluate("input => input.remove()")
    before = stored_state(live.rt)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Log in").click()

    assert answer.value.status == 400
    expect(page.get_by_role("heading", level=1)).to_have_text("Form expired or forged")
    # No login happened: the account page still asks for one.
    page.goto(live.url(CONTENT_CHECK_PATH))
    expect(page).to_have_url(live.url(f"/moderate/login?next={CONTENT_CHECK_PATH}"))
    assert stored_state(live.rt) == before


def test_markup_in_an_email_shows_as_text(live, logged_in_page):
    email = '<img src=x onerror="document.title=1">@example.org'
    live.rt.moderators.add(email, Role.ADMIN, frozenset(), PASSWORD)
    page = logged_in_page(email)
    expect(page.locator("#account-email")).to_have_text(email.lower())
    assert page.locator("main img").count() == 0
    assert page.title() != "1"


def test_logout_from_the_keyboard_ends_the_session_on_the_server(live, logged_in_page, browser):
    page = logged_in_page(live.moderator.email)
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "commentgate_session"]
    assert live.rt.connection.exists(live.rt.keys.sessions() + cookie["value"])

    page.get_by_role("button", name="Log out").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(live.url("/moderate/login"))
    assert not live.rt.connection.exists(live.rt.keys.sessions() + cookie["value"])

    # The old cookie, replayed from another browser, opens nothing.
    thief = browser.new_context()
    try:
        thief.add_cookies([cookie])
        replay = thief.new_page()
        replay.goto(live.url(CONTENT_CHECK_PATH))
        expect(replay).to_have_url(live.url(f"/moderate/login?next={CONTENT_CHECK_PATH}"))
    finally:
        thief.close()


def test_a_removed_account_is_sent_to_the_login_page_at_its_next_click(live, logged_in_page):
    page = logged_in_page(live.moderator.email)
    live.rt.moderators.remove(live.moderator.email)
    page.reload()
    expect(page).to_have_url(live.url(f"/moderate/login?next={CONTENT_CHECK_PATH}"))
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)


def test_lockout_shows_when_to_try_again_with_429_and_retry_after(live, page):
    page.goto(live.url("/moderate/login"))
    answers = []
    for password in ["wrong 1", "wrong 2", "wrong 3", "wrong 4", "wrong 5", PASSWORD]:
        page.get_by_label("E-mail").fill(live.moderator.email)
        page.get_by_label("Password").fill(password)
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            page.get_by_role("button", name="Log in").click()
        answers.append(answer.value)
    assert [a.status for a in answers] == [401] * 5 + [429]
    assert 0 < int(answers[-1].headers["retry-after"]) <= 900
    expect(page.get_by_role("alert")).to_have_text("Too many failed logins. Try again in 15 minute(s).")


def test_the_session_cookie_the_browser_keeps_is_httponly_and_lax(live, logged_in_page):
    page = logged_in_page(live.moderator.email)
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "commentgate_session"]
    assert (cookie["httpOnly"], cookie["sameSite"], cookie["secure"]) == (True, "Lax", False)  # plain HTTP on 127.0.0.1
    assert page.evaluate("document.cookie") == ""  # no script can read it


def test_the_page_is_served_with_its_content_security_policy(live, page):
    answer = page.goto(live.url("/moderate/login"))
    assert answer.headers["content-security-policy"].startswith("default-src 'self'; script-src 'self'")
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["cache-control"] == "no-store"
    # The stylesheet loads under that policy (same origin): the page is styled.
    assert page.locator("body").evaluate("b => getComputedStyle(b).margin") == "0px"
