"""After login the browser goes only to a page under /moderate/: never to another host, however `next` is spelled."""

from __future__ import annotations

import pytest

from tests.helpers.accounts import PASSWORD, log_in, post_login

HOSTILE = [
    "/\t/evil.example",
    "/\n/evil.example",
    "/ /evil.example",
    "//evil.example",
    "/\\evil.example",
    "https://evil.example/moderate/",
    "/moderate/\t/evil.example",
    "/api/v1/anything",
    "javascript:alert(1)",
]


@pytest.mark.parametrize("target", HOSTILE)
def test_login_form_sends_a_hostile_next_home(client, moderator, target):
    answer = post_login(client, moderator.email, PASSWORD, next_path=target)
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/moderate/"


@pytest.mark.parametrize("target", HOSTILE)
def test_a_logged_in_visit_to_the_login_page_sends_a_hostile_next_home(client, moderator, target):
    log_in(client, moderator.email, PASSWORD)
    answer = client.get("/moderate/login", query_string={"next": target})
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/moderate/"


def test_a_page_under_moderate_is_kept_with_its_query(client, moderator):
    answer = post_login(client, moderator.email, PASSWORD, next_path="/moderate/queue?site=s1&queue=held")
    assert answer.headers["Location"] == "/moderate/queue?site=s1&queue=held"
