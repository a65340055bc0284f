"""The lockout: login attempts counted per account and client address; over the limit, 429 and no password check."""

from __future__ import annotations

from tests.conftest import snapshot
from tests.helpers.accounts import PASSWORD, alert, post_login

WINDOW = 900


def _fail(client, email: str, times: int, ip: str = "198.51.100.7") -> None:
    for _ in range(times):
        assert post_login(client, email, "not the password", REMOTE_ADDR=ip).status_code == 401


def test_the_sixth_try_on_an_account_is_refused_without_checking_the_password(client, moderator, checks, connection):
    _fail(client, moderator.email, 5)
    assert len(checks) == 5
    before = snapshot(connection)

    answer = post_login(client, moderator.email, PASSWORD, REMOTE_ADDR="198.51.100.7")  # even the right one

    assert answer.status_code == 429
    assert 0 < int(answer.headers["Retry-After"]) <= WINDOW
    assert alert(answer).startswith("Too many failed logins. Try again in 15 minute(s)")
    assert len(checks) == 5  # no password check at all
    assert snapshot(connection) == before
    assert client.get("/moderate/account").status_code == 302  # not logged in


def test_an_unknown_email_is_locked_out_alike(client, checks):
    _fail(client, "nobody@example.org", 5)
    answer = post_login(client, "nobody@example.org", "not the password", REMOTE_ADDR="198.51.100.7")
    assert answer.status_code == 429
    assert "Retry-After" in answer.headers


def test_one_address_is_locked_out_after_twenty_failures_across_accounts(client, moderator, checks):
    for n in range(20):
        _fail(client, f"guess{n}@example.org", 1, ip="198.51.100.7")
    answer = post_login(client, moderator.email, PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert answer.status_code == 429
    assert len(checks) == 20
    # The account itself is not locked: from elsewhere it logs in.
    assert post_login(client, moderator.email, PASSWORD, REMOTE_ADDR="203.0.113.5").status_code == 302


def test_a_successful_login_clears_the_accounts_count(client, moderator, app):
    _fail(client, moderator.email, 4)
    assert post_login(client, moderator.email, PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 302
    other = app.test_client()
    _fail(other, moderator.email, 4)  # 4 more from that address: would be 8 had the count stayed
    assert post_login(other, moderator.email, PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 302


def test_the_counts_expire_with_the_window(client, moderator, rt, connection):
    _fail(client, moderator.email, 5)
    keys = list(connection.scan_iter(match=rt.keys.login_failures("*", "*")))
    assert len(keys) == 3  # one for the account and address together, one for each alone
    assert all(0 < connection.ttl(k) <= WINDOW for k in keys)
    assert not any(b"ada" in k for k in keys)  # named by digest: no e-mail address in the key space
    for key in keys:
        connection.delete(key)  # as the expiry would
    assert post_login(client, moderator.email, PASSWORD).status_code == 302
