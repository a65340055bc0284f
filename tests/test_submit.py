"""Submitting comments at the edge: what is accepted, what is refused, and that refusals change nothing."""

from __future__ import annotations

from urllib.parse import urlencode

from redis import Redis

from service import create_app
from tests.conftest import snapshot
from workers.config import Settings
from workers.policy import Policy


def test_json_submission_is_stored_queued_and_located(post, client, auth, connection):
    response = post("Hello, world.")
    assert response.status_code == 202
    body = response.get_json()
    assert body["status"] == "queued"
    assert response.headers["Location"] == f"/api/v1/comments/{body['id']}"
    resource = client.get(response.headers["Location"], headers=auth).get_json()
    assert resource["status"] == "queued"
    assert resource["thread_id"] == "2025/07/china-proposes-global-ai-body"
    assert connection.llen("rq:queue:commentgate-moderation") == 1


def test_wordpress_form_is_accepted_with_its_own_field_names(client, auth, rt, site):
    form = {
        "comment_post_ID": "42",
        "comment_parent": "0",
        "author": "Ada",
        "email": "ada@example.org",
        "url": "https://example.org",
        "comment": "Relayed from the comment form.",
        "user_ip": "203.0.113.9",
        "user_agent": "Mozilla/5.0",
        "referrer": "https://news.example/42",
        "submit": "Post Comment",
        "akismet_comment_nonce": "abc",
    }
    response = client.post(
        "/api/v1/comments",
        data=urlencode(form),
        headers={**auth, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 202
    comment = rt.comments.get(response.get_json()["id"])
    assert comment.thread_id == "42"
    assert comment.parent_id is None
    assert comment.author.name == "Ada"
    assert comment.client.ip == "203.0.113.9"
    assert comment.body == "Relayed from the comment form."


def test_form_errors_use_wordpress_names(client, auth, connection):
    before = snapshot(connection)
    form = {
        "comment_post_ID": "42",
        "author": "Ada",
        "email": "not-an-email",
        "comment": "x",
        "url": "javascript:alert(1)",
    }
    response = client.post(
        "/api/v1/comments", data=urlencode(form), headers={**auth, "Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 400
    fields = {e["field"] for e in response.get_json()["errors"]}
    assert fields == {"email", "url"}
    assert snapshot(connection) == before


def test_wrong_content_type_is_415_and_changes_nothing(client, auth, connection):
    before = snapshot(connection)
    response = client.post("/api/v1/comments", data="hello", headers={**auth, "Content-Type": "text/plain"})
    assert response.status_code == 415
    assert response.mimetype == "application/problem+json"
    assert snapshot(connection) == before


def test_unparseable_json_is_400(client, auth, connection):
    before = snapshot(connection)
    response = client.post("/api/v1/comments", data=b"{not json", headers={**auth, "Content-Type": "application/json"})
    assert response.status_code == 400
    problem = response.get_json()
    assert problem["status"] == 400 and problem["errors"][0]["field"] == "body"
    assert snapshot(connection) == before


def test_invalid_fields_are_listed_with_dotted_names(post, connection):
    before = snapshot(connection)
    response = post(
        "x",
        author={"name": "", "email": "nope", "url": "javascript:alert(1)"},
        client={"ip": "999.1.1.1"},
        extra_field=1,
    )
    assert response.status_code == 400
    fields = {e["field"] for e in response.get_json()["errors"]}
    assert {"author.email", "author.url", "client.ip", "extra_field"} <= fields
    assert snapshot(connection) == before


def test_required_name_and_email_follow_the_policy(post, rt, site, connection):
    before = snapshot(connection)
    response = post("Anonymous thoughts", author={})
    assert response.status_code == 400
    assert {e["field"] for e in response.get_json()["errors"]} == {"author.name", "author.email"}
    assert snapshot(connection) == before
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=0, require_name=False, require_email=False))
    accepted = post("Anonymous thoughts", author={})
    assert accepted.status_code == 202
    stored = rt.comments.get(accepted.get_json()["id"])
    assert (stored.author.name, stored.author.email, stored.body) == ("", "", "Anonymous thoughts")


def test_javascript_author_url_is_400(post, connection):
    before = snapshot(connection)
    response = post("hi", author={"name": "A", "email": "a@example.org", "url": "javascript:alert(1)"})
    assert response.status_code == 400
    assert response.get_json()["errors"] == [{"field": "author.url", "message": "must be an http or https URL"}]
    assert snapshot(connection) == before


def test_control_characters_are_400_naming_the_field(post, connection):
    before = snapshot(connection)
    response = post("bell \x07 here")
    assert response.status_code == 400
    assert response.get_json()["errors"] == [{"field": "body", "message": "contains control characters"}]
    assert snapshot(connection) == before


def test_tabs_and_newlines_are_fine(post, rt, work, client, site):
    body = "line one\r\n\tline two\n"
    response = post(body)
    assert response.status_code == 202
    assert rt.comments.get(response.get_json()["id"]).body == body
    work()
    listing = client.get(
        f"/api/v1/sites/{site.site_id}/threads/2025%2F07%2Fchina-proposes-global-ai-body/comments"
    ).get_json()
    assert [item["body"] for item in listing["items"]] == [body]


def test_invalid_utf8_is_400_naming_the_field(client, auth, connection):
    before = snapshot(connection)
    raw = b'{"thread_id": "t", "author": {"name": "Ada\xff", "email": "a@example.org"}, "body": "ok"}'
    response = client.post("/api/v1/comments", data=raw, headers={**auth, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["errors"] == [{"field": "author.name", "message": "is not valid UTF-8"}]
    form = b"comment_post_ID=1&author=Ada&email=a%40example.org&comment=bad%FFbyte"
    response = client.post(
        "/api/v1/comments", data=form, headers={**auth, "Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 400
    assert response.get_json()["errors"] == [{"field": "comment", "message": "is not valid UTF-8"}]
    assert snapshot(connection) == before


def test_body_over_one_mebibyte_is_413(client, auth, connection):
    before = snapshot(connection)
    big = b'{"body": "' + b"a" * (1024 * 1024) + b'"}'
    response = client.post("/api/v1/comments", data=big, headers={**auth, "Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert snapshot(connection) == before


def test_missing_or_unknown_key_is_401(client, connection):
    before = snapshot(connection)
    payload = {"thread_id": "t", "body": "hi", "author": {"name": "A", "email": "a@example.org"}}
    assert client.post("/api/v1/comments", json=payload).status_code == 401
    response = client.post("/api/v1/comments", json=payload, headers={"Authorization": "Bearer cgk_wrong"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert snapshot(connection) == before


def test_another_sites_comment_is_404(post, client, rt):
    comment_id = post("mine").get_json()["id"]
    other = rt.sites.create("other")
    response = client.get(f"/api/v1/comments/{comment_id}", headers={"Authorization": f"Bearer {other.key}"})
    assert response.status_code == 404
    missing = client.get("/api/v1/comments/doesnotexist", headers={"Authorization": f"Bearer {other.key}"})
    assert missing.get_json() == response.get_json()  # never reveal that it exists


def test_reply_to_missing_parent_is_400(post, connection):
    before = snapshot(connection)
    response = post("a reply", parent_id="0123456789abcdef")
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["field"] == "parent_id"
    assert snapshot(connection) == before


def test_reply_to_a_comment_of_another_thread_is_400(post, rt, connection):
    parent = post("parent", thread_id="thread-a").get_json()["id"]
    before = snapshot(connection)
    refused = post("reply", thread_id="thread-b", parent_id=parent)
    assert refused.status_code == 400
    assert refused.get_json()["errors"][0]["field"] == "parent_id"
    assert snapshot(connection) == before
    accepted = post("reply", thread_id="thread-a", parent_id=parent)
    assert accepted.status_code == 202
    assert rt.comments.get(accepted.get_json()["id"]).parent_id == parent


def test_idempotency_key_replays_the_first_answer(post, connection):
    same = {"author": {"name": "Ada", "email": "ada@example.org"}, "client": {"ip": "203.0.113.50"}}
    first = post("Once only", headers={"Idempotency-Key": "abc-1"}, **same)
    before = snapshot(connection)
    again = post("Once only", headers={"Idempotency-Key": "abc-1"}, **same)
    assert again.status_code == 202
    assert again.get_json()["id"] == first.get_json()["id"]
    assert again.headers["Location"] == first.headers["Location"]
    assert connection.llen("rq:queue:commentgate-moderation") == 1
    assert snapshot(connection) == before


def test_idempotency_key_with_a_different_body_is_422(client, auth, connection):
    payload = {"thread_id": "t", "body": "first", "author": {"name": "A", "email": "a@example.org"}}
    headers = {**auth, "Idempotency-Key": "k-2"}
    assert client.post("/api/v1/comments", json=payload, headers=headers).status_code == 202
    before = snapshot(connection)
    response = client.post("/api/v1/comments", json={**payload, "body": "second"}, headers=headers)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert snapshot(connection) == before


def test_flood_is_429_with_retry_after(post, rt, site, connection):
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=15))
    client_info = {"ip": "198.51.100.1"}
    assert post("first", client=client_info).status_code == 202
    before = snapshot(connection)
    response = post("second", client=client_info)
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 15
    assert response.get_json()["detail"] == "You are posting comments too quickly. Slow down."
    assert snapshot(connection) == before
    assert post("from elsewhere", client={"ip": "198.51.100.2"}).status_code == 202


def test_idempotent_replay_is_not_flood_limited(post, rt, site):
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=15))
    same = {"author": {"name": "Ada", "email": "ada@example.org"}, "client": {"ip": "198.51.100.7"}}
    first = post("retry me", headers={"Idempotency-Key": "net-retry"}, **same)
    again = post("retry me", headers={"Idempotency-Key": "net-retry"}, **same)
    assert again.status_code == 202
    assert again.get_json()["id"] == first.get_json()["id"]


def test_redis_unreachable_is_503_and_nothing_is_written(settings, site, connection):
    dead = Settings(**{**settings.__dict__, "redis_url": "redis://127.0.0.1:1/0"})
    app = create_app({"TESTING": True, "SETTINGS": dead})
    before = snapshot(connection)
    response = app.test_client().post(
        "/api/v1/comments",
        json={"thread_id": "t", "body": "hi", "author": {"name": "A", "email": "a@example.org"}},
        headers={"Authorization": f"Bearer {site.key}"},
    )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.mimetype == "application/problem+json"
    assert snapshot(Redis.from_url(settings.redis_url)) == before
