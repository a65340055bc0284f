"""The lockout: an (account, network) pair at a small limit, the account at a higher one, a /64 as one address."""

from __future__ import annotations

from tests.helpers.accounts import PASSWORD, post_login


def test_wrong_tries_from_elsewhere_do_not_lock_the_owner_out(client, moderator):
    for _ in range(5):
        assert post_login(client, moderator.email, "not the password", REMOTE_ADDR="203.0.113.9").status_code == 401
    assert post_login(client, moderator.email, PASSWORD, REMOTE_ADDR="203.0.113.9").status_code == 429
    assert post_login(client, moderator.email, PASSWORD, REMOTE_ADDR="198.51.100.50").status_code == 302


def test_a_distributed_guesser_is_stopped_by_the_accounts_overall_limit(client, rt, moderator, checks):
    limit = rt.settings.login_max_failures_per_account
    for n in range(limit):
        answer = post_login(client, moderator.email, "not the password", REMOTE_ADDR=f"10.{n // 250}.{n % 250}.1")
        assert answer.status_code == 401
    answer = post_login(client, moderator.email, PASSWORD, REMOTE_ADDR="198.51.100.50")
    assert answer.status_code == 429
    assert int(answer.headers["Retry-After"]) > 0
    assert len(checks) == limit


def test_addresses_in_one_ipv6_64_count_as_one(client, rt, moderator, checks):
    limit = rt.settings.login_max_failures_per_ip
    for n in range(limit):
        address = f"2001:db8:1:2::{n + 1:x}"
        assert post_login(client, f"guess{n}@example.org", "not the password", REMOTE_ADDR=address).status_code == 401
    answer = post_login(client, moderator.email, PASSWORD, REMOTE_ADDR="2001:db8:1:2:ffff::1")
    assert answer.status_code == 429
    assert len(checks) == limit
    assert post_login(client, moderator.email, PASSWORD, REMOTE_ADDR="2001:db8:1:3::1").status_code == 302
