"""Author rules (bans by email, IP or name; trust by author key), and authors' history as the checks read it."""

from __future__ import annotations

import secrets

from redis import Redis
from redis.client import Pipeline

from .identity import author_id, author_key, identity_entry
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
        self._id_secret: bytes | None = None

    def id_of(self, site_id: str, key: str, client: Redis | Pipeline | None = None) -> str:
        """The author's pseudonymous id on the site ('' for an anonymous author): see `identity.author_id`.

        The secret is read once per process, through `client` when given (a pipeline in WATCH mode
        runs commands at once, so a decision needs no second connection).
        """
        if not key:
            return ""
        if self._id_secret is None:
            client = client if client is not None else self.redis
            name = self.keys.author_id_secret()
            # SET NX: the first process to need it makes it; every process then reads the same one.
            client.set(name, secrets.token_bytes(32), nx=True)
            self._id_secret = bytes(client.get(name))
        return author_id(self._id_secret, site_id, key)

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

    # -- reads queued on the caller's pipeline, so the checks' context is one round trip --

    def read_banned(self, pipe: Pipeline, site_id: str, entries: list[str]) -> None:
        """Queue whether each ban entry is banned (its result: one flag per entry)."""
        pipe.smismember(self.keys.banned(site_id), entries)

    def read_trusted(self, pipe: Pipeline, site_id: str, key: str) -> None:
        """Queue whether the author key is trusted (its result: a flag)."""
        pipe.sismember(self.keys.trusted(site_id), key)

    def read_history(self, pipe: Pipeline, site_id: str, author_id: str) -> None:
        """Queue the author's comments counted by status now (its result: published, held, rejected, raw).

        Every status change keeps these counts (`CommentStore.add_transition`), the pipeline's and a
        moderator's alike: an approved comment counts as published, a taken-down one no longer does.
        """
        pipe.hmget(self.keys.author_statuses(site_id, author_id), ["published", "held", "rejected"])
