"""Moderator accounts in Redis: hashed passwords, one answer for unknown e-mail and wrong password, tokens."""

from __future__ import annotations

import pytest

from workers.moderators import ModeratorExists, Role


def test_a_password_is_stored_only_as_an_argon2id_hash(rt, connection):
    moderator, password = rt.moderators.add("Desk@News.example", Role.MODERATOR, frozenset({"s1"}))
    stored = connection.hget(rt.keys.moderator(moderator.id), "password").decode()
    assert stored.startswith("$argon2id$")
    assert password not in stored
    assert all(password.encode() not in (connection.dump(k) or b"") for k in connection.scan_iter())
    assert rt.moderators.verify_password("desk@news.example", password) == moderator
    assert moderator.email == "desk@news.example" and moderator.sites == {"s1"}


def test_unknown_email_and_wrong_password_get_the_same_answer(rt):
    rt.moderators.add("desk@news.example", Role.ADMIN, password="correct horse battery")
    assert rt.moderators.verify_password("desk@news.example", "wrong password!") is None
    assert rt.moderators.verify_password("nobody@news.example", "correct horse battery") is None


def test_an_email_is_one_account(rt):
    rt.moderators.add("desk@news.example", Role.ADMIN)
    with pytest.raises(ModeratorExists):
        rt.moderators.add(" DESK@news.example ", Role.MODERATOR)


def test_a_token_names_its_moderator_until_revoked_or_replaced(rt, connection):
    moderator, _ = rt.moderators.add("desk@news.example", Role.MODERATOR, frozenset({"s1"}))
    first = rt.moderators.issue_token("desk@news.example")
    assert rt.moderators.by_token(first) == moderator
    assert all(first.encode() not in (connection.dump(k) or b"") for k in connection.scan_iter())
    second = rt.moderators.issue_token("desk@news.example")
    assert rt.moderators.by_token(first) is None
    assert rt.moderators.by_token(second) == moderator
    assert rt.moderators.revoke_token("desk@news.example") is True
    assert rt.moderators.by_token(second) is None


def test_a_removed_moderator_is_gone_with_their_token(rt):
    rt.moderators.add("desk@news.example", Role.MODERATOR)
    token = rt.moderators.issue_token("desk@news.example")
    rt.moderators.remove("desk@news.example")
    assert rt.moderators.by_token(token) is None
    assert rt.moderators.by_email("desk@news.example") is None


def test_a_moderator_moderates_their_sites_and_an_admin_every_site(rt):
    moderator, _ = rt.moderators.add("desk@news.example", Role.MODERATOR, frozenset({"s1"}))
    admin, _ = rt.moderators.add("chief@news.example", Role.ADMIN)
    assert moderator.may_moderate("s1") and not moderator.may_moderate("s2")
    assert admin.may_moderate("s2")
