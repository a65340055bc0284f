"""The figures workers and requests write: each moves by exactly what happened, in the transaction that did it."""

from __future__ import annotations

import time
from typing import Any

from redis import Redis
from rq import SimpleWorker
from rq.queue import Queue

from tests.helpers.decisions import held, moderator_of, premoderate
from tests.helpers.processes import start_worker, stop_group, wait_for
from tests.helpers.receiver import Receiver
from workers import pipeline
from workers.decision_outcomes import Conflict, Decided
from workers.models import ReportReason, Status
from workers.moderator_actions import ModeratorAction, act
from workers.pipeline import CHECKS
from workers.pipeline_decision import sweep_lost
from workers.policy import Policy
from workers.queues import MODERATION_QUEUE, WEBHOOK_QUEUE
from workers.recovery import sweep_stuck_deliveries
from workers.reports import file_report
from workers.runtime import Runtime
from workers.store import decode
from workers.transitions import Applied, Lost, apply_transition

RECEIVED = "commentgate_comments_received_total"
LATENCY_COUNT = "commentgate_decision_latency_seconds_count"
CHECK_NAMES = ("validation", "author", "duplicate", "spam", "profanity", "policy")


def decided(decision: str, reason: str, by: str) -> str:
    return f'commentgate_comments_decided_total{{decision="{decision}",reason="{reason}",by="{by}"}}'


def deliveries(outcome: str) -> str:
    return f'commentgate_webhook_deliveries_total{{outcome="{outcome}"}}'


def requeues(kind: str) -> str:
    return f'commentgate_sweeper_requeues_total{{kind="{kind}"}}'


def figures(rt: Runtime, prefix: str = "") -> dict[str, float]:
    """The stored figures whose field starts with `prefix`."""
    return {field: value for field, value in rt.metrics.read(rt.connection).items() if field.startswith(prefix)}


def decisions_this_hour(rt: Runtime) -> dict[str, int]:
    """The ops page's per-minute decision counts over the last hour, added up by status."""
    total: dict[str, int] = {}
    for _, counts in rt.metrics.minutes(rt.connection, time.time()):
        for status, n in counts.items():
            total[status] = total.get(status, 0) + n
    return total


def test_a_known_batch_moves_every_figure_by_exactly_what_happened(rt, site, post, work):
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=0, disallowed_keys=["casino"]))
    bodies = [f"A thoughtful comment number {i}." for i in range(5)]
    bodies += [f"Deals {i} at https://a.example/{i} and www.b.example today." for i in range(3)]
    bodies += [f"Best casino bonus {i}" for i in range(2)]
    for body in bodies:
        assert post(body).status_code == 202
    assert figures(rt, "commentgate_comments_decided") == {}  # nothing decided before a worker runs

    work()

    stored = figures(rt)
    assert stored[RECEIVED] == 10
    assert figures(rt, "commentgate_comments_decided") == {
        decided("published", "none", "pipeline"): 5,
        decided("held", "spam.links", "pipeline"): 3,
        decided("rejected", "spam.disallowed_key", "pipeline"): 2,
    }
    assert decisions_this_hour(rt) == {"published": 5, "held": 3, "rejected": 2}
    # One wait per decision, in the buckets as well as the count; a wait is never negative.
    assert stored[LATENCY_COUNT] == 10
    latency_buckets = figures(rt, "commentgate_decision_latency_seconds_bucket")
    assert sum(latency_buckets.values()) == 10
    assert 0 <= stored["commentgate_decision_latency_seconds_sum"] < 600
    # Each check timed once per decision.
    check_counts = figures(rt, "commentgate_check_duration_seconds_count")
    assert check_counts == {f'commentgate_check_duration_seconds_count{{check="{c}"}}': 10 for c in CHECK_NAMES}
    for check in CHECK_NAMES:
        buckets = figures(rt, f'commentgate_check_duration_seconds_bucket{{check="{check}"}}')
        assert sum(buckets.values()) == 10
        assert stored[f'commentgate_check_duration_seconds_sum{{check="{check}"}}'] >= 0


def test_figures_written_in_a_worker_processs_forked_work_horses_are_kept(rt, site, post, settings):
    for i in range(3):
        assert post(f"A thoughtful comment number {i}.").status_code == 202
    for i in range(2):
        assert post(f"Deals {i} at https://a.example/{i} and www.b.example today.").status_code == 202
    worker = start_worker(settings.redis_url, "-m service worker")  # forks a work horse per job
    try:
        wait_for(lambda: sum(decisions_this_hour(rt).values()) == 5, timeout=60)
    finally:
        stop_group(worker)

    assert figures(rt, "commentgate_comments_decided") == {
        decided("published", "none", "pipeline"): 3,
        decided("held", "spam.links", "pipeline"): 2,
    }
    assert figures(rt, LATENCY_COUNT) == {LATENCY_COUNT: 5}
    assert figures(rt, 'commentgate_check_duration_seconds_count{check="spam"}') == {
        'commentgate_check_duration_seconds_count{check="spam"}': 5
    }


def test_a_replayed_or_refused_submission_is_not_counted_as_received(rt, site, post, work):
    same = {
        "headers": {"Idempotency-Key": "order-1"},
        "author": {"name": "Ann", "email": "ann@example.org"},
        "client": {"ip": "203.0.113.9"},
    }
    first = post("Said once.", **same)
    replay = post("Said once.", **same)  # the site retries: the same answer, no second comment
    refused = post("")  # an empty body is refused at the edge

    assert (first.status_code, replay.status_code, refused.status_code) == (202, 202, 400)
    assert replay.get_json()["id"] == first.get_json()["id"]
    assert figures(rt, RECEIVED) == {RECEIVED: 1}
    work()
    assert figures(rt, "commentgate_comments_decided") == {decided("published", "none", "pipeline"): 1}


def test_a_moderators_decision_counts_by_moderator_and_adds_no_wait_or_check_time(rt, site, post, work):
    premoderate(rt, site.site_id)
    alice = moderator_of(rt, "alice@example.org", site.site_id)
    comment_id = held(post, work)
    before = figures(rt)

    outcome = act(rt, alice, comment_id, ModeratorAction.APPROVE)

    assert isinstance(outcome, Decided)
    after = figures(rt)
    assert figures(rt, "commentgate_comments_decided") == {
        decided("held", "policy.premoderation", "pipeline"): 1,
        decided("published", "moderator.approved", "moderator"): 1,
    }
    assert decisions_this_hour(rt) == {"held": 1, "published": 1}
    unchanged = [f for f in before if "latency" in f or "check_duration" in f or f == RECEIVED]
    assert {f: after[f] for f in unchanged} == {f: before[f] for f in unchanged}
    assert after[LATENCY_COUNT] == 1


def test_a_decision_that_lost_its_compare_and_set_counts_nothing(rt, site, post, work):
    premoderate(rt, site.site_id)
    alice = moderator_of(rt, "alice@example.org", site.site_id)
    bob = moderator_of(rt, "bob@example.org", site.site_id)
    comment_id = held(post, work)
    assert isinstance(act(rt, alice, comment_id, ModeratorAction.APPROVE), Decided)
    before = figures(rt)

    # Bob acted on the page he loaded while it was held; a late pipeline decision expects `queued`.
    late = act(rt, bob, comment_id, ModeratorAction.REJECT, ReportReason.ABUSE)
    lost = apply_transition(
        rt,
        comment_id,
        expected={Status.QUEUED},
        to=Status.REJECTED,
        actor="pipeline",
        reasons=("spam.links",),
        event_type="comment.rejected",
    )

    assert isinstance(late, Conflict) and isinstance(lost, Lost)
    assert figures(rt) == before
    assert decisions_this_hour(rt) == {"held": 1, "published": 1}


def test_a_change_retried_after_a_concurrent_write_is_counted_once(rt, site, post, work, redis_url):
    premoderate(rt, site.site_id)
    alice = moderator_of(rt, "alice@example.org", site.site_id)
    comment_id = held(post, work)
    other = Redis.from_url(redis_url)
    writes = []

    def touched_the_first_time(pipe: Any, comment: Any) -> bool:
        if not writes:  # another client writes the WATCHed comment between the read and the EXEC
            writes.append(other.hset(rt.keys.comment(comment_id), "touched", "1"))
        return True

    outcome = apply_transition(
        rt,
        comment_id,
        expected={Status.HELD},
        to=Status.PUBLISHED,
        actor=alice.actor,
        reasons=("moderator.approved",),
        event_type="comment.approved",
        still_wanted=touched_the_first_time,
    )
    other.close()

    assert isinstance(outcome, Applied) and writes == [1]
    assert figures(rt, decided("published", "moderator.approved", "moderator")) == {
        decided("published", "moderator.approved", "moderator"): 1
    }


def test_a_hold_by_readers_reports_counts_by_reports(rt, site, post, work):
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=0, report_hold_threshold=2))
    comment_id = post("Published, then reported.").get_json()["id"]
    work()
    for reader in ("reader-1", "reader-2"):
        file_report(rt, site.site_id, comment_id, ReportReason.ABUSE, "", reader, None)

    assert rt.comments.status_of(comment_id) is Status.HELD
    assert figures(rt, "commentgate_comments_decided") == {
        decided("published", "none", "pipeline"): 1,
        decided("held", "reports.threshold", "reports"): 1,
    }
    assert figures(rt, LATENCY_COUNT) == {LATENCY_COUNT: 1}  # the reader's wait ended at the first decision


def test_checks_that_fail_for_good_count_a_pipeline_error_hold_with_its_wait_and_no_check_times(
    rt, site, post, work, monkeypatch
):
    def broken_check(comment: Any, policy: Any, context: Any) -> Any:
        raise RuntimeError("classifier exploded")

    monkeypatch.setattr(pipeline, "CHECKS", (*CHECKS, broken_check))
    comment_id = post("Never checked.").get_json()["id"]
    work()

    assert rt.comments.status_of(comment_id) is Status.HELD
    assert figures(rt, "commentgate_comments_decided") == {decided("held", "pipeline_error", "pipeline"): 1}
    assert figures(rt, LATENCY_COUNT) == {LATENCY_COUNT: 1}
    assert figures(rt, "commentgate_check_duration") == {}  # three failed tries, none recorded a decision


def test_webhook_outcomes_count_each_delivery_once(rt, site, post, work):
    with Receiver() as receiver:
        receiver.secret = rt.sites.set_webhook(site.site_id, receiver.url)
        post("First.")
        post("Second.")
        work()
        assert len(receiver.event_ids()) == 2
    with Receiver(status=500) as failing:
        failing.secret = rt.sites.set_webhook(site.site_id, failing.url)
        post("Never received.")
        work()
        assert len(failing.deliveries) == 3  # the first try and two retries (settings.webhook_retries)

    assert figures(rt, "commentgate_webhook_deliveries") == {
        deliveries("delivered"): 2,
        deliveries("failed"): 2,
        deliveries("gave_up"): 1,
    }


def test_a_delivery_to_a_site_that_dropped_its_webhook_counts_as_skipped(rt, site, post, work, connection):
    rt.sites.set_webhook(site.site_id, "http://127.0.0.1:9/hooks")
    post("Decided while the site had a webhook.")
    SimpleWorker([MODERATION_QUEUE], connection=connection).work(burst=True)
    rt.sites.set_webhook(site.site_id, "")

    SimpleWorker([WEBHOOK_QUEUE], connection=connection).work(burst=True)

    assert figures(rt, "commentgate_webhook_deliveries") == {deliveries("skipped"): 1}


def test_the_sweeper_counts_each_requeue_once_by_kind(rt, site, post, work, connection):
    with Receiver() as receiver:
        receiver.secret = rt.sites.set_webhook(site.site_id, receiver.url)
        lost_comment = post("Its moderation job is lost.").get_json()["id"]
        connection.delete(Queue(MODERATION_QUEUE, connection=connection).key, f"rq:job:moderate-{lost_comment}")
        later = time.time() + rt.settings.sweep_after + 1
        assert sweep_lost(rt, now=later, settle=0) == [lost_comment]
        assert sweep_lost(rt, now=later, settle=0) == []  # queued again: nothing more to count
        assert figures(rt, "commentgate_sweeper_requeues") == {requeues("comment"): 1}

        SimpleWorker([MODERATION_QUEUE], connection=connection).work(burst=True)
        connection.delete(Queue(WEBHOOK_QUEUE, connection=connection).key)  # the delivery's job is lost
        (event_id,) = [decode(e) for e in connection.zrange(rt.keys.pending_deliveries(), 0, -1)]
        later = time.time() + rt.settings.sweep_after + 1
        assert sweep_stuck_deliveries(rt, now=later, settle=0) == [event_id]
        assert sweep_stuck_deliveries(rt, now=later, settle=0) == []
        SimpleWorker([WEBHOOK_QUEUE], connection=connection).work(burst=True)
        assert receiver.event_ids() == [event_id]

    assert figures(rt, "commentgate_sweeper_requeues") == {requeues("comment"): 1, requeues("delivery"): 1}
    assert figures(rt, "commentgate_webhook_deliveries") == {deliveries("delivered"): 1}
    assert figures(rt, "commentgate_comments_decided") == {decided("published", "none", "pipeline"): 1}
