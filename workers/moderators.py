"""Moderator accounts: e-mail, role, sites, a password hashed with Argon2id, and an optional API token.

Passwords are hashed with argon2-cffi's `PasswordHasher` (Argon2id, memory-hard: the library's
RFC 9106 low-memory profile). API tokens are 256-bit random strings stored only as SHA-256 digests,
as site keys are: a slow hash adds nothing for random secrets.
"""

from __future__ import annotations

import functools
import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from redis import Redis
from redis.exceptions import WatchError

from .keys import Keys
from .store import decode

TOKEN_PREFIX = "cgm_"  # noqa: S105 - tells a moderator token from a site key at a glance
_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the e-mail is unknown, so an unknown account costs as long as a wrong password."""
    return _hasher.hash(secrets.token_urlsafe(16))


class Role(StrEnum):
    MODERATOR = "moderator"  # sees and acts on the sites they are given
    ADMIN = "admin"  # sees and acts on every site


class ModeratorExists(Exception):
    """An account with that e-mail exists already."""


class UnknownModerator(Exception):
    """No account has that e-mail (or id)."""


@dataclass(frozen=True)
class Moderator:
    """A person who moderates: what every moderation route checks before it reads or changes anything."""

    id: str
    email: str
    role: Role
    sites: frozenset[str] = field(default_factory=frozenset)

    @property
    def actor(self) -> str:
        """How audit entries name this moderator: by id, so changing the e-mail keeps the log true."""
        return f"moderator:{self.id}"

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def may_moderate(self, site_id: str) -> bool:
        """An admin moderates every site; a moderator only the sites they were given."""
        return self.is_admin or site_id in self.sites

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "email": self.email, "role": self.role.value, "sites": sorted(self.sites)}


def normalize_login(email: str) -> str:
    """E-mail as accounts are looked up: trimmed and lower-cased (no provider rules: it names an account)."""
    return email.strip().lower()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ModeratorStore:
    """Accounts in Redis: one hash per moderator, an index by e-mail, tokens by their digest."""

    def __init__(self, connection: Redis, keys: Keys | None = None) -> None:
        self.redis = connection
        self.keys = keys or Keys()

    # -- accounts ------------------------------------------------------------------------

    def add(
        self, email: str, role: Role, sites: frozenset[str] = frozenset(), password: str | None = None
    ) -> tuple[Moderator, str]:
        """Create an account; returns it and its password (the given one, or a generated one to print once)."""
        login = normalize_login(email)
        if not login or "@" not in login:
            raise ValueError("an e-mail address is required")
        password = password if password is not None else secrets.token_urlsafe(15)
        if len(password) < 12:
            raise ValueError("a password needs at least 12 characters")
        moderator = Moderator(id=f"mod_{secrets.token_hex(8)}", email=login, role=role, sites=frozenset(sites))
        if not self.redis.hsetnx(self.keys.moderators(), login, moderator.id):
            raise ModeratorExists(login)
        self.redis.hset(
            self.keys.moderator(moderator.id),
            mapping={
                "email": login,
                "role": role.value,
                "sites": json.dumps(sorted(sites)),
                "password": _hasher.hash(password),
                "created_at": repr(time.time()),
            },
        )
        return moderator, password

    def get(self, moderator_id: str) -> Moderator | None:
        """The account as it is now (role and sites re-read on every request, so changes apply at once)."""
        raw = self.redis.hmget(self.keys.moderator(moderator_id), ["email", "role", "sites"])
        if raw[0] is None:
            return None
        email, role, sites = (decode(v) for v in raw)
        return Moderator(id=moderator_id, email=email, role=Role(role), sites=frozenset(json.loads(sites or "[]")))

    def by_email(self, email: str) -> Moderator | None:
        moderator_id = self.redis.hget(self.keys.moderators(), normalize_login(email))
        return self.get(decode(moderator_id)) if moderator_id else None

    def all(self) -> list[Moderator]:
        ids = [decode(i) for i in self.redis.hvals(self.keys.moderators())]
        found = [self.get(i) for i in ids]
        return sorted((m for m in found if m is not None), key=lambda m: m.email)

    def remove(self, email: str) -> Moderator:
        """Delete the account and its token; its sessions end at their next request (the account is gone)."""
        moderator = self._require(email)
        token_hash = self.redis.hget(self.keys.moderator(moderator.id), "token")
        with self.redis.pipeline() as pipe:
            pipe.hdel(self.keys.moderators(), moderator.email)
            pipe.delete(self.keys.moderator(moderator.id))
            if token_hash:
                pipe.delete(self.keys.moderator_token(decode(token_hash)))
            pipe.execute()
        return moderator

    def set_role(self, email: str, role: Role, sites: frozenset[str]) -> Moderator:
        moderator = self._require(email)
        self.redis.hset(
            self.keys.moderator(moderator.id), mapping={"role": role.value, "sites": json.dumps(sorted(sites))}
        )
        return Moderator(id=moderator.id, email=moderator.email, role=role, sites=frozenset(sites))

    # -- passwords -----------------------------------------------------------------------

    def reset_password(self, email: str, password: str | None = None) -> str:
        """Set a new password (generated unless given) and return it; the account's sessions are ended by the caller."""
        moderator = self._require(email)
        password = password if password is not None else secrets.token_urlsafe(15)
        if len(password) < 12:
            raise ValueError("a password needs at least 12 characters")
        self.redis.hset(
            self.keys.moderator(moderator.id),
            mapping={"password": _hasher.hash(password), "password_changed_at": repr(time.time())},
        )
        return password

    def verify_password(self, email: str, password: str) -> Moderator | None:
        """The account when the password is right; None for a wrong password or an unknown e-mail alike."""
        moderator_id = self.redis.hget(self.keys.moderators(), normalize_login(email))
        stored = self.redis.hget(self.keys.moderator(decode(moderator_id)), "password") if moderator_id else None
        try:
            _hasher.verify(decode(stored) if stored else _dummy_hash(), password)
        except (VerificationError, InvalidHashError):
            return None
        if not stored:
            return None
        moderator = self.get(decode(moderator_id))
        if moderator is not None and _hasher.check_needs_rehash(decode(stored)):
            self._rehash(moderator.id, stored, password)
        return moderator

    def _rehash(self, moderator_id: str, checked: bytes, password: str) -> None:
        """Store the password under the hasher's current parameters, only if its hash is still the one checked:
        a reset that landed meanwhile must stand (a compare-and-set under WATCH)."""
        key = self.keys.moderator(moderator_id)
        with self.redis.pipeline() as pipe:
            try:
                pipe.watch(key)
                if pipe.hget(key, "password") != checked:
                    return
                pipe.multi()
                pipe.hset(key, "password", _hasher.hash(password))
                pipe.execute()
            except WatchError:
                return  # changed meanwhile: leave it; the next login rehashes

    def password_changed_at(self, moderator_id: str) -> float:
        """When the password was last reset (0 if never): sessions started before it are ended."""
        raw = self.redis.hget(self.keys.moderator(moderator_id), "password_changed_at")
        return float(decode(raw)) if raw else 0.0

    # -- API tokens ----------------------------------------------------------------------

    def issue_token(self, email: str) -> str:
        """A new API token for the account, replacing its old one; printed once, stored as a digest."""
        moderator = self._require(email)
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        old = self.redis.hget(self.keys.moderator(moderator.id), "token")
        with self.redis.pipeline() as pipe:
            if old:
                pipe.delete(self.keys.moderator_token(decode(old)))
            pipe.set(self.keys.moderator_token(_token_hash(token)), moderator.id)
            pipe.hset(self.keys.moderator(moderator.id), "token", _token_hash(token))
            pipe.execute()
        return token

    def revoke_token(self, email: str) -> bool:
        """Revoke the account's token; False when it had none."""
        moderator = self._require(email)
        old = self.redis.hget(self.keys.moderator(moderator.id), "token")
        if not old:
            return False
        with self.redis.pipeline() as pipe:
            pipe.delete(self.keys.moderator_token(decode(old)))
            pipe.hdel(self.keys.moderator(moderator.id), "token")
            pipe.execute()
        return True

    def by_token(self, token: str) -> Moderator | None:
        """The account a bearer token belongs to (looked up by digest, so no comparison leaks timing)."""
        if not token.startswith(TOKEN_PREFIX):
            return None
        moderator_id = self.redis.get(self.keys.moderator_token(_token_hash(token)))
        return self.get(decode(moderator_id)) if moderator_id else None

    def display_name(self, actor: str) -> str:
        """An audit actor as a person reads it: a moderator's e-mail, `pipeline`, or the id of a removed account."""
        if not actor.startswith("moderator:"):
            return actor
        moderator = self.get(actor.removeprefix("moderator:"))
        return moderator.email if moderator else actor

    def _require(self, email: str) -> Moderator:
        moderator = self.by_email(email)
        if moderator is None:
            raise UnknownModerator(normalize_login(email))
        return moderator


__all__ = ["Moderator", "ModeratorExists", "ModeratorStore", "Role", "UnknownModerator"]
