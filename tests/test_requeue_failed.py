"""Failed jobs for operators: listed with their traceback, requeued to complete, deleted; bad ids change nothing."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from rq.job import Job, JobStatus

from service.cli import main
from tests.conftest import snapshot
from tests.helpers.processes import start_worker, stop_group, wait_for
from tests.helpers.receiver import Receiver
from workers import pipeline
from workers.failed_jobs import UnknownQueue, delete, failed_jobs, requeue, requeue_all
from workers.pipeline_decision import pipeline_error_of
from workers.queues import MODERATION_QUEUE, WEBHOOK_QUEUE


@pytest.fixture
def failing_receiver(rt, site, post, work):
    """A site whose endpoint answered 500 to every try of one delivery, which RQ now keeps as failed."""
    with Receiver(status=500) as receiver:
        receiver.secret = rt.sites.set_webhook(site.site_id, receiver.url)
        post("Will not be received at first.")
        work()
        assert len(receiver.deliveries) == 3  # the first try and both retries
        yield receiver


def _broken_check(comment, policy, context):
    raise RuntimeError("classifier exploded")


def test_a_failed_delivery_is_listed_with_its_traceback_and_listing_changes_nothing(rt, connection, failing_receiver):
    before = snapshot(connection)
    [job] = failed_jobs(rt)
    assert snapshot(connection) == before
    event_id = failing_receiver.deliveries[0]["id"]
    assert job.id == f"webhook-{event_id}"
    assert job.queue == WEBHOOK_QUEUE
    assert job.description == f"webhook {event_id}"
    assert "Traceback" in job.exc_info and "answered 500" in job.exc_info
    assert job.ended_at is not None


def test_a_requeued_delivery_completes_once_the_endpoint_answers(rt, connection, work, failing_receiver):
    [job] = failed_jobs(rt)
    failing_receiver.status = 200
    assert requeue(rt, job.id)
    assert failed_jobs(rt) == []
    work()
    event_id = failing_receiver.deliveries[0]["id"]
    assert failing_receiver.event_ids() == [event_id] * 4  # three failed tries, then the requeued one
    assert rt.deliveries.get(event_id)["state"] == "delivered"
    assert rt.deliveries.failed() == []  # no longer listed by `commentgate webhooks failed`
    assert Job.fetch(job.id, connection=connection).get_status() == JobStatus.FINISHED


def test_a_requeued_moderation_job_completes_and_leaves_the_held_comment_to_a_moderator(
    rt, connection, post, work, monkeypatch
):
    monkeypatch.setattr(pipeline, "CHECKS", (*pipeline.CHECKS, _broken_check))
    comment_id = post("an ordinary comment").get_json()["id"]
    work()
    [job] = failed_jobs(rt, MODERATION_QUEUE)
    assert job.id == f"moderate-{comment_id}" and "classifier exploded" in job.exc_info
    monkeypatch.setattr(pipeline, "CHECKS", tuple(c for c in pipeline.CHECKS if c is not _broken_check))
    assert requeue(rt, job.id)
    work()
    assert Job.fetch(job.id, connection=connection).get_status() == JobStatus.FINISHED
    comment = rt.comments.get(comment_id)
    assert comment is not None and comment.status == "held"
    assert "classifier exploded" in pipeline_error_of(rt, comment_id)
    assert failed_jobs(rt) == []


def test_delete_removes_the_failed_job_for_good(rt, connection, failing_receiver):
    [job] = failed_jobs(rt)
    assert delete(rt, job.id)
    assert failed_jobs(rt) == []
    assert not connection.exists(f"rq:job:{job.id}")
    assert not requeue(rt, job.id)


def test_requeue_all_of_one_queue_leaves_the_other_queue_failed(rt, post, work, monkeypatch, failing_receiver):
    monkeypatch.setattr(pipeline, "CHECKS", (*pipeline.CHECKS, _broken_check))
    post("a second comment, whose checks fail")
    work()  # its moderation job fails, and its `comment.held` event fails to be delivered too
    assert sorted(j.queue for j in failed_jobs(rt)) == [MODERATION_QUEUE, WEBHOOK_QUEUE, WEBHOOK_QUEUE]
    assert requeue_all(rt, WEBHOOK_QUEUE) == 2
    assert [j.queue for j in failed_jobs(rt)] == [MODERATION_QUEUE]
    assert requeue_all(rt) == 1
    assert failed_jobs(rt) == []


@pytest.mark.parametrize("job_id", ["no-such-job", "../../etc", "", "moderate-" + "x" * 300])
def test_requeue_or_delete_of_what_is_not_a_failed_job_changes_nothing(rt, connection, failing_receiver, job_id):
    before = snapshot(connection)
    assert not requeue(rt, job_id)
    assert not delete(rt, job_id)
    assert snapshot(connection) == before


def test_a_job_that_did_not_fail_is_not_requeued_or_deleted(rt, connection, post):
    comment_id = post("queued, no worker yet").get_json()["id"]
    before = snapshot(connection)
    assert not requeue(rt, f"moderate-{comment_id}")
    assert not delete(rt, f"moderate-{comment_id}")
    assert snapshot(connection) == before


def test_an_unknown_queue_is_refused_and_changes_nothing(rt, connection, failing_receiver):
    before = snapshot(connection)
    with pytest.raises(UnknownQueue):
        requeue_all(rt, "default")
    with pytest.raises(UnknownQueue):
        failed_jobs(rt, "default")
    assert snapshot(connection) == before


# -- `commentgate requeue-failed` -------------------------------------------------------------


@pytest.fixture
def cli(settings, monkeypatch):
    """Run `commentgate requeue-failed ARGS` against the test Redis; returns click's result."""
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    return lambda *args: CliRunner().invoke(main, ["requeue-failed", *args])


def test_requeue_failed_brings_a_failed_delivery_back_and_a_worker_process_completes_it(
    rt, settings, connection, cli, failing_receiver
):
    [job] = failed_jobs(rt)
    event_id = failing_receiver.deliveries[0]["id"]
    failing_receiver.status = 200  # the site fixed its endpoint
    result = cli(job.id)
    assert result.exit_code == 0 and result.output == f"requeued {job.id}\n"
    worker = start_worker(settings.redis_url, "-m service worker", {"COMMENTGATE_ALLOW_PRIVATE_WEBHOOKS": "1"})
    try:
        wait_for(lambda: rt.deliveries.get(event_id).get("state") == "delivered", timeout=60)
    finally:
        stop_group(worker)
    assert failing_receiver.event_ids() == [event_id] * 4
    assert Job.fetch(job.id, connection=connection).get_status() == JobStatus.FINISHED
    assert failed_jobs(rt) == []


def test_requeue_failed_all_of_one_queue(rt, cli, post, work, monkeypatch, failing_receiver):
    monkeypatch.setattr(pipeline, "CHECKS", (*pipeline.CHECKS, _broken_check))
    post("a second comment, whose checks fail")
    work()
    result = cli("--all", "--queue", MODERATION_QUEUE)
    assert result.exit_code == 0 and result.output == "requeued 1 failed job(s)\n"
    assert {j.queue for j in failed_jobs(rt)} == {WEBHOOK_QUEUE}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give the failed jobs' ids, or --all"),
        (("--all", "webhook-x"), "give the failed jobs' ids, or --all"),
        (("--queue", WEBHOOK_QUEUE), "give the failed jobs' ids, or --all"),
        (("--queue", WEBHOOK_QUEUE, "webhook-x"), "--queue goes with --all"),
        (("--all", "--queue", "default"), "'default' is not one of"),
    ],
)
def test_requeue_failed_usage_errors_change_nothing(connection, cli, failing_receiver, args, message):
    before = snapshot(connection)
    result = cli(*args)
    assert result.exit_code == 2 and message in result.output
    assert snapshot(connection) == before


def test_requeue_failed_of_an_unknown_id_says_so_and_changes_nothing(rt, connection, cli, failing_receiver):
    before = snapshot(connection)
    result = cli("no-such-job")
    assert result.exit_code == 1 and "no failed job no-such-job; nothing done for it" in result.output
    assert snapshot(connection) == before
