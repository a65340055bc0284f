"""What text search reads of each comment, and when a page stops reading: its cost is bounded by bytes.

A body can hold 65,525 characters; search reads the first 2,000 of each (and the author's whole
name), and a page stops once it has read its byte budget, saying so and continuing from its cursor.
"""

from __future__ import annotations

import pytest

from tests.helpers.held_comments import held_comment
from workers.moderators import Moderator, Role
from workers.queue_index import Queue
from workers.review_queue import QueueQuery, read_queue
from workers.runtime import Runtime
from workers.sites import NewSite

MAX_BODY = 65525


def every_page(rt: Runtime, moderator: Moderator, q: str) -> list[str]:
    """Follow the search's cursors to the end: the ids found, in order."""
    found: list[str] = []
    cursor = None
    while True:
        page = read_queue(rt, moderator, QueueQuery(Queue.HELD, q=q, cursor=cursor))
        found += [item.comment.id for item in page.items]
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor


@pytest.fixture
def desk(rt: Runtime, site: NewSite) -> Moderator:
    return rt.moderators.add("desk@news.example", Role.MODERATOR, frozenset({site.site_id}))[0]


# Characters of 1, 2, 3 and 4 bytes in UTF-8: the 2,000 are characters, not bytes.
FILLERS = ["x", "é", "日", "😀"]


@pytest.mark.parametrize("filler", FILLERS)
@pytest.mark.parametrize("q", ["zebra", "ZÉBRA"])
def test_a_word_ending_at_the_2000th_character_is_found(
    rt: Runtime, site: NewSite, desk: Moderator, filler: str, q: str
):
    word = "zébra" if "É" in q else "zebra"
    hit = held_comment(rt, site.site_id, body=(filler * 1995 + word).ljust(MAX_BODY, filler))
    assert every_page(rt, desk, q) == [hit.id]


@pytest.mark.parametrize("filler", FILLERS)
@pytest.mark.parametrize("q", ["zebra", "ZÉBRA"])
def test_a_word_past_the_2000th_character_is_not_searched(
    rt: Runtime, site: NewSite, desk: Moderator, filler: str, q: str
):
    word = "zébra" if "É" in q else "zebra"
    held_comment(rt, site.site_id, body=filler * 1997 + word)  # its last three letters are past the 2,000th
    held_comment(rt, site.site_id, body=(filler * 40_000 + word).ljust(MAX_BODY, filler))
    assert every_page(rt, desk, q) == []


def test_the_author_name_is_searched_whatever_the_body_length(rt: Runtime, site: NewSite, desk: Moderator):
    hit = held_comment(rt, site.site_id, name="Zebra Watcher", body="x" * MAX_BODY)
    held_comment(rt, site.site_id, name="Ada", body="x" * MAX_BODY)
    assert every_page(rt, desk, "zebra") == [hit.id]


def test_a_search_stops_at_its_byte_budget_says_so_and_continues_from_its_cursor(
    rt: Runtime, site: NewSite, desk: Moderator, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr("workers.queue_search.CHUNK", 2)
    monkeypatch.setattr("workers.queue_search.SEARCH_BYTES", 5_000)
    for _ in range(4):  # two chunks of two bodies, 2,000 characters read of each: past 5,000 bytes
        held_comment(rt, site.site_id, name="Ada", body="x" * 3_000)
    hit = held_comment(rt, site.site_id, name="Ada", body="the needle")
    first = read_queue(rt, desk, QueueQuery(Queue.HELD, q="needle"))
    assert first.items == [] and first.scanned_all is False and first.next_cursor
    second = read_queue(rt, desk, QueueQuery(Queue.HELD, q="needle", cursor=first.next_cursor))
    assert [item.comment.id for item in second.items] == [hit.id]
    assert second.scanned_all is True and second.next_cursor is None
