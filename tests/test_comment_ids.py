"""Comment ids: strictly increasing within a process, sortable by time, so listings never shuffle."""

from __future__ import annotations

import re
from itertools import pairwise

from workers import store
from workers.store import new_comment_id


def test_ids_made_in_a_tight_loop_are_strictly_increasing():
    ids = [new_comment_id() for _ in range(20_000)]
    assert all(re.fullmatch(r"[0-9a-f]{24}", i) for i in ids)
    assert all(a < b for a, b in pairwise(ids))


def test_ids_made_in_one_millisecond_or_as_the_clock_steps_back_still_increase(monkeypatch):
    clock = iter([1_800_000_000_000] * 500 + [1_799_999_999_000] * 500)
    monkeypatch.setattr(store, "milliseconds", lambda: next(clock))
    ids = [new_comment_id() for _ in range(1000)]
    assert all(a < b for a, b in pairwise(ids))
    assert ids[0].startswith(f"{1_800_000_000_000:012x}")  # still the time it was made
    assert len({i[12:] for i in ids}) == 1000


def test_comments_posted_in_one_millisecond_list_in_the_order_they_were_posted(post, work, client, site, monkeypatch):
    monkeypatch.setattr(store, "milliseconds", lambda: 1_800_000_000_000)
    ids = [post(f"comment number {i}", thread_id="same-ms").get_json()["id"] for i in range(12)]
    work()
    listed = client.get(f"/api/v1/sites/{site.site_id}/threads/same-ms/comments?limit=5").get_json()
    seen = [i["id"] for i in listed["items"]]
    while listed["next_cursor"]:
        cursor = listed["next_cursor"]
        listed = client.get(f"/api/v1/sites/{site.site_id}/threads/same-ms/comments?limit=5&cursor={cursor}").get_json()
        seen += [i["id"] for i in listed["items"]]
    assert seen == ids
