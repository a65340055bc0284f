"""Figures kept in Redis: written on the caller's transaction, read back field by field."""

from __future__ import annotations

import pytest

from workers.metrics import CHECK_DURATION, COMMENTS_DECIDED, COMMENTS_RECEIVED
from workers.runtime import Runtime


def test_counts_and_observations_are_written_with_the_transaction_and_read_back(rt: Runtime) -> None:
    with rt.connection.pipeline() as pipe:
        rt.metrics.count(pipe, COMMENTS_RECEIVED)
        rt.metrics.count(pipe, COMMENTS_DECIDED, {"decision": "held", "reason": "spam.links", "by": "pipeline"}, by=2)
        rt.metrics.observe(pipe, CHECK_DURATION, 0.0003, {"check": "spam"})
        rt.metrics.observe(pipe, CHECK_DURATION, 7.0, {"check": "spam"})
        pipe.execute()

    figures = rt.metrics.read(rt.connection)

    assert figures == {
        "commentgate_comments_received_total": 1.0,
        'commentgate_comments_decided_total{decision="held",reason="spam.links",by="pipeline"}': 2.0,
        'commentgate_check_duration_seconds_bucket{check="spam"}|0.0005': 1.0,
        'commentgate_check_duration_seconds_bucket{check="spam"}|+Inf': 1.0,
        'commentgate_check_duration_seconds_sum{check="spam"}': 7.0003,
        'commentgate_check_duration_seconds_count{check="spam"}': 2.0,
    }


def test_a_discarded_transaction_counts_nothing(rt: Runtime) -> None:
    with rt.connection.pipeline() as pipe:
        pipe.multi()
        rt.metrics.count(pipe, COMMENTS_RECEIVED)
        pipe.reset()  # as when a WATCHed key changed and the caller gives up

    assert rt.metrics.read(rt.connection) == {}


def test_wrong_labels_are_refused_before_anything_is_written(rt: Runtime) -> None:
    with rt.connection.pipeline() as pipe, pytest.raises(ValueError, match="takes labels"):
        rt.metrics.count(pipe, COMMENTS_DECIDED, {"decision": "held"})

    assert rt.metrics.read(rt.connection) == {}


def test_decisions_per_minute_come_back_oldest_first_with_empty_minutes(rt: Runtime) -> None:
    now = 1_800_000_000.0
    with rt.connection.pipeline() as pipe:
        rt.metrics.count_minute(pipe, "published", now - 120)
        rt.metrics.count_minute(pipe, "published", now)
        rt.metrics.count_minute(pipe, "held", now)
        pipe.execute()

    minutes = rt.metrics.minutes(rt.connection, now, count=3)

    assert [counts for _, counts in minutes] == [{"published": 1}, {}, {"published": 1, "held": 1}]
    assert minutes[-1][0] == int(now // 60) * 60
    assert 0 < rt.connection.ttl(rt.keys.decisions_minute(int(now // 60))) <= 120 * 60
