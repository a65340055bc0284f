"""Ids, cursors and request bodies that once answered 500: each is a clear 400 (or 404) that changes nothing."""

from __future__ import annotations

import pytest

from tests.conftest import snapshot
from tests.helpers.api import LISTING, THREAD, errors_of


@pytest.mark.parametrize(
    "after", ["\u0661", "\u0661\u0662-\u0663", "12345678901234567890", "1-12345678901234567890", "1-", "-1", "1-2-3"]
)
def test_an_events_cursor_that_is_not_a_stream_position_is_400(client, auth, site, connection, after):
    before = snapshot(connection)
    response = client.get(f"/api/v1/sites/{site.site_id}/events", query_string={"after": after}, headers=auth)
    assert errors_of(response) == {"after": "must be a cursor from a previous page"}
    assert snapshot(connection) == before


def test_an_events_cursor_from_a_previous_page_still_works(post, work, client, auth, site):
    post("First.")
    post("Second.")
    work()
    first = client.get(f"/api/v1/sites/{site.site_id}/events?limit=1", headers=auth).get_json()
    rest = client.get(
        f"/api/v1/sites/{site.site_id}/events", query_string={"after": first["next_after"]}, headers=auth
    ).get_json()
    assert len(first["items"]) == 1 and len(rest["items"]) == 1
    assert rest["items"][0]["cursor"] > first["next_after"]


def test_a_comment_id_naming_another_key_is_400_not_a_redis_error(post, work, client, auth, connection):
    comment_id = post("Hello.").get_json()["id"]
    work()
    assert connection.exists(f"cg:comment:{comment_id}:audit")
    before = snapshot(connection)
    for bad in (f"{comment_id}:audit", "ABC", "x" * 65, "\u0661\u0662"):
        response = client.get(f"/api/v1/comments/{bad}", headers=auth)
        assert errors_of(response) == {"comment_id": "is not a comment id"}, bad
    assert snapshot(connection) == before


def test_a_parent_id_naming_another_key_is_400_and_changes_nothing(post, work, connection):
    parent = post("The parent.").get_json()["id"]
    work()
    before = snapshot(connection)
    response = post("A reply.", parent_id=f"{parent}:audit")
    assert errors_of(response) == {"parent_id": "is not a comment id"}
    assert snapshot(connection) == before


def test_a_form_parent_naming_another_key_is_400_with_the_form_name(post, work, client, auth, connection):
    parent = post("The parent.").get_json()["id"]
    work()
    before = snapshot(connection)
    response = client.post(
        "/api/v1/comments",
        data={"comment_post_ID": THREAD, "author": "Ada", "email": "a@example.org", "comment": "Hi",
              "comment_parent": f"{parent}:audit"},
        headers=auth,
    )  # fmt: skip
    assert errors_of(response) == {"comment_parent": "is not a comment id"}
    assert snapshot(connection) == before


def test_a_thread_cursor_that_is_not_a_comment_id_is_400(post, work, client, site, connection):
    post("One.")
    work()
    before = snapshot(connection)
    for bad in ("\u0661", "zz:audit", "A" * 10):
        response = client.get(LISTING.format(site=site.site_id), query_string={"cursor": bad})
        assert errors_of(response) == {"cursor": "must be a cursor from a previous page"}, bad
    assert snapshot(connection) == before


def test_a_site_id_naming_another_key_is_404_even_for_the_admin(post, work, client, site, connection):
    post("This is fucking absurd.")  # held, so the site's held sorted set exists
    work()
    other_key = f"{site.site_id}:held"
    assert connection.exists(f"cg:site:{other_key}")
    before = snapshot(connection)
    admin = {"Authorization": "Bearer test-admin-token"}
    for response in (
        client.get(f"/api/v1/sites/{other_key}/policy", headers=admin),
        client.get(f"/api/v1/sites/{other_key}/threads/t/comments"),
    ):
        assert response.status_code == 404
        assert response.get_json()["detail"] == "No such site."
    assert snapshot(connection) == before


def test_json_nested_deeper_than_python_can_parse_is_400_and_changes_nothing(client, auth, site, connection):
    before = snapshot(connection)
    deep = '{"thread_id": "t", "body": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = client.post("/api/v1/comments", data=deep, headers={**auth, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["title"] == "Unparseable body"
    assert "nested too deeply" in response.get_json()["detail"]
    policy = '{"closed_threads": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = client.put(
        f"/api/v1/sites/{site.site_id}/policy", data=policy, headers={**auth, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert snapshot(connection) == before


@pytest.mark.parametrize("field", ['"require_email": 0', '"premoderation": "false"', '"max_links": "5"'])
def test_a_policy_value_of_the_wrong_json_type_is_400_not_coerced(client, auth, site, rt, connection, field):
    before = snapshot(connection)
    response = client.put(
        f"/api/v1/sites/{site.site_id}/policy",
        data="{" + field + "}",
        headers={**auth, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert [e["field"] for e in response.get_json()["errors"]] == [field.split('"')[1]]
    assert snapshot(connection) == before
    assert rt.sites.policy(site.site_id).require_email is True


@pytest.mark.parametrize("limit", ["\u0665", "1_0", " 5", "+5", "0", "201", "abc"])
def test_a_page_limit_must_be_ascii_digits_in_range(client, site, limit):
    response = client.get(LISTING.format(site=site.site_id), query_string={"limit": limit})
    assert errors_of(response) == {"limit": "must be an integer from 1 to 200"}
