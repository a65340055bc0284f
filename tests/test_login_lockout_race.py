"""Concurrent logins cannot get past the lockout: each attempt is counted before its password is checked."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

from service import create_app
from tests.helpers.accounts import PASSWORD, csrf_token
from workers.moderators import ModeratorStore

ATTEMPTS = 15
DEADLINE = 60.0
PAIR_LIMIT = 5  # the default: wrong passwords for one account from one address within the window


class HeldChecks:
    """Password checks that wait until every attempt has either reached a check or been answered."""

    def __init__(self, attempts: int) -> None:
        self.attempts = attempts
        self.checked = 0
        self.answered = 0
        self.lock = threading.Condition()

    def _all_in(self) -> bool:
        return self.checked + self.answered >= self.attempts

    def enter(self) -> None:
        with self.lock:
            self.checked += 1
            self.lock.notify_all()
            # Every concurrent attempt has had its chance at the lockout before any check finishes.
            assert self.lock.wait_for(self._all_in, timeout=DEADLINE)

    def answer(self) -> None:
        with self.lock:
            self.answered += 1
            self.lock.notify_all()


def _race(app, monkeypatch, email: str, passwords: list[str], addresses: list[str]) -> tuple[list[int], int]:
    held = HeldChecks(len(passwords))
    verify = ModeratorStore.verify_password

    def checked(self, email, password):
        held.enter()
        return verify(self, email, password)

    monkeypatch.setattr(ModeratorStore, "verify_password", checked)
    clients = [app.test_client() for _ in passwords]
    tokens = [csrf_token(c) for c in clients]
    codes = [0] * len(passwords)

    def attempt(i: int) -> None:
        form = {"email": email, "password": passwords[i], "csrf_token": tokens[i], "next": ""}
        answer = clients[i].post("/moderate/login", data=form, environ_base={"REMOTE_ADDR": addresses[i]})
        codes[i] = answer.status_code
        if answer.status_code == 429:
            held.answer()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(passwords))]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + DEADLINE
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads)
    return codes, held.checked


def test_concurrent_guesses_from_one_address_check_at_most_the_limit(app, rt, moderator, monkeypatch):
    passwords = [f"guess number {i:04d}" for i in range(ATTEMPTS - 1)] + [PASSWORD]
    codes, checked = _race(app, monkeypatch, moderator.email, passwords, ["198.51.100.7"] * ATTEMPTS)
    assert checked == PAIR_LIMIT
    assert codes.count(429) == ATTEMPTS - PAIR_LIMIT


def test_concurrent_guesses_from_many_addresses_check_at_most_the_accounts_limit(rt, settings, moderator, monkeypatch):
    app = create_app({"TESTING": True, "SETTINGS": replace(settings, login_max_failures_per_account=8)})
    passwords = [f"guess number {i:04d}" for i in range(ATTEMPTS)]
    addresses = [f"198.51.100.{i + 1}" for i in range(ATTEMPTS)]
    codes, checked = _race(app, monkeypatch, moderator.email, passwords, addresses)
    assert checked == 8
    assert sorted(codes) == [401] * 8 + [429] * (ATTEMPTS - 8)
