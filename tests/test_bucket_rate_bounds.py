"""The site's bucket refill rate has a floor, and the bucket's maths cannot fail: a tiny rate is a
clear 400 at the PUT, and admission neither errors (500) nor half-writes a refusal."""

from __future__ import annotations

import dataclasses
import json

import pytest

from tests.conftest import snapshot
from workers.admission import BUCKET_SECONDS_MAX, admit
from workers.config import Settings
from workers.exceptions import RateLimited
from workers.models import Author, Client
from workers.policy import Policy

RATE_MIN = 0.01  # one comment in 100 s


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """An operator who set no ceilings: the site's own numbers reach the script."""
    return dataclasses.replace(
        settings, ceiling_submit_burst=0, ceiling_submit_rate_per_second=0, ceiling_max_queued_comments=0
    )


@pytest.mark.parametrize("rate", [1e-12, 0.009, 0, -1])
def test_a_rate_below_the_floor_is_refused_naming_the_field_and_changes_nothing(
    client, auth, site, rt, connection, rate
):
    before_policy = rt.sites.policy(site.site_id)
    before = snapshot(connection)
    response = client.put(f"/api/v1/sites/{site.site_id}/policy", json={"submit_rate_per_second": rate}, headers=auth)
    assert response.status_code == 400, response.get_json()
    assert {e["field"] for e in response.get_json()["errors"]} == {"submit_rate_per_second"}
    assert snapshot(connection) == before
    assert rt.sites.policy(site.site_id) == before_policy


def test_the_floor_itself_is_accepted(client, auth, site, rt):
    response = client.put(
        f"/api/v1/sites/{site.site_id}/policy", json={"submit_rate_per_second": RATE_MIN}, headers=auth
    )
    assert response.status_code == 200, response.get_json()
    assert rt.sites.policy(site.site_id).submit_rate_per_second == RATE_MIN


def test_a_tiny_rate_stored_before_the_floor_still_admits_comments(post, site, rt, connection):
    stored = {"flood_seconds": 0, "submit_burst": 100_000, "submit_rate_per_second": 1e-12}
    connection.hset(rt.keys.site(site.site_id), "policy", json.dumps(stored))
    accepted = post("the first")
    assert accepted.status_code == 202, accepted.get_json()
    assert rt.comments.get(accepted.get_json()["id"]) is not None
    assert connection.ttl(rt.keys.submit_bucket(site.site_id)) > 0  # the bucket goes once full again


def tiny_rate_policy(burst: int) -> Policy:
    """A policy built past validation: the script itself must stay safe whatever rate it is given."""
    return Policy.model_construct(**{**Policy().model_dump(), "submit_burst": burst, "submit_rate_per_second": 1e-12})


def test_the_bucket_maths_of_a_tiny_rate_do_not_fail(rt, site, connection):
    admit(rt, site.site_id, tiny_rate_policy(100_000), Author(email="a@example.org"), Client(ip="203.0.113.1"))
    assert 0 < connection.ttl(rt.keys.submit_bucket(site.site_id)) <= BUCKET_SECONDS_MAX


def test_a_refusal_at_a_tiny_rate_writes_nothing(rt, site, connection):
    admit(rt, site.site_id, tiny_rate_policy(1), Author(email="a@example.org"), Client(ip="203.0.113.1"))
    before = snapshot(connection)
    with pytest.raises(RateLimited) as refused:
        admit(rt, site.site_id, tiny_rate_policy(1), Author(email="b@example.org"), Client(ip="203.0.113.2"))
    assert 1 <= refused.value.retry_after <= BUCKET_SECONDS_MAX
    assert snapshot(connection) == before
