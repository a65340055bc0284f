"""Every list and number of a policy is bounded: a PUT past a bound is a 400 naming the field, and changes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import snapshot
from workers.policy import Policy

KEYS_MAX = 10_000
KEY_LENGTH_MAX = 100
WORDS_MAX = 200  # extra words and tier moves: each adds to the site's own compiled word list
ALLOWED_WORDS_MAX = 1000
WORD_LENGTH_MAX = 50
THREADS_MAX = 10_000
THREAD_ID_LENGTH_MAX = 500
DUPLICATE_SECONDS_MAX = 365 * 86400
SPAM_MIN_TRAINING_MAX = 1_000_000


def many(count: int, prefix: str = "k") -> list[str]:
    return [f"{prefix}{i}" for i in range(count)]


TOO_LARGE: list[tuple[str, Any]] = [
    ("disallowed_keys", many(KEYS_MAX + 1)),
    ("disallowed_keys", ["x" * (KEY_LENGTH_MAX + 1)]),
    ("moderation_keys", many(KEYS_MAX + 1)),
    ("moderation_keys", ["x" * (KEY_LENGTH_MAX + 1)]),
    ("profanity_extra_words", many(WORDS_MAX + 1)),
    ("profanity_extra_words", ["x" * (WORD_LENGTH_MAX + 1)]),
    ("profanity_allowed_words", many(ALLOWED_WORDS_MAX + 1)),
    ("profanity_allowed_words", ["x" * (WORD_LENGTH_MAX + 1)]),
    ("profanity_tiers", dict.fromkeys(many(WORDS_MAX + 1), "mild")),
    ("profanity_tiers", {"x" * (WORD_LENGTH_MAX + 1): "mild"}),
    ("closed_threads", many(THREADS_MAX + 1, "t")),
    ("closed_threads", ["t" * (THREAD_ID_LENGTH_MAX + 1)]),
    ("duplicate_seconds", 10**20),
    ("duplicate_seconds", DUPLICATE_SECONDS_MAX + 1),
    ("spam_min_training", SPAM_MIN_TRAINING_MAX + 1),
    ("max_links", 1001),
    ("flood_seconds", 86401),
    ("new_commenter_premoderation", 1001),
    ("spam_hold", 1.5),
    ("spam_reject", 2),
]


@pytest.mark.parametrize(("field", "value"), TOO_LARGE, ids=lambda v: v if isinstance(v, str) else None)
def test_a_value_past_its_bound_is_refused_naming_the_field_and_changes_nothing(
    client, auth, site, rt, connection, field, value
):
    url = f"/api/v1/sites/{site.site_id}/policy"
    client.put(url, json={"disallowed_keys": ["casino"], "duplicate_seconds": 60}, headers=auth)
    before_policy = rt.sites.policy(site.site_id)
    before = snapshot(connection)
    response = client.put(url, json={field: value}, headers=auth)
    assert response.status_code == 400, response.get_json()
    fields = {e["field"] for e in response.get_json()["errors"]}
    assert fields and all(f == field or f.startswith(f"{field}.") for f in fields), fields
    assert snapshot(connection) == before
    assert rt.sites.policy(site.site_id) == before_policy


def test_a_key_with_a_control_character_is_refused(client, auth, site, connection):
    before = snapshot(connection)
    response = client.put(
        f"/api/v1/sites/{site.site_id}/policy", json={"disallowed_keys": ["ok", "a\x00b"]}, headers=auth
    )
    assert response.status_code == 400
    assert [e["field"] for e in response.get_json()["errors"]] == ["disallowed_keys.1"]
    assert snapshot(connection) == before


def test_a_policy_at_every_bound_is_accepted_and_stored(client, auth, site, rt):
    at_bounds = {
        "disallowed_keys": [*many(KEYS_MAX - 1), "x" * KEY_LENGTH_MAX],
        "moderation_keys": [*many(KEYS_MAX - 1, "m"), "y" * KEY_LENGTH_MAX],
        "profanity_extra_words": [*many(WORDS_MAX - 1, "e"), "e" * WORD_LENGTH_MAX],
        "profanity_allowed_words": [*many(ALLOWED_WORDS_MAX - 1, "a"), "a" * WORD_LENGTH_MAX],
        "profanity_tiers": dict.fromkeys([*many(WORDS_MAX - 1, "w"), "w" * WORD_LENGTH_MAX], "mild"),
        "closed_threads": [*many(THREADS_MAX - 1, "t"), "t" * THREAD_ID_LENGTH_MAX],
        "duplicate_seconds": DUPLICATE_SECONDS_MAX,
        "spam_min_training": SPAM_MIN_TRAINING_MAX,
        "max_links": 1000,
        "flood_seconds": 86400,
        "new_commenter_premoderation": 1000,
    }
    response = client.put(f"/api/v1/sites/{site.site_id}/policy", json=at_bounds, headers=auth)
    assert response.status_code == 200, response.get_json()
    assert rt.sites.policy(site.site_id) == Policy.model_validate(at_bounds)
    assert len(rt.sites.policy(site.site_id).disallowed_keys) == KEYS_MAX


def test_the_longest_duplicate_window_still_decides_comments(post, work, client, auth, site, rt):
    client.put(
        f"/api/v1/sites/{site.site_id}/policy",
        json={"duplicate_seconds": DUPLICATE_SECONDS_MAX, "flood_seconds": 0},
        headers=auth,
    )
    first = post("The same words twice.", author={"name": "Ada", "email": "ada@example.org"}).get_json()["id"]
    again = post("The same words twice.", author={"name": "Ada", "email": "ada@example.org"}).get_json()["id"]
    work()
    assert rt.comments.get(first).status.value == "published"
    second = rt.comments.get(again)
    assert second.status.value == "rejected" and second.reasons == ("spam.duplicate",)


def test_a_policy_stored_before_the_bounds_is_brought_within_them_and_the_site_keeps_working(
    post, work, client, auth, site, rt, connection
):
    stored = {
        "flood_seconds": 0,
        "disallowed_keys": ["casino", *many(KEYS_MAX + 5), "x" * (KEY_LENGTH_MAX + 1)],
        "duplicate_seconds": 10**20,
        "premoderation": True,
    }
    connection.hset(rt.keys.site(site.site_id), "policy", json.dumps(stored))

    shown = client.get(f"/api/v1/sites/{site.site_id}/policy", headers=auth)
    assert shown.status_code == 200
    policy = shown.get_json()
    assert policy["disallowed_keys"] == ["casino", *many(KEYS_MAX - 1)]  # cut at the bound, too long dropped
    assert policy["duplicate_seconds"] == 86400  # past its bound: the default
    assert policy["premoderation"] is True and policy["flood_seconds"] == 0  # the rest as stored

    casino = post("Best casino bonus").get_json()["id"]
    clean = post("A fine article.").get_json()["id"]
    work()
    assert rt.comments.get(casino).reasons == ("spam.disallowed_key",)
    assert rt.comments.get(clean).reasons == ("policy.premoderation",)
