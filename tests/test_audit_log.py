"""Paging the site's audit log: newest first, actors by name, authors by id, only one's own sites."""

from __future__ import annotations

import json

import pytest

from tests.helpers.held_comments import decide, held_comment
from workers.audit_log import read_audit
from workers.exceptions import UnknownSite
from workers.models import Status
from workers.moderators import Role
from workers.queue_search import InvalidQuery


@pytest.fixture
def desk(rt, site):
    moderator, _ = rt.moderators.add("desk@news.example", Role.MODERATOR, frozenset({site.site_id}))
    return moderator


def every_entry(rt, moderator, site_id, **kw):
    seen, cursor = [], None
    while True:
        page = read_audit(rt, moderator, site_id, cursor=cursor, **kw)
        seen += page.entries
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


def test_entries_are_newest_first_with_the_actor_by_name_and_the_author_by_id(rt, site, desk):
    comment = held_comment(rt, site.site_id, name="Ada Lovelace", email="ada@example.org")
    decide(rt, comment, Status.PUBLISHED, desk.actor)
    entries = read_audit(rt, desk, site.site_id).entries
    assert [(e.from_status, e.to_status, e.actor_name) for e in entries] == [
        ("held", "published", "desk@news.example"),
        ("queued", "held", "pipeline"),
    ]
    assert entries[1].reasons == ["policy.premoderation"]
    assert {e.author_id for e in entries} == {rt.authors.id_of(site.site_id, comment.author_key)}
    shown = json.dumps([e.as_dict() for e in entries]).lower()
    # Not "ada": that is valid hex, and ids are hex.
    assert "lovelace" not in shown and "ada@example.org" not in shown and "203.0.113.7" not in shown


def test_pages_follow_the_cursor_to_the_oldest_entry(rt, site, desk):
    comments = [held_comment(rt, site.site_id) for _ in range(5)]
    entries = every_entry(rt, desk, site.site_id, limit=2)
    assert [e.comment_id for e in entries] == [c.id for c in reversed(comments)]


def test_the_actor_filter_takes_an_email_or_an_actor_id(rt, site, desk):
    first, second = held_comment(rt, site.site_id), held_comment(rt, site.site_id)
    decide(rt, first, Status.PUBLISHED, desk.actor)
    decide(rt, second, Status.REJECTED, desk.actor)
    by_email = every_entry(rt, desk, site.site_id, actor="desk@news.example")
    assert [(e.comment_id, e.to_status) for e in by_email] == [(second.id, "rejected"), (first.id, "published")]
    assert every_entry(rt, desk, site.site_id, actor=desk.actor) == by_email
    assert {e.to_status for e in every_entry(rt, desk, site.site_id, actor="pipeline")} == {"held"}
    assert read_audit(rt, desk, site.site_id, actor="nobody@news.example").entries == []


def test_an_actor_filter_stops_at_its_scan_budget_and_says_so(rt, site, desk, monkeypatch):
    monkeypatch.setattr("workers.audit_log.ACTOR_SCAN_LIMIT", 3)
    monkeypatch.setattr("workers.audit_log.SCAN_CHUNK", 2)
    early = held_comment(rt, site.site_id)
    decide(rt, early, Status.PUBLISHED, desk.actor)
    for _ in range(4):
        held_comment(rt, site.site_id)
    first = read_audit(rt, desk, site.site_id, actor=desk.actor)
    assert first.entries == [] and first.scanned_all is False and first.next_cursor
    rest = every_entry(rt, desk, site.site_id, actor=desk.actor)
    assert [e.comment_id for e in rest] == [early.id]


def test_another_sites_log_is_as_unknown_as_a_missing_site(rt, site, desk):
    other = rt.sites.create("other-site").site_id
    held_comment(rt, other)
    for site_id in (other, "site_missing"):
        with pytest.raises(UnknownSite):
            read_audit(rt, desk, site_id)


@pytest.mark.parametrize("cursor", ["abc", "1-2-3", "-", "+", "(1-0"])
def test_a_cursor_that_is_no_stream_id_is_refused(rt, site, desk, cursor):
    with pytest.raises(InvalidQuery):
        read_audit(rt, desk, site.site_id, cursor=cursor)


@pytest.mark.parametrize("limit", [0, 101])
def test_a_limit_out_of_range_is_refused(rt, site, desk, limit):
    with pytest.raises(InvalidQuery):
        read_audit(rt, desk, site.site_id, limit=limit)
