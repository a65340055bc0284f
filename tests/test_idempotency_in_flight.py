"""Two requests with one Idempotency-Key at once: the second answers the first's id, never a flood."""

from __future__ import annotations

import threading

from tests.conftest import snapshot
from workers import submission
from workers.policy import Policy

PAYLOAD = {
    "thread_id": "t",
    "body": "Posted once, sent twice.",
    "author": {"name": "Ada", "email": "ada@example.org"},
    "client": {"ip": "198.51.100.7"},
}


class PausedFirst:
    """Holds the first request between taking its key and writing its comment, until released."""

    def __init__(self, monkeypatch) -> None:
        self.inside, self.release, self.second_waits = threading.Event(), threading.Event(), threading.Event()
        real_new_id = submission.new_comment_id
        real_wait = getattr(submission, "wait_for_first_request", lambda: None)

        def paused_new_id() -> str:
            if not self.inside.is_set():
                self.inside.set()
                assert self.release.wait(10)
            return real_new_id()

        def waiting() -> None:
            self.second_waits.set()
            real_wait()

        monkeypatch.setattr(submission, "new_comment_id", paused_new_id)
        # Absent before a duplicate in flight was waited for; then the second request simply finishes.
        monkeypatch.setattr(submission, "wait_for_first_request", waiting, raising=False)


def send_in_thread(app, auth, answers, name, settled=None):
    def run():
        headers = {**auth, "Idempotency-Key": "one-key"}
        answers[name] = app.test_client().post("/api/v1/comments", json=PAYLOAD, headers=headers)
        if settled is not None:
            settled.set()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_duplicate_in_flight_is_answered_with_the_first_id_not_a_flood(app, auth, rt, site, connection, monkeypatch):
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=15))
    paused, answers = PausedFirst(monkeypatch), {}
    first = send_in_thread(app, auth, answers, "first")
    assert paused.inside.wait(10)
    second = send_in_thread(app, auth, answers, "second", settled=paused.second_waits)
    assert paused.second_waits.wait(10)  # waiting for the first, or already answered
    paused.release.set()
    first.join(10)
    second.join(10)
    assert answers["first"].status_code == 202
    assert answers["second"].status_code == 202, answers["second"].get_json()
    assert answers["second"].get_json()["id"] == answers["first"].get_json()["id"]
    assert answers["second"].headers["Location"] == answers["first"].headers["Location"]
    assert connection.llen("rq:queue:commentgate-moderation") == 1
    assert len(list(connection.scan_iter("cg:comment:*"))) == 1


def test_a_duplicate_that_outwaits_the_first_gets_409_and_changes_nothing(app, auth, rt, site, connection, monkeypatch):
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=15))
    paused, answers = PausedFirst(monkeypatch), {}
    monkeypatch.setattr(submission, "IN_FLIGHT_WAIT_SECONDS", 0.2, raising=False)
    first = send_in_thread(app, auth, answers, "first")
    assert paused.inside.wait(10)
    before = snapshot(connection)
    second = send_in_thread(app, auth, answers, "second")
    second.join(10)
    after = snapshot(connection)
    paused.release.set()
    first.join(10)
    assert answers["second"].status_code == 409, answers["second"].get_json()
    assert answers["second"].headers["Retry-After"] == "1"
    assert answers["second"].mimetype == "application/problem+json"
    assert after == before
    assert answers["first"].status_code == 202


def test_a_refused_request_leaves_its_key_free_for_the_retry(post, rt, site, connection):
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=15))
    assert post("earlier", client={"ip": "198.51.100.9"}).status_code == 202
    before = snapshot(connection)
    refused = post("too soon", client={"ip": "198.51.100.9"}, headers={"Idempotency-Key": "k"})
    assert refused.status_code == 429
    assert snapshot(connection) == before
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=0))
    assert post("too soon", client={"ip": "198.51.100.9"}, headers={"Idempotency-Key": "k"}).status_code == 202
