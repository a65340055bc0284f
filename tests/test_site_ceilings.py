"""Operator ceilings on a site's limits: a site key may lower its token bucket and its queued cap,
never raise them past what the operator allows, so one site cannot fill the queue every site shares."""

from __future__ import annotations

import dataclasses

import pytest
from flask.testing import FlaskClient

from tests.conftest import snapshot
from workers.config import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(
        settings, ceiling_submit_burst=5, ceiling_submit_rate_per_second=0.05, ceiling_max_queued_comments=3
    )


def put_policy(client: FlaskClient, site_id: str, auth: dict[str, str], **fields: object) -> dict:
    response = client.put(f"/api/v1/sites/{site_id}/policy", json={"flood_seconds": 0, **fields}, headers=auth)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def post_five(post, work) -> list[int]:
    """Five comments, deciding them as they come, so only the bucket (5) can refuse, not the queued cap (3)."""
    statuses = []
    for i in range(5):
        statuses.append(post(f"comment {i}").status_code)
        work()
    return statuses


def test_a_site_key_raising_its_bucket_gets_no_more_than_the_ceiling(client, post, work, site, auth, connection):
    stored = put_policy(client, site.site_id, auth, submit_burst=100_000, submit_rate_per_second=10_000)
    assert stored["submit_burst"] == 100_000  # the site's wish is kept; admission holds it to the ceiling

    assert post_five(post, work) == [202] * 5
    before = snapshot(connection)
    refused = post("past the operator's burst")
    assert refused.status_code == 429
    assert refused.get_json()["type"].endswith("/rate-limited")
    # Refilled at the ceiling's 0.05 a second (one token in 20 s), not the site's 10,000 (1 s).
    assert int(refused.headers["Retry-After"]) >= 10
    assert snapshot(connection) == before


def test_a_site_key_turning_its_bucket_off_still_gets_the_ceiling(client, post, work, site, auth):
    put_policy(client, site.site_id, auth, submit_burst=0)
    assert post_five(post, work) == [202] * 5
    assert post("past the operator's burst").status_code == 429


@pytest.mark.parametrize("wished", [1_000_000, 0])  # 0 is "no cap" in a policy: not past the operator's
def test_a_site_key_raising_its_queued_cap_gets_no_more_than_the_ceiling(client, post, site, auth, connection, wished):
    put_policy(client, site.site_id, auth, max_queued_comments=wished)
    assert [post(f"comment {i}").status_code for i in range(3)] == [202] * 3
    before = snapshot(connection)
    refused = post("the fourth, while three wait")
    assert refused.status_code == 503
    assert refused.get_json()["type"].endswith("/queue-full")
    assert "3 comments waiting for moderation" in refused.get_json()["detail"]
    assert snapshot(connection) == before


def test_a_site_may_set_limits_below_the_ceiling(client, post, work, site, auth):
    put_policy(client, site.site_id, auth, submit_burst=2, submit_rate_per_second=0.01, max_queued_comments=1)
    assert [post("one").status_code, post("two, while one waits").status_code] == [202, 503]
    work()
    assert post("two").status_code == 202
    work()
    assert post("three").status_code == 429
    # One token in 100 s: the site's own rate, not the ceiling's one in 20 s.
    assert int(post("still refused").headers["Retry-After"]) >= 50
