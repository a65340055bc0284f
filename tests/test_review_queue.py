"""Reading the review queues: order, paging, sites, filters, and what each item carries."""

from __future__ import annotations

import pytest

from tests.helpers.held_comments import decide, held_comment
from workers.exceptions import UnknownComment
from workers.models import ReportReason, Status
from workers.moderators import Role
from workers.queue_index import Queue
from workers.reports import ReportCounts, file_report
from workers.review_queue import InvalidQuery, QueueQuery, queue_counts, read_item, read_queue


def ids(page):
    return [item.comment.id for item in page.items]


def every_page(rt, moderator, **query):
    """Follow the cursors to the end: the ids in the order the pages gave them."""
    seen, cursor = [], None
    while True:
        page = read_queue(rt, moderator, QueueQuery(cursor=cursor, **query))
        seen += ids(page)
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


@pytest.fixture
def desk(rt, site):
    moderator, _ = rt.moderators.add("desk@news.example", Role.MODERATOR, frozenset({site.site_id}))
    return moderator


def test_held_is_oldest_first_and_pages_cover_each_comment_once(rt, site, desk):
    created = [held_comment(rt, site.site_id, created_at=1000.0 + n) for n in (5, 1, 3, 2, 4)]
    oldest_first = [c.id for c in sorted(created, key=lambda c: c.created_at)]
    assert every_page(rt, desk, queue=Queue.HELD, limit=2) == oldest_first


def test_a_cursor_stays_true_when_comments_leave_the_queue_between_pages(rt, site, desk):
    created = [held_comment(rt, site.site_id, created_at=1000.0 + n) for n in range(6)]
    first = read_queue(rt, desk, QueueQuery(Queue.HELD, limit=3))
    assert ids(first) == [c.id for c in created[:3]]
    decide(rt, desk, created[1], Status.PUBLISHED)  # on the page already read
    decide(rt, desk, created[3], Status.PUBLISHED)  # the next page's first
    second = read_queue(rt, desk, QueueQuery(Queue.HELD, limit=3, cursor=first.next_cursor))
    assert ids(second) == [created[4].id, created[5].id]
    assert second.next_cursor is None


def test_comments_with_equal_submit_times_are_each_listed_once(rt, site, desk, monkeypatch):
    monkeypatch.setattr("workers.queue_search.CHUNK", 3)  # ties spanning several chunks
    created = [held_comment(rt, site.site_id, created_at=1000.0) for _ in range(8)]
    listed = every_page(rt, desk, queue=Queue.HELD, limit=2)
    assert sorted(listed) == sorted(c.id for c in created) and len(listed) == 8


def test_a_moderator_sees_only_their_sites_and_an_admin_sees_all(rt, site, desk):
    other = rt.sites.create("other-site").site_id
    mine = held_comment(rt, site.site_id, created_at=1000.0)
    theirs = held_comment(rt, other, created_at=999.0)
    assert ids(read_queue(rt, desk, QueueQuery(Queue.HELD))) == [mine.id]
    assert read_queue(rt, desk, QueueQuery(Queue.HELD, site=other)).items == []
    assert queue_counts(rt, desk, site=other) == {Queue.HELD: 0, Queue.REPORTED: 0, Queue.DECIDED: 0}
    with pytest.raises(UnknownComment):
        read_item(rt, desk, theirs.id)
    admin, _ = rt.moderators.add("chief@news.example", Role.ADMIN)
    assert ids(read_queue(rt, admin, QueueQuery(Queue.HELD))) == [theirs.id, mine.id]
    assert ids(read_queue(rt, admin, QueueQuery(Queue.HELD, site=other))) == [theirs.id]


def test_filters_by_thread_reason_and_author_and_their_intersection(rt, site, desk):
    sid = site.site_id
    a = held_comment(rt, sid, thread="t/one", reasons=("spam.links",), email="ann@example.org")
    b = held_comment(rt, sid, thread="t/two", reasons=("spam.links",), email="bob@example.org")
    c = held_comment(rt, sid, thread="t/one", reasons=("profanity.severe",), email="bob@example.org")
    bob = rt.authors.id_of(sid, b.author_key)
    assert every_page(rt, desk, queue=Queue.HELD, thread="t/one") == [a.id, c.id]
    assert every_page(rt, desk, queue=Queue.HELD, reason="spam.links") == [a.id, b.id]
    assert every_page(rt, desk, queue=Queue.HELD, author=bob) == [b.id, c.id]
    assert every_page(rt, desk, queue=Queue.HELD, thread="t/one", author=bob) == [c.id]
    assert every_page(rt, desk, queue=Queue.HELD, thread="t/one", reason="spam.links", author=bob) == []
    assert every_page(rt, desk, queue=Queue.HELD, thread="t/none") == []


def test_a_facet_member_no_longer_in_the_queue_is_ignored(rt, site, desk, connection):
    kept = held_comment(rt, site.site_id, thread="t/one")
    gone = held_comment(rt, site.site_id, thread="t/one")
    connection.zrem(rt.keys.queue(site.site_id, Queue.HELD), gone.id)  # left behind in the thread's facet
    assert every_page(rt, desk, queue=Queue.HELD, thread="t/one") == [kept.id]


def test_text_search_matches_body_and_name_whatever_the_case(rt, site, desk):
    body_hit = held_comment(rt, site.site_id, body="The MAYOR's budget is a scandal")
    held_comment(rt, site.site_id, body="Nothing to see")
    name_hit = held_comment(rt, site.site_id, name="Mayor Watcher", body="Quiet")
    assert every_page(rt, desk, queue=Queue.HELD, q="mayor") == [body_hit.id, name_hit.id]
    assert every_page(rt, desk, queue=Queue.HELD, q="absent words") == []


@pytest.mark.parametrize(
    ("body", "q"),
    [
        ("Die Straße ist gesperrt", "STRASSE"),  # ß casefolds to ss
        ("DIE STRASSE IST GESPERRT", "straße"),
        ("Ünïcode Überall", "üBERall"),
        ("Plain ASCII words", "ascii WORDS"),
        ("Die Straße ist gesperrt", "die str"),  # an ASCII needle in a body with other letters
    ],
)
def test_text_search_matches_as_casefold_does_in_any_script(rt, site, desk, body, q):
    hit = held_comment(rt, site.site_id, body=body)
    held_comment(rt, site.site_id, body="Something else entirely")
    assert every_page(rt, desk, queue=Queue.HELD, q=q) == [hit.id]


def test_a_search_stops_at_its_budget_says_so_and_continues_from_its_cursor(rt, site, desk, monkeypatch):
    monkeypatch.setattr("workers.queue_search.CHUNK", 2)
    monkeypatch.setattr("workers.queue_search.SCAN_BUDGET", 4)
    for _ in range(5):
        held_comment(rt, site.site_id, body="filler")
    hit = held_comment(rt, site.site_id, body="the needle")
    first = read_queue(rt, desk, QueueQuery(Queue.HELD, q="needle"))
    assert first.items == [] and first.scanned_all is False and first.next_cursor
    second = read_queue(rt, desk, QueueQuery(Queue.HELD, q="needle", cursor=first.next_cursor))
    assert ids(second) == [hit.id] and second.scanned_all is True and second.next_cursor is None


def test_an_item_carries_reports_history_and_the_pipeline_error(rt, site, desk, connection):
    sid = site.site_id
    earlier = held_comment(rt, sid, body="My first comment", created_at=1000.0)
    decide(rt, desk, earlier, Status.PUBLISHED)
    held = held_comment(rt, sid, body="My second", created_at=1001.0, reasons=("pipeline_error",))
    connection.hset(rt.keys.comment(held.id), "pipeline_error", "Traceback: boom")
    file_report(rt, sid, held.id, ReportReason.ABUSE, "rude", "reader-1", None)
    (item,) = read_queue(rt, desk, QueueQuery(Queue.HELD)).items
    assert item.comment.body == "My second" and item.comment.author.email == "ada@example.org"
    assert item.author_id == rt.authors.id_of(sid, held.author_key)
    assert [(r.reason.value, r.note) for r in item.reports] == [("abuse", "rude")]
    assert item.report_counts == ReportCounts(total=1, by_reason={"abuse": 1})
    assert item.pipeline_error == "Traceback: boom"
    assert (item.history.published, item.history.held, item.history.rejected) == (1, 1, 0)
    assert [(r.id, r.status, r.excerpt) for r in item.history.recent] == [(earlier.id, "published", "My first comment")]
    assert item.decided_by == "pipeline"
    assert read_item(rt, desk, held.id) == item


def test_decided_is_newest_first_says_who_decided_and_counts_only_the_last_week(rt, site, desk, connection):
    first, second = held_comment(rt, site.site_id), held_comment(rt, site.site_id)
    decide(rt, desk, first, Status.PUBLISHED)
    decide(rt, desk, second, Status.REJECTED)
    page = read_queue(rt, desk, QueueQuery(Queue.DECIDED))
    assert ids(page) == [second.id, first.id]
    assert [i.decided_by for i in page.items] == ["desk@news.example"] * 2
    assert [i.comment.status for i in page.items] == [Status.REJECTED, Status.PUBLISHED]
    connection.zadd(rt.keys.queue(site.site_id, Queue.DECIDED), {first.id: 1000.0})  # decided long ago
    assert ids(read_queue(rt, desk, QueueQuery(Queue.DECIDED))) == [second.id]
    assert queue_counts(rt, desk) == {Queue.HELD: 0, Queue.REPORTED: 0, Queue.DECIDED: 1}


def test_reported_is_ordered_by_first_report_and_filtered_by_report_reason(rt, site, desk):
    sid = site.site_id
    older, newer = held_comment(rt, sid, created_at=1000.0), held_comment(rt, sid, created_at=1001.0)
    for comment in (older, newer):
        decide(rt, desk, comment, Status.PUBLISHED)
    file_report(rt, sid, newer.id, ReportReason.SPAM, "", "reader-1", None)  # first reported: first in the queue
    file_report(rt, sid, older.id, ReportReason.ABUSE, "rude", "reader-1", None)
    file_report(rt, sid, newer.id, ReportReason.ABUSE, "", "reader-2", None)
    page = read_queue(rt, desk, QueueQuery(Queue.REPORTED))
    assert ids(page) == [newer.id, older.id]
    assert [[r.reason.value for r in i.reports] for i in page.items] == [["spam", "abuse"], ["abuse"]]
    assert every_page(rt, desk, queue=Queue.REPORTED, reason="spam") == [newer.id]
    assert every_page(rt, desk, queue=Queue.REPORTED, reason="abuse") == [newer.id, older.id]
    assert queue_counts(rt, desk)[Queue.REPORTED] == 2


@pytest.mark.parametrize("cursor", ["not-a-cursor", "bmFuOjEyMw", "MTIzOiQkJA", "Zm9v"])
def test_a_cursor_this_service_did_not_make_is_refused(rt, site, desk, cursor):
    held_comment(rt, site.site_id)
    with pytest.raises(InvalidQuery):
        read_queue(rt, desk, QueueQuery(Queue.HELD, cursor=cursor))


@pytest.mark.parametrize("limit", [0, -1, 101])
def test_a_limit_out_of_range_is_refused(rt, site, desk, limit):
    with pytest.raises(InvalidQuery):
        read_queue(rt, desk, QueueQuery(Queue.HELD, limit=limit))


def test_an_admins_pages_interleave_every_site_in_queue_order(rt, site, monkeypatch):
    monkeypatch.setattr("workers.queue_search.CHUNK", 2)
    other = rt.sites.create("other-site").site_id
    created = [held_comment(rt, (site.site_id, other)[n % 3 == 0], created_at=1000.0 + n) for n in range(9)]
    admin, _ = rt.moderators.add("chief@news.example", Role.ADMIN)
    assert every_page(rt, admin, queue=Queue.HELD, limit=2) == [c.id for c in created]
    assert every_page(rt, admin, queue=Queue.HELD, limit=2, q="comment") == [c.id for c in created]
