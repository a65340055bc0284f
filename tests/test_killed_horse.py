"""A work horse killed while its worker lives (the OOM killer): a failure like any other, never a loop."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.helpers.processes import ROOT, start_worker, stop_group, wait_for
from workers.models import Author, Client, Status
from workers.pipeline_decision import pipeline_error_of
from workers.store import ATTEMPTS_FIELD
from workers.submission import Submission, submit

# Retries one second apart (the worker's scheduler runs them); a sweep every second after 2 s.
FAST = {
    "COMMENTGATE_MODERATION_RETRIES": "1,1",
    "COMMENTGATE_WEBHOOK_RETRIES": "1,1",
    "COMMENTGATE_SWEEP_EVERY": "1",
    "COMMENTGATE_SWEEP_AFTER": "2",
    "COMMENTGATE_ALLOW_PRIVATE_WEBHOOKS": "1",
}


def _submit(rt, site_id: str, body: str) -> str:
    policy = rt.sites.policy(site_id)
    return submit(rt, site_id, policy, Submission("t", body, Author("Ada"), Client(ip="203.0.113.9"))).comment_id


def test_a_comment_whose_checks_kill_the_work_horse_is_held_once_after_its_tries(rt, site, settings):
    comment_id = _submit(rt, site.site_id, "KILL-HORSE: this comment makes the work horse die")
    worker = start_worker(settings.redis_url, "tests/helpers/horse_killer.py", FAST)
    try:
        wait_for(lambda: rt.comments.status_of(comment_id) is Status.HELD, timeout=60)
        clean = _submit(rt, site.site_id, "a clean comment submitted afterwards")
        wait_for(lambda: rt.comments.status_of(clean) is Status.PUBLISHED, timeout=60)  # the worker lives on
    finally:
        stop_group(worker)
    comment = rt.comments.get(comment_id)
    assert comment is not None and comment.reasons == ("pipeline_error",)
    assert "WorkHorseKilled" in pipeline_error_of(rt, comment_id)
    assert [(a["from"], a["to"]) for a in rt.comments.audit(comment_id)] == [("queued", "held")]
    assert int(rt.connection.hget(rt.keys.comment(comment_id), ATTEMPTS_FIELD)) == 3  # the first try, two retries
    events = [e["comment"]["id"] for _, e in rt.comments.events_after(site.site_id, None, 100)]
    assert events == [comment_id, clean]


def test_a_delivery_whose_work_horse_is_killed_every_time_is_listed_as_failed(rt, site, settings):
    rt.sites.set_webhook(site.site_id, "http://127.0.0.1:9/hooks")
    comment_id = _submit(rt, site.site_id, "a clean comment whose webhook kills the horse")
    worker = start_worker(settings.redis_url, "tests/helpers/horse_killer.py", {**FAST, "KILL_WEBHOOKS": "1"})
    try:
        wait_for(lambda: rt.connection.zcard(rt.keys.failed_deliveries()), timeout=60)
    finally:
        stop_group(worker)
    assert rt.comments.status_of(comment_id) is Status.PUBLISHED
    listed = subprocess.run(
        [sys.executable, "-m", "service", "webhooks", "failed", "--json"],
        env={"REDIS_URL": settings.redis_url, "PATH": ""}, cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    rows = json.loads(listed.stdout)
    assert len(rows) == 1 and rows[0]["site_id"] == site.site_id and rows[0]["attempts"] == 3
    assert "WorkHorseKilled" in rows[0]["last_error"]
    assert rt.connection.zcard(rt.keys.pending_deliveries()) == 0
