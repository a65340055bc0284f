"""Author rules a moderator or operator sets: bans (by email, IP or name) and trust (by author key)."""

from __future__ import annotations

from redis import Redis

from .identity import author_key, identity_entry
from .keys import Keys
from .store import decode

__all__ = ["BAN_KINDS", "AuthorRules", "author_key", "normalize_ban"]

BAN_KINDS = ("email", "ip", "name")


def normalize_ban(kind: str, value: str) -> str:
    """`kind:value` as the author check compares it (see `identity`): a ban covers an address's variants."""
    if kind not in BAN_KINDS:
        raise ValueError(f"ban by one of {', '.join(BAN_KINDS)}, not {kind!r}")
    entry = identity_entry(kind, value)
    if not entry:
        raise ValueError(f"an empty {kind} cannot be banned")
    return entry


class AuthorRules:
    def __init__(self, connection: Redis, keys: Keys | None = None) -> None:
        self.redis = connection
        self.keys = keys or Keys()

    def ban(self, site_id: str, kind: str, value: str) -> str:
        entry = normalize_ban(kind, value)
        self.redis.sadd(self.keys.banned(site_id), entry)
        return entry

    def unban(self, site_id: str, kind: str, value: str) -> bool:
        return bool(self.redis.srem(self.keys.banned(site_id), normalize_ban(kind, value)))

    def trust(self, site_id: str, key: str) -> None:
        self.redis.sadd(self.keys.trusted(site_id), key)

    def untrust(self, site_id: str, key: str) -> bool:
        return bool(self.redis.srem(self.keys.trusted(site_id), key))

    def bans(self, site_id: str) -> list[str]:
        return sorted(decode(b) for b in self.redis.smembers(self.keys.banned(site_id)))

    def trusted(self, site_id: str) -> list[str]:
        return sorted(decode(t) for t in self.redis.smembers(self.keys.trusted(site_id)))
