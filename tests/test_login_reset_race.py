"""A password reset that lands while a login with the old password is being checked ends that login's session."""

from __future__ import annotations

import pytest

from tests.helpers.accounts import log_in, post_login
from workers.moderators import ModeratorStore, Role

OLD = "the old leaked password"
NEW = "a brand new password"


@pytest.fixture
def moderator(rt, site):
    moderator, _ = rt.moderators.add("ada@example.org", Role.MODERATOR, frozenset({site.site_id}), OLD)
    return moderator


def test_a_reset_during_the_password_check_ends_the_new_session(client, rt, moderator, monkeypatch):
    verify = ModeratorStore.verify_password

    def reset_lands_meanwhile(self, email, password):
        found = verify(self, email, password)  # the old password checked against the old hash...
        rt.moderators.reset_password(email, NEW)  # ...and the admin's reset lands before the session starts
        return found

    monkeypatch.setattr(ModeratorStore, "verify_password", reset_lands_meanwhile)
    post_login(client, moderator.email, OLD)

    answer = client.get("/moderate/account")

    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/moderate/login")
    assert moderator.email not in client.get("/moderate/account", follow_redirects=True).text


def test_a_login_after_the_reset_with_the_new_password_stays(client, rt, moderator):
    rt.moderators.reset_password(moderator.email, NEW)
    log_in(client, moderator.email, NEW)
    assert moderator.email in client.get("/moderate/account").text
    assert moderator.email in client.get("/moderate/account").text


def test_a_reset_after_login_ends_the_session(client, rt, moderator):
    log_in(client, moderator.email, OLD)
    assert client.get("/moderate/account").status_code == 200
    rt.moderators.reset_password(moderator.email, NEW)
    assert client.get("/moderate/account").status_code == 302
