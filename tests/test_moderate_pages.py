"""The moderator's desk at /moderate through Flask's test client: what the pages show and what their fetch endpoints do.

Comments are submitted through the API and decided by an in-process RQ worker, as in production;
moderators log in through the real login form.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.moderate.presentation import conflict_message, http_link
from tests.helpers.api import THREAD
from tests.helpers.browser import stored_state
from workers.decision_outcomes import Conflict
from workers.models import Status
from workers.moderators import Role
from workers.policy import Policy
from workers.runtime import Runtime
from workers.sites import NewSite

PASSWORD = "a long test password"
MARKUP = "<script>alert(1)</script><img src=x onerror=alert(2)>"


@dataclass
class Desk:
    """A logged-in moderator's browser, reduced to what the page's script sends."""

    client: FlaskClient
    csrf: str

    def page(self, path: str = "/moderate/") -> tuple[int, str]:
        response = self.client.get(path)
        return response.status_code, response.get_data(as_text=True)

    def send(self, path: str, body: dict[str, Any] | None = None, csrf: bool = True) -> Any:
        headers = {"X-CSRFToken": self.csrf} if csrf else {}
        return self.client.post(path, json=body or {}, headers=headers)


@pytest.fixture
def desk_for(app: Flask, rt: Runtime) -> Callable[..., Desk]:
    """`desk_for(email, sites)`: a moderator account of those sites, logged in through the form."""

    def log_in(email: str, sites: frozenset[str], role: Role = Role.MODERATOR) -> Desk:
        rt.moderators.add(email, role, sites, PASSWORD)
        client = app.test_client()
        form = client.get("/moderate/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token, form
        answer = client.post(
            "/moderate/login",
            data={"email": email, "password": PASSWORD, "csrf_token": token.group(1), "next": "/moderate/"},
        )
        assert answer.status_code == 302, answer.get_data(as_text=True)
        queue = client.get("/moderate/").get_data(as_text=True)
        meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', queue)
        assert meta, queue
        return Desk(client, meta.group(1))

    return log_in


@pytest.fixture
def premoderated(rt: Runtime, site: NewSite) -> NewSite:
    """The test site with premoderation on: every comment is held for a moderator."""
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=0, premoderation=True))
    return site


@pytest.fixture
def held(post: Callable[..., Any], work: Callable[[], None], premoderated: NewSite) -> Callable[..., str]:
    """`held(body, **fields)`: submit over the API, let the worker hold it; returns the comment id."""

    def submit(body: str = "A fair point about the tariffs.", **fields: Any) -> str:
        response = post(body, **fields)
        assert response.status_code == 202, response.get_json()
        work()
        return str(response.get_json()["id"])

    return submit


@pytest.fixture
def desk(desk_for: Callable[..., Desk], premoderated: NewSite) -> Desk:
    return desk_for("ana@example.org", frozenset({premoderated.site_id}))


def articles(html: str) -> dict[str, str]:
    """Each queue item's markup by comment id, in page order."""
    found = re.findall(r'<article class="item" id="c-([^"]+)".*?</article>', html, flags=re.S)
    bodies = re.findall(r'(<article class="item" id="c-[^"]+".*?</article>)', html, flags=re.S)
    return dict(zip(found, bodies, strict=True))


def body_text(article: str) -> str:
    """The comment's body as a person reads it (marks' labels for screen readers left out)."""
    body = re.search(r'<p class="body">(.*?)</p>', article, flags=re.S)
    assert body, article
    shown = re.sub(r'<span class="visually-hidden">.*?</span>', "", body.group(1))
    return unescape(re.sub(r"<[^>]+>", "", shown))


def status_of(client: FlaskClient, auth: dict[str, str], comment_id: str) -> str:
    return str(client.get(f"/api/v1/comments/{comment_id}", headers=auth).get_json()["status"])


# -- the queue page ---------------------------------------------------------------------------------


def test_held_queue_lists_oldest_first_with_evidence_marked_and_reasons_in_words(desk: Desk, held: Callable[..., str]):
    first = held("First, and a fair point.")
    second = held("You are a shit writer and a damn fool.")
    status, html = desk.page()
    assert status == 200
    items = articles(html)
    assert list(items) == [first, second]
    assert body_text(items[second]) == "You are a shit writer and a damn fool."
    marked = re.findall(r'<mark class="mark-(\w+)" title="([^"]+)">([^<]+)<', items[second])
    assert ("shit" in [text for _, _, text in marked]) and all(kind == "profanity" for kind, _, _ in marked)
    words = re.search(r'<li title="policy.premoderation">([^<]+)</li>', items[first])
    assert words and words.group(1) != "policy.premoderation"  # the code in words, the code itself on hover
    assert 'data-count="held">2<' in html


def test_thousands_of_matches_read_as_a_summary_not_a_wall(desk: Desk, held: Callable[..., str]):
    comment = held(" ".join(f"http://shop{n}.example" for n in range(2000)))
    item = articles(desk.page()[1])[comment]
    summary = re.search(r'<p class="summary">([^<]+)</p>', item)
    assert summary and "2,000 links" in summary.group(1)
    assert 0 < item.count('<mark class="mark-link"') <= 50


def test_an_item_shows_the_author_the_article_and_their_history(desk: Desk, held: Callable[..., str]):
    held("An earlier comment of mine.", author={"name": "Ben", "email": "ben@example.org"})
    later = held(
        "And a second one.",
        author={"name": "Ben", "email": "ben@example.org", "url": "https://ben.example/about"},
        permalink="https://news.example/2025/07/china-proposes-global-ai-body",
    )
    item = articles(desk.page()[1])[later]
    assert '<dd class="author-email">ben@example.org</dd>' in item
    assert '<a href="https://ben.example/about" rel="noopener nofollow ugc"' in item
    assert 'href="https://news.example/2025/07/china-proposes-global-ai-body" rel="noopener nofollow ugc"' in item
    counts = re.search(r'<p class="history-counts">(.*?)</p>', item, flags=re.S)
    assert counts and "2 held" in re.sub(r"<[^>]+>", "", counts.group(1))
    assert "An earlier comment of mine." in item


def test_markup_in_body_and_name_is_shown_as_text(desk: Desk, held: Callable[..., str]):
    comment = held(MARKUP, author={"name": MARKUP, "email": "x@example.org"})
    item = articles(desk.page()[1])[comment]
    assert "<script>" not in item and "<img" not in item
    assert body_text(item) == MARKUP
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in item


def test_markup_in_a_url_and_a_report_note_is_shown_as_text(
    desk: Desk,
    post: Callable[..., Any],
    work: Callable[[], None],
    rt: Runtime,
    premoderated: NewSite,
    client: FlaskClient,
    auth: dict[str, str],
):
    rt.sites.set_policy(premoderated.site_id, Policy(flood_seconds=0))  # published at once, so it can be reported
    url = 'https://x.example/"><script>alert(3)</script>'
    answer = post("A comment with a crafted link.", author={"name": "Eve", "email": "eve@example.org", "url": url})
    assert answer.status_code == 202, answer.get_json()
    comment = answer.get_json()["id"]
    work()
    filed = client.post(f"/api/v1/comments/{comment}/reports", json={"reason": "other", "note": MARKUP}, headers=auth)
    assert filed.status_code == 202, filed.get_json()
    item = articles(desk.page("/moderate/?queue=reported")[1])[comment]
    assert "<script>" not in item and "<img" not in item
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in item
    assert "&#34;&gt;&lt;script&gt;alert(3)&lt;/script&gt;" in item


def test_filters_and_search_narrow_the_queue(desk: Desk, held: Callable[..., str]):
    tariffs = held("The tariffs will hurt farmers.")
    held("Nothing to do with trade.", thread_id="2025/07/another-story")
    assert list(articles(desk.page("/moderate/?q=farmers")[1])) == [tariffs]
    assert list(articles(desk.page(f"/moderate/?thread={THREAD}")[1])) == [tariffs]


def test_a_site_filter_of_another_site_shows_nothing(desk: Desk, held: Callable[..., str], rt: Runtime):
    held()
    other = rt.sites.create("other site")
    status, html = desk.page(f"/moderate/?site={other.site_id}")
    assert status == 200 and articles(html) == {}


def test_not_logged_in_is_sent_to_the_login_page(client: FlaskClient):
    answer = client.get("/moderate/")
    assert answer.status_code == 302 and "/moderate/login" in answer.headers["Location"]


# -- actions ---------------------------------------------------------------------------------------


def test_approve_publishes_the_comment_and_the_count_drops(
    desk: Desk, held: Callable[..., str], client: FlaskClient, auth: dict[str, str]
):
    comment = held()
    answer = desk.send(f"/moderate/comments/{comment}/approve")
    assert answer.status_code == 200
    assert answer.get_json()["status"] == "published"
    assert status_of(client, auth, comment) == "published"
    assert desk.client.get("/moderate/counts").get_json()["held"] == 0
    assert comment not in articles(desk.page()[1])


def test_reject_with_a_reason_and_note_is_in_the_audit_page(desk: Desk, held: Callable[..., str], premoderated):
    comment = held()
    answer = desk.send(f"/moderate/comments/{comment}/reject", {"reason": "off_topic", "note": "not about <b>this</b>"})
    assert answer.status_code == 200 and answer.get_json()["status"] == "rejected"
    status, html = desk.page(f"/moderate/audit?site={premoderated.site_id}")
    assert status == 200
    rows = re.findall(r"<tr>(.*?)</tr>", html, flags=re.S)
    newest = rows[1]  # rows[0] is the header
    assert comment in newest and "ana@example.org" in newest and "held → rejected" in unescape(newest)
    assert "not about &lt;b&gt;this&lt;/b&gt;" in newest


def test_the_second_moderator_is_told_who_decided_first(
    desk: Desk, desk_for: Callable[..., Desk], held: Callable[..., str], premoderated: NewSite
):
    comment = held()
    other = desk_for("bo@example.org", frozenset({premoderated.site_id}))
    assert desk.send(f"/moderate/comments/{comment}/reject", {"reason": "spam"}).status_code == 200
    answer = other.send(f"/moderate/comments/{comment}/approve")
    assert answer.status_code == 409
    assert answer.get_json()["message"].startswith("Already rejected by ana@example.org at ")


def test_bulk_reject_answers_for_each_comment(
    desk: Desk, held: Callable[..., str], client: FlaskClient, auth: dict[str, str]
):
    ids = [held(f"Comment number {n}.") for n in range(3)]
    answer = desk.send("/moderate/bulk", {"ids": [*ids, "c_missing"], "action": "reject", "reason": "spam"})
    assert answer.status_code == 200
    results = answer.get_json()["results"]
    assert [results[i]["status"] for i in ids] == ["rejected"] * 3
    assert results["c_missing"]["result"] == "not_found"
    assert [status_of(client, auth, i) for i in ids] == ["rejected"] * 3


def test_undo_puts_the_comment_back_in_the_queue(desk: Desk, held: Callable[..., str]):
    comment = held()
    desk.send(f"/moderate/comments/{comment}/approve")
    answer = desk.send(f"/moderate/comments/{comment}/undo")
    assert answer.status_code == 200 and answer.get_json()["status"] == "held"
    assert comment in articles(desk.page()[1])


def test_ban_with_reject_held_empties_the_queue_of_that_author(desk: Desk, held: Callable[..., str]):
    spammer = {"name": "Spam King", "email": "king@spam.example"}
    theirs = [held(f"Buy now, offer {n}.", author=spammer) for n in range(3)]
    someone_else = held("A reasonable comment.")
    answer = desk.send(f"/moderate/comments/{theirs[0]}/ban", {"kind": "email", "reject_held": True})
    assert answer.status_code == 200
    assert sorted(answer.get_json()["rejected"]) == sorted(theirs)
    assert list(articles(desk.page()[1])) == [someone_else]


def test_reported_tab_keeps_or_takes_down(
    desk: Desk,
    post: Callable[..., Any],
    work: Callable[[], None],
    rt: Runtime,
    premoderated: NewSite,
    client: FlaskClient,
    auth: dict[str, str],
):
    rt.sites.set_policy(premoderated.site_id, Policy(flood_seconds=0))  # published at once
    kept, taken = (post(body).get_json()["id"] for body in ("A sharp but fair comment.", "A comment naming a child."))
    work()
    for comment, reason in ((kept, "abuse"), (taken, "personal_info")):
        filed = client.post(f"/api/v1/comments/{comment}/reports", json={"reason": reason}, headers=auth)
        assert filed.status_code == 202, filed.get_json()
    items = articles(desk.page("/moderate/?queue=reported")[1])
    assert list(items) == [kept, taken]
    assert "<strong>personal info</strong>" in items[taken]
    assert desk.send(f"/moderate/comments/{kept}/dismiss-reports").status_code == 200
    assert desk.send(f"/moderate/comments/{taken}/take-down", {"reason": "personal_info"}).status_code == 200
    assert articles(desk.page("/moderate/?queue=reported")[1]) == {}
    assert [status_of(client, auth, c) for c in (kept, taken)] == ["published", "rejected"]


def test_recently_decided_shows_who_decided_and_restore_brings_it_back(
    desk: Desk, held: Callable[..., str], client: FlaskClient, auth: dict[str, str]
):
    comment = held()
    desk.send(f"/moderate/comments/{comment}/spam")
    item = articles(desk.page("/moderate/?queue=decided")[1])[comment]
    assert 'data-status="rejected"' in item and "decided by ana@example.org" in item
    answer = desk.send(f"/moderate/comments/{comment}/restore")
    assert answer.status_code == 200 and answer.get_json()["status"] == "published"
    assert status_of(client, auth, comment) == "published"


def test_a_comment_has_a_page_of_its_own(desk: Desk, held: Callable[..., str]):
    comment = held("One comment, on its own page.")
    status, html = desk.page(f"/moderate/comments/{comment}")
    assert status == 200
    assert body_text(articles(html)[comment]) == "One comment, on its own page."


def test_an_approve_the_status_does_not_allow_is_a_conflict(desk: Desk, held: Callable[..., str], rt: Runtime):
    comment = held()
    desk.send(f"/moderate/comments/{comment}/approve")
    before = stored_state(rt)
    answer = desk.send(f"/moderate/comments/{comment}/approve")
    assert answer.status_code == 409
    assert answer.get_json()["status"] == "published"
    assert answer.get_json()["message"].startswith("Already approved by ana@example.org at ")
    assert stored_state(rt) == before


def test_the_audit_log_pages_newest_first(
    desk: Desk, held: Callable[..., str], premoderated: NewSite, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr("service.moderate.views.AUDIT_PAGE_SIZE", 2)
    ids = [held(f"Comment {n}.") for n in range(3)]
    html = desk.page(f"/moderate/audit?site={premoderated.site_id}")[1]
    assert re.findall(r'/moderate/comments/([^"]+)"', html) == [ids[2], ids[1]]
    older = re.search(r'<a rel="next" href="([^"]+)"', html)
    assert older
    rest = desk.page(unescape(older.group(1)))[1]
    assert re.findall(r'/moderate/comments/([^"]+)"', rest) == [ids[0]]


def test_a_cursor_that_is_not_ours_is_a_bad_request(desk: Desk, held: Callable[..., str]):
    held()
    status, html = desk.page("/moderate/?cursor=not-a-cursor")
    assert status == 400 and "Bad request" in html


# -- refused: nothing changes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/moderate/comments/{id}/reject", {"reason": "rude"}),
        ("/moderate/comments/{id}/reject", {"reason": "spam", "note": "x" * 1001}),
        ("/moderate/comments/{id}/approve", {"surprise": True}),
        ("/moderate/bulk", {"ids": ["c_x"] * 501, "action": "approve"}),
        ("/moderate/bulk", {"ids": ["{id}"], "action": "publish"}),
        ("/moderate/comments/{id}/ban", {"kind": "shoe size"}),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    desk: Desk, held: Callable[..., str], rt: Runtime, path: str, body: dict[str, Any]
):
    comment = held()
    body = {k: ([i.replace("{id}", comment) for i in v] if k == "ids" else v) for k, v in body.items()}
    before = stored_state(rt)
    answer = desk.send(path.replace("{id}", comment), body)
    assert answer.status_code == 400
    assert answer.get_json()["error"]
    assert stored_state(rt) == before


def test_a_fetch_without_the_csrf_token_is_refused_and_changes_nothing(
    desk: Desk, held: Callable[..., str], rt: Runtime
):
    comment = held()
    before = stored_state(rt)
    answer = desk.send(f"/moderate/comments/{comment}/approve", csrf=False)
    assert answer.status_code == 400
    assert stored_state(rt) == before


def test_another_sites_comment_is_not_found_on_every_route(
    desk_for: Callable[..., Desk], held: Callable[..., str], rt: Runtime, premoderated: NewSite
):
    comment = held()
    other_site = rt.sites.create("site A")
    outsider = desk_for("outsider@example.org", frozenset({other_site.site_id}))
    before = stored_state(rt)
    assert outsider.page(f"/moderate/comments/{comment}")[0] == 404
    assert outsider.page(f"/moderate/audit?site={premoderated.site_id}")[0] == 404
    for path, body in [
        (f"/moderate/comments/{comment}/approve", {}),
        (f"/moderate/comments/{comment}/reject", {"reason": "spam"}),
        (f"/moderate/comments/{comment}/undo", {}),
        (f"/moderate/comments/{comment}/ban", {"kind": "email", "reject_held": True}),
        (f"/moderate/comments/{comment}/trust", {}),
    ]:
        answer = outsider.send(path, body)
        assert answer.status_code == 404, path
        assert "no such comment" in answer.get_data(as_text=True).lower()
    bulk = outsider.send("/moderate/bulk", {"ids": [comment], "action": "approve"})
    assert bulk.get_json()["results"][comment]["result"] == "not_found"
    assert comment not in articles(outsider.page()[1])
    assert stored_state(rt) == before


# -- presentation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "link"),
    [
        ("https://ben.example/about", "https://ben.example/about"),
        ("http://ben.example", "http://ben.example"),
        ("javascript:alert(1)", None),
        ("JaVaScRiPt:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("//ben.example", None),
        ("", None),
    ],
)
def test_only_http_links_are_followable(url: str, link: str | None):
    assert http_link(url) == link


def test_a_conflict_reads_as_who_decided_and_when():
    moderator = Conflict("c_1", Status.REJECTED, "ana@example.org", 1_764_476_400.0)
    assert conflict_message(moderator) == "Already rejected by ana@example.org at 2025-11-30 04:20 UTC"
    checks = Conflict("c_1", Status.PUBLISHED, "pipeline", None)
    assert conflict_message(checks) == "Already published by the checks"


def test_the_desk_says_in_words_why_a_comment_looks_like_spam(desk: Desk, held: Callable[..., str]) -> None:
    scam = held("call me on +44 20 7946 0958 <b>now</b> for a fast loan")
    ordinary = held("A fair point about the tariffs.")
    status, html = desk.page()
    assert status == 200
    shown = articles(html)
    why = re.search(r'<ul class="tokens"[^>]*>(.*?)</ul>', shown[scam], flags=re.S)
    assert why, shown[scam]
    reasons = [unescape(r) for r in re.findall(r"<li[^>]*>(.*?)</li>", why.group(1))]
    assert reasons[0] == "asks readers to contact a phone number"
    assert 1 < len(reasons) <= 5 and all("spam" in r or r.startswith("asks") for r in reasons), reasons
    assert "<b>" not in why.group(0)  # a word of the comment is shown escaped, never as markup
    # A comment the model finds ordinary shows its probability, not a list of why it might be spam.
    assert "Spam probability" in shown[ordinary] and 'class="tokens"' not in shown[ordinary]
