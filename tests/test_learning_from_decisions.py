"""Decisions teach the site's spam model in their own transaction; a comment counts once, under its last label."""

from __future__ import annotations

import pytest

from tests.helpers.decisions import held, model_docs, moderator_of, premoderate, token_count
from workers.models import ReportReason
from workers.moderator_actions import ModeratorAction, act
from workers.spam_model import HAM, SPAM

BODY = "Cheap replica watches delivered overnight"


@pytest.fixture
def alice(rt, site):
    premoderate(rt, site.site_id)
    return moderator_of(rt, "alice@example.org", site.site_id)


def counts(rt, site) -> tuple[dict[str, int], int, int]:
    """The model's documents per class, and how often it counted the word `replica` as spam and as ham."""
    sid = site.site_id
    return model_docs(rt, sid), token_count(rt, sid, SPAM, "replica"), token_count(rt, sid, HAM, "replica")


def test_approve_counts_ham_and_spam_counts_spam(rt, site, post, work, alice):
    approved, marked = held(post, work, BODY), held(post, work, "Replica replica watches")
    act(rt, alice, approved, ModeratorAction.APPROVE)
    act(rt, alice, marked, ModeratorAction.SPAM)
    assert counts(rt, site) == ({SPAM: 1, HAM: 1}, 2, 1)


def test_plain_rejections_teach_nothing(rt, site, post, work, alice):
    for reason in (ReportReason.ABUSE, ReportReason.OFF_TOPIC, ReportReason.PERSONAL_INFO, ReportReason.OTHER):
        act(rt, alice, held(post, work, BODY), ModeratorAction.REJECT, reason)
    assert counts(rt, site) == ({SPAM: 0, HAM: 0}, 0, 0)


def test_approve_then_spam_then_restore_counts_the_comment_once_under_its_last_label(rt, site, post, work, alice):
    comment_id = held(post, work, BODY)

    act(rt, alice, comment_id, ModeratorAction.APPROVE)
    assert counts(rt, site) == ({SPAM: 0, HAM: 1}, 0, 1)
    act(rt, alice, comment_id, ModeratorAction.SPAM)  # taken down as spam: the ham count is taken back
    assert counts(rt, site) == ({SPAM: 1, HAM: 0}, 1, 0)
    act(rt, alice, comment_id, ModeratorAction.RESTORE)
    assert counts(rt, site) == ({SPAM: 0, HAM: 1}, 0, 1)
    # A count back at zero is dropped, so the vocabulary is as if the label had never been given.
    assert not rt.connection.hexists(rt.keys.spam_tokens(site.site_id, SPAM), "replica")


def test_a_take_down_for_abuse_keeps_the_ham_label(rt, site, post, work, alice):
    comment_id = held(post, work, BODY)
    act(rt, alice, comment_id, ModeratorAction.APPROVE)
    act(rt, alice, comment_id, ModeratorAction.TAKE_DOWN, ReportReason.ABUSE)
    assert counts(rt, site) == ({SPAM: 0, HAM: 1}, 0, 1)


def test_restoring_a_comment_the_spam_checks_rejected_counts_it_as_ham(rt, site, post, work, alice):
    comment_id = held(post, work, BODY)
    act(rt, alice, comment_id, ModeratorAction.APPROVE)
    act(rt, alice, comment_id, ModeratorAction.REJECT, ReportReason.SPAM)
    act(rt, alice, comment_id, ModeratorAction.RESTORE)
    assert counts(rt, site) == ({SPAM: 0, HAM: 1}, 0, 1)


def test_unlearning_runs_inside_a_multi_even_when_the_server_has_forgotten_the_script(rt, site, connection):
    sid = site.site_id
    rt.spam.learn(sid, BODY, SPAM)
    connection.script_flush()  # as after a server restart: the script must be loaded before the EXEC
    with connection.pipeline() as pipe:
        pipe.watch(rt.keys.spam_docs(sid))
        pipe.multi()
        rt.spam.learn_on(pipe, sid, BODY, SPAM, -1)
        rt.spam.learn_on(pipe, sid, BODY, HAM, 1)
        pipe.execute()
    assert counts(rt, site) == ({SPAM: 0, HAM: 1}, 0, 1)
    assert connection.hlen(rt.keys.spam_tokens(sid, SPAM)) == 0
