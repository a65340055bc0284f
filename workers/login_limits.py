"""Login attempts counted per (account, address), per account and per address, so guessing is slow and stops.

Each attempt is counted BEFORE its password is checked, in one script with the check of the limits, so
concurrent attempts cannot all pass a check made before any of them was counted. Over a limit a login is
refused and nothing is counted. The small limit is per (account, client network) pair: a few wrong tries
from elsewhere do not lock the owner out; a higher limit per account stops a guesser spread over many
addresses (and so, at that many failures in one window, locks the owner out too), and one per network
stops one address guessing across accounts. A network is an IPv4 address or an IPv6 /64
(`normalize_ip`): rotating addresses inside one /64 gains nothing. A successful login is no failure: it
clears its pair's count and takes itself back off the other two.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from redis import Redis

from .config import Settings
from .identity import normalize_ip
from .keys import Keys
from .moderators import normalize_login

# KEYS: the counters; ARGV[1]: the window in seconds, ARGV[1 + i]: the limit of KEYS[i] (0: none).
# Returns 0 when the attempt was counted, else the seconds until the fullest counter expires.
_ATTEMPT = """
local wait = 0
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[i + 1])
  if limit > 0 and tonumber(redis.call('GET', key) or '0') >= limit then
    local ttl = redis.call('TTL', key)
    if ttl <= 0 then ttl = tonumber(ARGV[1]) end
    if ttl > wait then wait = ttl end
  end
end
if wait > 0 then return wait end
for _, key in ipairs(KEYS) do
  redis.call('INCR', key)
  redis.call('EXPIRE', key, ARGV[1], 'NX')
end
return 0
"""

# KEYS[1]: the pair's counter (deleted); KEYS[2..]: counters the attempt is taken back off. DECR keeps
# a key's expiry; a key that has expired meanwhile is left absent (never recreated without one).
_SUCCEEDED = """
redis.call('DEL', KEYS[1])
for i = 2, #KEYS do
  if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then redis.call('DECR', KEYS[i]) end
end
return 0
"""


def _digest(value: str) -> str:
    """Keys name an account or address by digest: the key space holds no e-mail addresses."""
    return hashlib.sha256(value.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class LoginLimits:
    """The lockout: `attempt` before a password is checked (0 or seconds to wait), `succeeded` after a right one."""

    connection: Redis
    keys: Keys
    settings: Settings

    def _pair(self, email: str, ip: str) -> str:
        return self.keys.login_failures("account-ip", _digest(f"{normalize_login(email)}\n{normalize_ip(ip)}"))

    def _account(self, email: str) -> str:
        return self.keys.login_failures("account", _digest(normalize_login(email)))

    def _ip(self, ip: str) -> str:
        return self.keys.login_failures("ip", _digest(normalize_ip(ip)))

    def attempt(self, email: str, ip: str) -> int:
        """Count this attempt and return 0, or the seconds to wait when a limit is reached (nothing counted)."""
        limits = [
            (self._pair(email, ip), self.settings.login_max_failures_per_account_ip),
            (self._account(email), self.settings.login_max_failures_per_account),
            (self._ip(ip), self.settings.login_max_failures_per_ip),
        ]
        keys = [key for key, _ in limits]
        args = [self.settings.login_window_seconds, *(max(0, limit) for _, limit in limits)]
        return int(self.connection.eval(_ATTEMPT, len(keys), *keys, *args))

    def succeeded(self, email: str, ip: str) -> None:
        """The password was right: the pair may start afresh, and the attempt was no failure."""
        keys = [self._pair(email, ip), self._account(email), self._ip(ip)]
        self.connection.eval(_SUCCEEDED, len(keys), *keys)
