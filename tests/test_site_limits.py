"""Per-site limits at the edge: a token bucket and a cap on queued comments, so one site key cannot
fill the queue every site shares."""

from __future__ import annotations

from tests.conftest import snapshot
from workers.policy import Policy


def comment_for(n: int) -> dict:
    return {
        "thread_id": "t",
        "body": f"Comment number {n}.",
        "author": {"name": f"Reader {n}", "email": f"reader{n}@example.org"},
        "client": {"ip": f"203.0.113.{n}"},
    }


def test_the_bucket_refuses_past_its_burst_and_changes_nothing(post, client, rt, site, connection):
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=0, submit_burst=3, submit_rate_per_second=0.01))
    assert [post(f"comment {i}").status_code for i in range(3)] == [202, 202, 202]
    before = snapshot(connection)
    refused = post("one too many")
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert refused.get_json()["type"].endswith("/rate-limited")
    assert "rate limit" in refused.get_json()["detail"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 100  # one token every 100 s
    assert snapshot(connection) == before
    assert connection.llen("rq:queue:commentgate-moderation") == 3

    other = rt.sites.create("another-site")
    response = client.post("/api/v1/comments", json=comment_for(1), headers={"Authorization": f"Bearer {other.key}"})
    assert response.status_code == 202


def test_the_queued_cap_refuses_the_site_with_n_queued_and_not_another(post, client, work, rt, site, connection):
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=0, max_queued_comments=3))
    assert [post(f"comment {i}").status_code for i in range(3)] == [202, 202, 202]
    before = snapshot(connection)
    refused = post("the fourth, while three wait")
    assert refused.status_code == 503
    assert refused.mimetype == "application/problem+json"
    assert refused.get_json()["type"].endswith("/queue-full")
    assert "3 comments waiting for moderation" in refused.get_json()["detail"]
    assert int(refused.headers["Retry-After"]) >= 1
    assert snapshot(connection) == before

    other = rt.sites.create("another-site")
    response = client.post("/api/v1/comments", json=comment_for(1), headers={"Authorization": f"Bearer {other.key}"})
    assert response.status_code == 202

    work()  # the three are decided: the site may send again
    assert post("the fourth, once the queue has drained").status_code == 202


def test_defaults_leave_room_for_a_busy_site(post, rt, site):
    policy = Policy()
    assert policy.submit_burst >= 100 and policy.max_queued_comments >= 500
    assert [post(f"comment {i}").status_code for i in range(150)] == [202] * 150
