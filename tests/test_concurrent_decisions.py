"""Two moderators, one comment: twenty concurrent calls over real HTTP make one decision and one event."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator

import pytest
import requests

from tests.helpers.decisions import moderator_of, premoderate
from tests.helpers.processes import wait_for
from tests.helpers.receiver import Receiver
from tests.test_end_to_end import Stack
from workers.models import Status

CALLS = 20


@pytest.fixture
def stack(redis_url: str, connection) -> Iterator[Stack]:
    s = Stack(redis_url)
    try:
        s.start()
        yield s
    finally:
        s.stop()


def test_twenty_concurrent_approve_and_reject_calls_make_one_decision_and_one_event(rt, site, stack):
    premoderate(rt, site.site_id)
    alice = moderator_of(rt, "alice@example.org", site.site_id)
    bob = moderator_of(rt, "bob@example.org", site.site_id)
    tokens = {alice.email: rt.moderators.issue_token(alice.email), bob.email: rt.moderators.issue_token(bob.email)}
    with Receiver() as receiver:
        receiver.secret = rt.sites.set_webhook(site.site_id, receiver.url)
        comment = {"thread_id": "t1", "author": {"name": "Ada", "email": "ada@example.org"}, "body": "Contested."}
        submitted = requests.post(
            f"{stack.base}/api/v1/comments", json=comment, headers={"Authorization": f"Bearer {site.key}"}, timeout=10
        )
        comment_id = submitted.json()["id"]
        wait_for(lambda: rt.comments.status_of(comment_id) is Status.HELD, timeout=60)

        start = threading.Barrier(CALLS)
        answers: list[tuple[int, dict]] = []
        lock = threading.Lock()

        def call(n: int) -> None:
            email = alice.email if n % 2 else bob.email
            action, body = ("approve", {}) if n % 2 else ("reject", {"reason": "spam"})
            with requests.Session() as session:  # each caller on its own connection
                start.wait()
                response = session.post(
                    f"{stack.base}/api/v1/moderation/comments/{comment_id}/{action}",
                    json=body,
                    headers={"Authorization": f"Bearer {tokens[email]}"},
                    timeout=30,
                )
            with lock:
                answers.append((response.status_code, response.json()))

        threads = [threading.Thread(target=call, args=(n,)) for n in range(CALLS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

        assert Counter(code for code, _ in answers) == {200: 1, 409: CALLS - 1}
        (winner,) = [body for code, body in answers if code == 200]
        winner_email = alice.email if winner["status"] == "published" else bob.email
        assert all(
            (body["status"], body["decided_by"]) == (winner["status"], winner_email)
            for code, body in answers
            if code == 409
        )
        moderator_entries = [e for e in rt.comments.audit(comment_id) if e["actor"].startswith("moderator:")]
        assert len(moderator_entries) == 1

        # Both events (held, then the one decision) arrive; once nothing is pending, no third one came.
        wait_for(lambda: len(receiver.deliveries) >= 2, timeout=60)
        wait_for(lambda: rt.connection.zcard(rt.keys.pending_deliveries()) == 0, timeout=60)
        types = [d["type"] for d in receiver.deliveries if d["comment"]["id"] == comment_id]
        assert types == ["comment.held", "comment.approved" if winner["status"] == "published" else "comment.rejected"]
        assert receiver.deliveries[-1]["id"] == winner["event_id"]
