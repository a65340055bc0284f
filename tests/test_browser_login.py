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
