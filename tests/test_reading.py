"""Reading decisions: the thread listing, the event feed, the policy API and the OpenAPI document."""

from __future__ import annotations

from workers.policy import Policy


def test_thread_listing_pages_oldest_first_with_a_cursor(post, work, client, site):
    ids = [post(f"comment number {i}", thread_id="a/b c").get_json()["id"] for i in range(5)]
    work()
    url = f"/api/v1/sites/{site.site_id}/threads/a%2Fb%20c/comments"
    first = client.get(url + "?limit=2").get_json()
    second = client.get(url + f"?limit=2&cursor={first['next_cursor']}").get_json()
    third = client.get(url + f"?limit=2&cursor={second['next_cursor']}").get_json()
    assert [i["id"] for i in first["items"] + second["items"] + third["items"]] == ids
    assert third["next_cursor"] is None
    assert set(first["items"][0]) == {"id", "parent_id", "author", "body", "created_at"}
    assert set(first["items"][0]["author"]) == {"name", "url"}  # never the email or IP


def test_thread_listing_etag_and_if_none_match(post, work, client, site):
    post("first")
    work()
    url = f"/api/v1/sites/{site.site_id}/threads/2025%2F07%2Fchina-proposes-global-ai-body/comments"
    response = client.get(url)
    etag = response.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    post("second")
    work()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and len(changed.get_json()["items"]) == 2


def test_thread_listing_of_an_unknown_site_is_404(client):
    assert client.get("/api/v1/sites/site_nope/threads/t/comments").status_code == 404


def test_events_catch_up_after_a_cursor(post, work, client, auth, site, rt):
    post("one")
    post("fuck two")
    work()
    url = f"/api/v1/sites/{site.site_id}/events"
    page = client.get(url + "?limit=1", headers=auth).get_json()
    assert len(page["items"]) == 1 and page["items"][0]["type"] == "comment.published"
    rest = client.get(url + f"?after={page['next_after']}", headers=auth).get_json()
    assert [e["type"] for e in rest["items"]] == ["comment.held"]
    other = rt.sites.create("other")
    assert client.get(url, headers={"Authorization": f"Bearer {other.key}"}).status_code == 404


def test_policy_get_and_put_replace_the_whole_policy(client, auth, site, rt):
    url = f"/api/v1/sites/{site.site_id}/policy"
    assert client.get(url, headers=auth).get_json() == Policy(flood_seconds=0).model_dump(mode="json")
    response = client.put(url, json={"max_links": 5, "premoderation": True}, headers=auth)
    assert response.status_code == 200
    assert rt.sites.policy(site.site_id) == Policy(max_links=5, premoderation=True)  # the rest is defaults


def test_policy_put_refuses_unknown_and_invalid_fields_and_changes_nothing(client, auth, site, rt):
    url = f"/api/v1/sites/{site.site_id}/policy"
    before = rt.sites.policy(site.site_id)
    response = client.put(url, json={"max_links": -1, "colour": "blue"}, headers=auth)
    assert response.status_code == 400
    assert {e["field"] for e in response.get_json()["errors"]} == {"max_links", "colour"}
    assert rt.sites.policy(site.site_id) == before


def test_policy_needs_the_sites_own_key_or_the_admin_token(client, site, rt):
    url = f"/api/v1/sites/{site.site_id}/policy"
    other = rt.sites.create("other")
    assert client.get(url, headers={"Authorization": f"Bearer {other.key}"}).status_code == 404
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Authorization": "Bearer test-admin-token"}).status_code == 200


def test_a_policy_change_applies_to_comments_decided_after_it(post, work, client, auth, site, rt):
    queued = post("held later? no: decided under the new policy").get_json()["id"]
    client.put(f"/api/v1/sites/{site.site_id}/policy", json={"premoderation": True}, headers=auth)
    work()
    assert rt.comments.status_of(queued).value == "held"


def test_openapi_is_generated_from_the_request_models(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    comment_in = doc["components"]["schemas"]["CommentIn"]
    assert set(comment_in["required"]) == {"thread_id", "body"}
    assert comment_in["additionalProperties"] is False
    assert doc["components"]["schemas"]["AuthorIn"]["properties"]["name"]["maxLength"] == 245
    assert "/api/v1/comments" in doc["paths"] and "put" in doc["paths"]["/api/v1/sites/{site_id}/policy"]


def test_health_and_readiness(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    # Redis answers but no worker runs: not ready (tests/test_readyz_checks.py covers the rest).
    assert client.get("/readyz").get_json()["checks"]["redis"] == {"ok": True}
    assert client.get("/readyz").status_code == 503
