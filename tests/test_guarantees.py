"""The two transactional promises: a decision is a compare-and-set, and a submission is all or nothing."""

from __future__ import annotations

import hashlib
import threading
from typing import Any

from redis import Redis
from rq.job import Job

import workers.transitions as transitions
from tests.conftest import snapshot
from workers.config import Settings
from workers.models import Comment, Status
from workers.queues import MODERATION_QUEUE, WEBHOOK_QUEUE
from workers.runtime import Runtime
from workers.store import CommentStore, Event
from workers.submission import Submission, submit

ROUNDS = 10  # fresh comments raced per test: the interleaving is forced, the repetition is cheap insurance


def decide(rt: Runtime, comment_id: str, to: Status, expected: tuple[Status, ...] = (Status.QUEUED,)) -> Event | None:
    """One decision as the pipeline records it: its event, or None when it did not apply."""
    outcome = transitions.apply_transition(
        rt,
        comment_id,
        expected=set(expected),
        to=to,
        actor="pipeline",
        reasons=(f"test.{to.value}",),
        event_type=transitions.PIPELINE_EVENTS[to],
    )
    return outcome.event if isinstance(outcome, transitions.Applied) else None


def race(settings: Settings, comment_id: str) -> dict[Status, Event | None]:
    """Two threads, each with its own connection, decide the same comment differently at the same time."""
    results: dict[Status, Event | None] = {}
    errors: list[BaseException] = []

    def run(to: Status) -> None:
        own = Runtime(Redis.from_url(settings.redis_url), settings)
        try:
            results[to] = decide(own, comment_id, to)
        except BaseException as exc:
            errors.append(exc)
        finally:
            own.connection.close()

    threads = [threading.Thread(target=run, args=(to,)) for to in (Status.PUBLISHED, Status.REJECTED)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert len(results) == 2, "a decider did not finish"
    return results


def events_for(rt: Runtime, site_id: str, comment_id: str) -> list[dict[str, Any]]:
    return [e for _, e in rt.comments.events_after(site_id, None, 1000) if e["comment"]["id"] == comment_id]


def test_a_decided_comment_is_not_decided_again_and_nothing_is_written(post, work, rt, site, connection):
    comment_id = post("Decided once.").get_json()["id"]
    work()
    assert rt.comments.status_of(comment_id) is Status.PUBLISHED
    before = snapshot(connection)
    assert decide(rt, comment_id, Status.REJECTED) is None  # the pipeline again, as a duplicate job would
    assert decide(rt, comment_id, Status.PUBLISHED, expected=(Status.HELD,)) is None  # approving what is not held
    assert snapshot(connection) == before
    assert [a["to"] for a in rt.comments.audit(comment_id)] == ["published"]


def test_two_deciders_at_once_record_one_decision_one_event_one_webhook(
    post, rt, site, settings, connection, monkeypatch
):
    rt.sites.set_webhook(site.site_id, "http://127.0.0.1:9/hooks")
    # Both deciders read the comment under WATCH before either writes: the second EXEC must fail
    # and its retry must see the first decision. Each thread pauses once, at its first event id.
    barrier = threading.Barrier(2, timeout=20)
    paused = threading.local()
    real_new_event_id = transitions.new_event_id

    def both_have_read() -> str:
        if not getattr(paused, "done", False):
            paused.done = True
            barrier.wait()
        return real_new_event_id()

    monkeypatch.setattr(transitions, "new_event_id", both_have_read)

    for _ in range(ROUNDS):
        comment_id = post("Raced.").get_json()["id"]
        results = race(settings, comment_id)
        winners = {to: event for to, event in results.items() if event is not None}
        assert len(winners) == 1, results
        ((to, event),) = winners.items()
        assert rt.comments.status_of(comment_id) is to
        assert [(a["to"], a["event_id"]) for a in rt.comments.audit(comment_id)] == [(to.value, event.id)]
        assert [e["id"] for e in events_for(rt, site.site_id, comment_id)] == [event.id]
        assert connection.exists(rt.keys.delivery(event.id))

    jobs = connection.lrange(f"rq:queue:{WEBHOOK_QUEUE}", 0, -1)
    assert len(jobs) == ROUNDS  # one delivery per comment, none for the losing decider
    assert connection.zcard(rt.keys.queued()) == 0


def test_a_submission_whose_transaction_fails_writes_nothing(client, auth, rt, site, settings, connection, monkeypatch):
    # The same Idempotency-Key arrives twice: this request stalls until its claim on the key expires,
    # and the retry's write lands between this request's WATCH and its EXEC, so this EXEC fails: it
    # must leave no trace, and answer as the retry was answered.
    payload = {
        "thread_id": "t-1",
        "body": "Sent twice by a nervous network.",
        "author": {"name": "Ada", "email": "ada@example.org"},
        "client": {"ip": "203.0.113.9"},
    }
    other_rt = Runtime(Redis.from_url(settings.redis_url), settings)
    losers: list[Comment] = []
    winners: list[str] = []
    real_add_queued = CommentStore.add_queued

    def concurrent_request_wins(store: CommentStore, pipe: Any, comment: Comment) -> None:
        if not losers:
            losers.append(comment)
            # This request stalled past its claim's life: the claim expired and a retry took the key.
            other_rt.connection.delete(rt.keys.idempotency(site.site_id, hashlib.sha256(b"dup-key").hexdigest()))
            same = Submission(
                thread_id="t-1",
                body=payload["body"],
                author=comment.author,  # the same reader, the same form
                client=comment.client,
            )
            winners.append(submit(other_rt, site.site_id, rt.sites.policy(site.site_id), same, "dup-key").comment_id)
        real_add_queued(store, pipe, comment)

    monkeypatch.setattr(CommentStore, "add_queued", concurrent_request_wins)
    response = client.post("/api/v1/comments", json=payload, headers={**auth, "Idempotency-Key": "dup-key"})
    other_rt.connection.close()

    assert len(losers) == 1 and len(winners) == 1
    loser, winner = losers[0].id, winners[0]
    assert loser != winner
    assert response.status_code == 202
    assert response.get_json() == {"id": winner, "status": "queued"}
    assert not connection.exists(rt.keys.comment(loser))
    assert connection.zscore(rt.keys.queued(), loser) is None
    assert not Job.exists(f"moderate-{loser}", connection=connection)
    assert [j.decode() for j in connection.lrange(f"rq:queue:{MODERATION_QUEUE}", 0, -1)] == [f"moderate-{winner}"]
    stored = [k.decode() for k in connection.scan_iter(match=f"{rt.keys.prefix}:comment:*")]
    assert stored == [rt.keys.comment(winner)]
