"""Failed logins counted per account and per client IP, so guessing passwords is slow and stops.

Each count lives in Redis with an expiry of one window from its first failure. Over the limit a login
is refused before any password is checked; a successful login clears the account's count (not the
IP's: one right password must not unlock guessing at other accounts from the same address).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from redis import Redis

from .config import Settings
from .keys import Keys
from .moderators import normalize_login


def _digest(value: str) -> str:
    """Keys name an account or address by digest: the key space holds no e-mail addresses."""
    return hashlib.sha256(value.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class LoginLimits:
    """The lockout: `locked_for` before a password is checked, `failed` after a wrong one, `succeeded` after."""

    connection: Redis
    keys: Keys
    settings: Settings

    def _account(self, email: str) -> str:
        return self.keys.login_failures("account", _digest(normalize_login(email)))

    def _ip(self, ip: str) -> str:
        return self.keys.login_failures("ip", _digest(ip))

    def _limits(self, email: str, ip: str) -> list[tuple[str, int]]:
        return [
            (self._account(email), self.settings.login_max_failures_per_account),
            (self._ip(ip), self.settings.login_max_failures_per_ip),
        ]

    def locked_for(self, email: str, ip: str) -> int:
        """Seconds until this account or address may try again; 0 when it may try now."""
        limits = self._limits(email, ip)
        with self.connection.pipeline(transaction=False) as pipe:
            for key, _ in limits:
                pipe.get(key)
                pipe.ttl(key)
            replies = pipe.execute()
        wait = 0
        for (_, limit), count, ttl in zip(limits, replies[::2], replies[1::2], strict=True):
            if limit > 0 and count is not None and int(count) >= limit:
                # A key without expiry cannot happen (set in one MULTI); be safe and wait a window.
                wait = max(wait, int(ttl) if int(ttl) > 0 else self.settings.login_window_seconds)
        return wait

    def failed(self, email: str, ip: str) -> None:
        """Count a wrong password (or an unknown e-mail: the same) against the account and the address."""
        with self.connection.pipeline() as pipe:
            for key, _ in self._limits(email, ip):
                pipe.incr(key)
                pipe.expire(key, self.settings.login_window_seconds, nx=True)
            pipe.execute()

    def succeeded(self, email: str) -> None:
        self.connection.delete(self._account(email))
