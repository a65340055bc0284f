"""The moderator's desk in a real Chromium against a live gunicorn and a worker process.

Comments are submitted over HTTP with the site's key and held by the real worker (the site
premoderates); the tests then use the page as a moderator does, mostly from the keyboard, and read
the outcome back through the site's API.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.conftest import DATA
from tests.helpers.browser import Live, stored_state
from tests.helpers.processes import wait_for
from workers.policy import Policy
from workers.training import read_labeled

MARKUP = "<script>alert(1)</script><img src=x onerror=alert(2)>"
SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "moderation-queue.png"
THREAD = "2025/07/china-proposes-global-ai-body"
_n = itertools.count(1)


@pytest.fixture
def desk(live: Live) -> Live:
    """The live site premoderates (every comment is held) and has no flood window."""
    live.rt.sites.set_policy(live.site.site_id, Policy(flood_seconds=0, premoderation=True))
    return live


def submit(live: Live, body: str, name: str | None = None, email: str | None = None, url: str = "") -> str:
    """POST a comment with the site's key; returns its id once the worker has decided it."""
    n = next(_n)
    payload = {
        "thread_id": THREAD,
        "author": {"name": name or f"Reader {n}", "email": email or f"reader{n}@example.org", "url": url},
        "body": body,
        "client": {"ip": f"198.51.100.{n % 250 + 1}"},
        "permalink": f"https://news.example/{THREAD}",
    }
    answer = requests.post(live.url("/api/v1/comments"), json=payload, headers=_site_key(live), timeout=10)
    assert answer.status_code == 202, answer.text
    comment_id = str(answer.json()["id"])
    wait_for(lambda: status(live, comment_id) != "queued", timeout=30)
    return comment_id


def status(live: Live, comment_id: str) -> str:
    answer = requests.get(live.url(f"/api/v1/comments/{comment_id}"), headers=_site_key(live), timeout=10)
    return str(answer.json()["status"])


def _site_key(live: Live) -> dict[str, str]:
    return {"Authorization": f"Bearer {live.site.key}"}


def open_queue(page: Page, live: Live, query: str = "") -> Page:
    page.goto(live.url(f"/moderate/{query}"))
    expect(page.locator("article.item").first).to_have_attribute("aria-current", "true")
    return page


def item(page: Page, comment_id: str) -> Any:
    return page.locator(f"#c-{comment_id}")


def test_approve_the_top_item_with_the_keyboard(desk: Live, logged_in_page: Callable[..., Page]):
    top, second = submit(desk, "The tariffs will hurt farmers first."), submit(desk, "And consumers next.")
    page = open_queue(logged_in_page(desk.moderator.email), desk)
    expect(page.locator("article.item[aria-current=true]")).to_have_attribute("data-id", top)
    page.keyboard.press("a")
    expect(item(page, top)).to_have_count(0)
    expect(page.locator("article.item[aria-current=true]")).to_have_attribute("data-id", second)
    expect(page.locator('[data-count="held"]')).to_have_text("1")
    assert status(desk, top) == "published"
    assert status(desk, second) == "held"


def test_undo_brings_the_comment_back(desk: Live, logged_in_page: Callable[..., Page]):
    comment = submit(desk, "A comment approved by a slip of the finger.")
    page = open_queue(logged_in_page(desk.moderator.email), desk)
    page.keyboard.press("a")
    expect(item(page, comment)).to_have_count(0)
    page.keyboard.press("u")
    expect(item(page, comment)).to_have_attribute("data-status", "held")
    wait_for(lambda: status(desk, comment) == "held", timeout=10)


def test_the_counts_refresh_by_themselves(desk: Live, logged_in_page: Callable[..., Page]):
    submit(desk, "The first comment of the morning.")
    page = open_queue(logged_in_page(desk.moderator.email), desk)
    expect(page.locator('[data-count="held"]')).to_have_text("1")
    submit(desk, "A second one, while the page is open.")
    # The page polls every 10 seconds: wait for the badge, with room to spare.
    expect(page.locator('[data-count="held"]')).to_have_text("2", timeout=30_000)
    expect(page.locator("#counts-news")).to_contain_text("Held 2")


def test_keys_wait_while_typing_and_question_mark_shows_them(desk: Live, logged_in_page: Callable[..., Page]):
    comment = submit(desk, "Searching must not approve anything.")
    page = open_queue(logged_in_page(desk.moderator.email), desk)
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.get_by_label("Search").type("a sharp remark")
    expect(page.get_by_label("Search")).to_have_value("a sharp remark")
    item(page, comment).focus()
    page.keyboard.press("?")
    expect(page.locator("#help-dialog")).to_be_visible()
    page.keyboard.press("a")  # keys do nothing while a dialog is open
    page.keyboard.press("Escape")
    expect(page.locator("#help-dialog")).to_be_hidden()
    page.keyboard.press("a")  # and act again once it is closed: the one decision sent
    expect(item(page, comment)).to_have_count(0)
    assert posts == [desk.url(f"/moderate/comments/{comment}/approve")]
    assert status(desk, comment) == "published"


def test_bulk_reject_three_with_the_keyboard(desk: Live, logged_in_page: Callable[..., Page]):
    ids = [submit(desk, f"Off-topic comment number {n}.") for n in range(4)]
    page = open_queue(logged_in_page(desk.moderator.email), desk)
    for key in ["x", "j", "x", "j", "x"]:
        page.keyboard.press(key)
    expect(page.locator(".selected-count")).to_have_text("3 selected")
    page.locator('[data-bulk="reject"]').click()
    page.locator("#reason-dialog select").select_option("off_topic")
    page.keyboard.press("Enter")
    for comment in ids[:3]:
        expect(item(page, comment)).to_have_count(0)
    expect(page.locator(".toast")).to_have_text("3 of 3 done.")
    assert [status(desk, c) for c in ids] == ["rejected", "rejected", "rejected", "held"]


def test_ban_an_author_and_their_held_comments_leave_the_queue(desk: Live, logged_in_page: Callable[..., Page]):
    spam = [
        submit(desk, f"Cheap watches, offer {n}.", name="Watch Seller", email="seller@spam.example") for n in range(3)
    ]
    fine = submit(desk, "A comment from somebody else.")
    page = open_queue(logged_in_page(desk.moderator.email), desk)
    item(page, spam[1]).get_by_role("button", name="Ban author…").click()
    dialog = page.locator("#ban-dialog")
    dialog.get_by_label("E-mail").check()
    expect(dialog.get_by_label("Also reject their held comments")).to_be_checked()
    dialog.get_by_role("button", name="Ban", exact=True).click()
    for comment in spam:
        expect(item(page, comment)).to_have_count(0)
    expect(item(page, fine)).to_have_count(1)
    assert [status(desk, c) for c in spam] == ["rejected"] * 3


def test_a_second_moderator_is_told_it_was_already_rejected(desk: Live, logged_in_page: Callable[..., Page]):
    comment = submit(desk, "Two moderators open the same queue.")
    first = open_queue(logged_in_page(desk.moderator.email), desk)
    second = open_queue(logged_in_page(desk.admin.email), desk)
    first.keyboard.press("r")
    first.keyboard.press("Enter")  # the reason picker opens on "spam"
    expect(item(first, comment)).to_have_count(0)
    second.keyboard.press("a")
    expect(item(second, comment).locator(".outcome")).to_contain_text(f"Already rejected by {desk.moderator.email} at")
    assert status(desk, comment) == "rejected"


def test_markup_in_a_comment_shows_as_text_and_runs_nothing(desk: Live, logged_in_page: Callable[..., Page]):
    comment = submit(desk, MARKUP, name=MARKUP)
    page = logged_in_page(desk.moderator.email)
    dialogs: list[str] = []  # every alert() a script would open: none may
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_queue(page, desk)
    page.wait_for_load_state("load")
    shown = item(page, comment)
    expect(shown.locator(".body")).to_have_text(MARKUP)
    expect(shown.locator(".author-name")).to_have_text(MARKUP)
    assert page.locator("article script, article img").count() == 0
    assert dialogs == []


def test_a_form_post_without_the_csrf_token_is_refused(desk: Live, logged_in_page: Callable[..., Page]):
    comment = submit(desk, "Nobody may approve this by a forged form.")
    page = open_queue(logged_in_page(desk.moderator.email), desk)
    before = stored_state(desk.rt)
    forged = page.request.post(desk.url(f"/moderate/comments/{comment}/approve"), form={"reason": "spam"})
    assert forged.status == 400
    by_fetch = page.evaluate(
        """async (url) => (await fetch(url, {method: "POST", headers: {"Content-Type": "application/json"},
                                               body: "{}"})).status""",
        desk.url(f"/moderate/comments/{comment}/approve"),
    )
    assert by_fetch == 400
    assert stored_state(desk.rt) == before
    assert status(desk, comment) == "held"


def _train_spam_model(live: Live) -> None:
    """A small model from the first YouTube file, so the screenshot shows a spam probability and its tokens."""
    for text, label in read_labeled(DATA / "youtube-spam" / "Youtube01-Psy.csv", "CONTENT", "CLASS"):
        live.rt.spam.learn(live.site.site_id, text, label)


def report(live: Live, comment_id: str, reason: str, note: str, reporter: str) -> None:
    """A reader reports the comment through the site's API."""
    answer = requests.post(
        live.url(f"/api/v1/comments/{comment_id}/reports"),
        json={"reason": reason, "note": note, "reporter": {"id": reporter}},
        headers=_site_key(live),
        timeout=10,
    )
    assert answer.status_code == 202, answer.text


def test_the_queue_screenshot(desk: Live, logged_in_page: Callable[..., Page]):
    """docs/moderation-queue.png: a realistic held queue (evidence, reports, history), for docs/moderation.md."""
    _train_spam_model(desk)
    desk.rt.sites.set_policy(desk.site.site_id, Policy(flood_seconds=0))  # published at once, until reported
    reported = submit(
        desk, "Everyone knows where the mayor's daughter goes to school: Elm Street Primary.", name="Sam Porter"
    )
    report(desk, reported, "personal_info", "This names a child's school.", "reader-1")
    report(desk, reported, "personal_info", "", "reader-2")
    report(desk, reported, "abuse", "Doxxing.", "reader-3")
    wait_for(lambda: status(desk, reported) == "held", timeout=10)
    # This site holds even sure spam for a person (spam_reject 1.0), so the picture shows the model's evidence.
    desk.rt.sites.set_policy(desk.site.site_id, Policy(flood_seconds=0, premoderation=True, spam_reject=1.0))
    submit(desk, "Earlier I said the tariffs were a mistake.", name="Marta Ruiz", email="marta@example.org")
    submit(
        desk,
        "This minister is a shit negotiator and a damn liar; the farmers in my town will pay for it.",
        name="Marta Ruiz",
        email="marta@example.org",
        url="https://marta.example/about",
    )
    submit(
        desk,
        "Subscribe to my channel for free giveaways!! http://promo.example/win and http://promo.example/more",
        name="Giveaway Guru",
        email="guru@promo.example",
    )
    page = logged_in_page(desk.moderator.email)
    page.set_viewport_size({"width": 1280, "height": 900})
    open_queue(page, desk)
    expect(page.locator("mark").first).to_be_visible()
    expect(page.locator(".reports li")).to_have_count(3)
    expect(page.locator("article.item")).to_have_count(4)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > 10_000
