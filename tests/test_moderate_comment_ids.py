"""A comment id that is not shaped like one (it would name another key, e.g. `<id>:audit`) is not found.

The ids below name real keys of a real held comment (its audit list and its reports hash), so a
route that put them into a key name unchecked would read the wrong type of value and fail with a 500.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis

from tests.conftest import snapshot
from tests.helpers.accounts import csrf_token, log_in
from tests.helpers.held_comments import held_comment
from workers.exceptions import UnknownComment
from workers.models import Comment, Status
from workers.moderators import Role
from workers.review_queue import read_item
from workers.runtime import Runtime
from workers.sites import NewSite

PASSWORD = "a long test password"
SUFFIXES = (":audit", ":reports")
NOT_FOUND = "There is no such comment or page among the sites you moderate."


@pytest.fixture
def reported(rt: Runtime, site: NewSite) -> Comment:
    """A held comment with a reader's report, so its `:audit` list and `:reports` hash both exist."""
    comment = held_comment(rt, site.site_id)
    rt.connection.hset(rt.keys.reports(comment.id), "d1", '{"reason": "spam", "note": "", "at": 1}')
    assert rt.connection.type(rt.keys.audit(comment.id)) == b"list"
    return comment


@pytest.fixture
def moderator_client(app: Flask, rt: Runtime, site: NewSite) -> FlaskClient:
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a server error is answered as a 500, as in production
    rt.moderators.add("ada@example.org", Role.MODERATOR, frozenset({site.site_id}), PASSWORD)
    return log_in(app.test_client(), "ada@example.org", PASSWORD)


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_read_item_of_an_id_naming_another_key_is_unknown(rt: Runtime, site: NewSite, reported: Comment, suffix: str):
    moderator = rt.moderators.add("bo@example.org", Role.ADMIN, frozenset())[0]
    with pytest.raises(UnknownComment):
        read_item(rt, moderator, reported.id + suffix)


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_comment_page_of_an_id_naming_another_key_is_the_not_found_page(
    moderator_client: FlaskClient, connection: Redis, reported: Comment, suffix: str
):
    csrf_token(moderator_client, "/moderate/")  # the session holds its CSRF token before the snapshot, as a desk's does
    before = snapshot(connection)
    answer = moderator_client.get(f"/moderate/comments/{reported.id}{suffix}")
    assert answer.status_code == 404
    assert answer.mimetype == "text/html" and NOT_FOUND in answer.text
    assert snapshot(connection) == before


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize("route", ["ban", "trust", "approve", "undo"])
def test_desk_action_on_an_id_naming_another_key_is_not_found_and_changes_nothing(
    moderator_client: FlaskClient, rt: Runtime, connection: Redis, reported: Comment, route: str, suffix: str
):
    token = csrf_token(moderator_client, "/moderate/")
    before = snapshot(connection)
    answer = moderator_client.post(
        f"/moderate/comments/{reported.id}{suffix}/{route}",
        json={"kind": "name"} if route == "ban" else {},
        headers={"X-CSRFToken": token},
    )
    assert answer.status_code == 404
    assert NOT_FOUND in answer.text
    assert snapshot(connection) == before
    stored = rt.comments.get(reported.id)
    assert stored is not None and stored.status is Status.HELD
