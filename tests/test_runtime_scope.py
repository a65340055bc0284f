"""Which runtime a job uses: the one its worker (or test) set, for that scope only, else the environment's."""

from __future__ import annotations

import dataclasses

import pytest
from rq import SimpleWorker

from workers import worker
from workers.config import Settings
from workers.models import Author, Client, Status
from workers.policy import Policy
from workers.queues import ALL_QUEUES
from workers.runtime import Runtime, runtime_for, using_runtime
from workers.submission import Submission, submit
from workers.worker import run_worker


def _queue_one(rt: Runtime) -> str:
    """A site and one queued comment, stored under `rt`'s key prefix."""
    site = rt.sites.create("scoped")
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=0))
    sub = Submission("t", "A kind word.", Author("Reader"), Client())
    return submit(rt, site.site_id, rt.sites.policy(site.site_id), sub).comment_id


def _a_job_with_no_runtime_set_builds_one_from_the_environment(connection, monkeypatch) -> None:
    monkeypatch.setenv("COMMENTGATE_KEY_PREFIX", "fromenv")
    monkeypatch.setenv("COMMENTGATE_MODERATION_RETRIES", "")
    from_env = Runtime(connection, Settings.from_env())  # built here, set for no one
    comment_id = _queue_one(from_env)
    SimpleWorker(list(ALL_QUEUES), connection=connection).work(burst=True, with_scheduler=False)
    # Under any other runtime's prefix the job finds no comment and it stays queued.
    assert from_env.comments.status_of(comment_id) is Status.PUBLISHED


def test_a_job_uses_the_runtime_its_test_set(connection, settings, use_runtime):
    scoped = use_runtime(Runtime(connection, dataclasses.replace(settings, key_prefix="scoped")))
    comment_id = _queue_one(scoped)
    SimpleWorker(list(ALL_QUEUES), connection=connection).work(burst=True, with_scheduler=False)
    assert scoped.comments.status_of(comment_id) is Status.PUBLISHED


def test_after_a_test_set_a_runtime_the_next_job_builds_one_from_the_environment(connection, monkeypatch):
    _a_job_with_no_runtime_set_builds_one_from_the_environment(connection, monkeypatch)


def test_the_worker_entry_point_gives_its_runtime_to_its_forked_work_horses(connection, settings, monkeypatch):
    monkeypatch.delenv("COMMENTGATE_KEY_PREFIX", raising=False)
    monkeypatch.setattr(worker, "sweep_forever", lambda rt, stop: None)  # not what this test is about
    own = dataclasses.replace(settings, key_prefix="horse")
    comment_id = _queue_one(Runtime(connection, own))
    run_worker(own, burst=True)
    # The horse forked from the entry point decided it under the entry point's prefix, not the environment's.
    assert Runtime(connection, own).comments.status_of(comment_id) is Status.PUBLISHED


def test_after_the_worker_entry_point_returns_the_next_job_builds_one_from_the_environment(connection, monkeypatch):
    _a_job_with_no_runtime_set_builds_one_from_the_environment(connection, monkeypatch)


def test_a_nested_runtime_gives_way_to_the_outer_one_when_its_scope_ends(connection, settings, monkeypatch):
    monkeypatch.setenv("COMMENTGATE_KEY_PREFIX", "fromenv")
    outer = Runtime(connection, dataclasses.replace(settings, key_prefix="outer"))
    inner = Runtime(connection, dataclasses.replace(settings, key_prefix="inner"))
    with using_runtime(outer):
        with using_runtime(inner):
            assert runtime_for(connection) is inner
        assert runtime_for(connection) is outer
    assert runtime_for(connection).keys.prefix == "fromenv"


def test_a_runtime_set_in_a_scope_is_unset_even_when_the_scope_raises(connection, settings, monkeypatch):
    monkeypatch.setenv("COMMENTGATE_KEY_PREFIX", "fromenv")
    with pytest.raises(RuntimeError), using_runtime(Runtime(connection, settings)):
        raise RuntimeError("the scope's work failed")
    assert runtime_for(connection).keys.prefix == "fromenv"
