"""Retention: what expires, when, as docs/operations.md promises; the events stream is bounded."""

from __future__ import annotations

import dataclasses
import json
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from service.cli import main
from tests.helpers.receiver import Receiver
from workers.models import Status
from workers.runtime import Runtime
from workers.store import decode_hash
from workers.transitions import apply_transition

OPERATIONS = Path(__file__).resolve().parents[1] / "docs" / "operations.md"


def documented(variable: str) -> int:
    """The default docs/operations.md gives for a setting, as a number."""
    match = re.search(rf"^\| `{variable}` \| `(\d+)` \|", OPERATIONS.read_text(), re.MULTILINE)
    assert match, f"{variable} is not documented with a numeric default"
    return int(match.group(1))


def assert_ttl(connection, key: str, seconds: int) -> None:
    ttl = connection.ttl(key)
    assert seconds - 60 <= ttl <= seconds, (key, ttl, seconds)


def test_a_rejected_comment_and_its_audit_expire_as_documented(rt, post, work, connection):
    comment_id = post("Buy now.", honeypot="filled by a bot").get_json()["id"]
    work()
    assert rt.comments.status_of(comment_id) is Status.REJECTED
    keep = documented("COMMENTGATE_REJECTED_KEEP_SECONDS")
    assert keep == rt.settings.rejected_keep_seconds
    assert_ttl(connection, rt.keys.comment(comment_id), keep)
    assert_ttl(connection, rt.keys.audit(comment_id), keep)


def test_published_and_held_comments_stay_and_a_restored_one_stops_expiring(rt, post, work, connection):
    published = post("A fine comment.").get_json()["id"]
    held = post("fucking nonsense").get_json()["id"]
    rejected = post("Buy now.", honeypot="bot").get_json()["id"]
    work()
    assert rt.comments.status_of(published) is Status.PUBLISHED
    assert rt.comments.status_of(held) is Status.HELD
    for comment_id in (published, held):
        assert connection.ttl(rt.keys.comment(comment_id)) == -1  # listed, or awaiting a moderator
        assert connection.ttl(rt.keys.audit(comment_id)) == -1
    apply_transition(
        rt,
        rejected,
        expected={Status.REJECTED},
        to=Status.PUBLISHED,
        actor="mod_1",
        reasons=("moderator.false_positive",),
        event_type="comment.restored",
    )
    assert connection.ttl(rt.keys.comment(rejected)) == -1
    assert connection.ttl(rt.keys.audit(rejected)) == -1
    assert len(rt.comments.audit(rejected)) == 2


def test_an_audit_list_keeps_its_latest_entries_up_to_the_bound(rt, post, work, connection):
    comment_id = post("Back and forth.").get_json()["id"]
    work()
    bound = documented("COMMENTGATE_AUDIT_KEEP_ENTRIES")
    assert bound == rt.settings.audit_keep_entries
    status = Status.PUBLISHED
    for _ in range(bound + 5):
        to = Status.REJECTED if status is Status.PUBLISHED else Status.PUBLISHED
        apply_transition(rt, comment_id, expected={status}, to=to, actor="mod_1", reasons=(), event_type="x")
        status = to
    audit = rt.comments.audit(comment_id)
    assert len(audit) == bound
    assert audit[-1]["to"] == status.value  # the newest are kept


def test_delivery_records_expire_as_documented(rt, site, post, work, connection, settings, monkeypatch):
    with Receiver() as receiver:
        receiver.secret = rt.sites.set_webhook(site.site_id, receiver.url)
        post("Delivered.")
        work()
        (delivered,) = receiver.event_ids()
    assert_ttl(connection, rt.keys.delivery(delivered), documented("COMMENTGATE_DELIVERED_KEEP_SECONDS"))

    failed_keep = documented("COMMENTGATE_FAILED_DELIVERY_KEEP_SECONDS")
    assert failed_keep == rt.settings.failed_delivery_keep_seconds
    # A failure recorded longer ago than the failed records are kept, whose record has expired.
    connection.zadd(rt.keys.failed_deliveries(), {"evt_long_ago": time.time() - failed_keep - 60})
    with Receiver(status=500) as receiver:
        receiver.secret = rt.sites.set_webhook(site.site_id, receiver.url)
        post("Not delivered.")
        work()
        failed = receiver.deliveries[0]["id"]
    assert decode_hash(connection.hgetall(rt.keys.delivery(failed)))["state"] == "failed"
    assert_ttl(connection, rt.keys.delivery(failed), failed_keep)
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    listed = json.loads(CliRunner().invoke(main, ["webhooks", "failed", "--json"]).output)
    assert [row["event_id"] for row in listed] == [failed]
    assert connection.zscore(rt.keys.failed_deliveries(), "evt_long_ago") is None


@pytest.fixture
def bounded(connection, settings, use_runtime):
    """A runtime keeping at most 20 events per site (jobs pick it up; ask for it last)."""
    runtime = Runtime(connection, dataclasses.replace(settings, events_keep_count=20))
    use_runtime(runtime)
    return runtime


def test_the_events_stream_is_trimmed_past_its_count_bound(rt, site, post, work, connection, bounded):
    ids = [post(f"Comment number {n}.").get_json()["id"] for n in range(30)]
    work()
    events = rt.comments.events_after(site.site_id, None, 100)
    assert connection.xlen(rt.keys.events(site.site_id)) == 20
    assert [e["comment"]["id"] for _, e in events] == ids[-20:]  # the newest are kept


def test_events_older_than_the_age_bound_are_trimmed(rt, site, post, work, connection):
    age = documented("COMMENTGATE_EVENTS_KEEP_SECONDS")
    assert age == rt.settings.events_keep_seconds
    old_ms = int((time.time() - age - 3600) * 1000)
    recent_ms = int((time.time() - age + 3600) * 1000)
    stream = rt.keys.events(site.site_id)
    connection.xadd(stream, {"event": json.dumps({"id": "evt_old"})}, id=f"{old_ms}-0")
    connection.xadd(stream, {"event": json.dumps({"id": "evt_recent"})}, id=f"{recent_ms}-0")
    post("Trims the stream.")
    work()
    kept = [e["id"] for _, e in rt.comments.events_after(site.site_id, None, 10)]
    assert kept[0] == "evt_recent" and "evt_old" not in kept and len(kept) == 2
