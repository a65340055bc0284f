"""Sites: their keys (stored only hashed), webhook endpoint and policy."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from redis import Redis
from redis.client import Pipeline

from .exceptions import NoWebhook, UnknownSite
from .keys import Keys
from .policy import Policy, stored_policy
from .store import decode, decode_hash


def hash_key(key: str) -> str:
    """Site keys are 256-bit random tokens, so one SHA-256 is enough; no slow hash is needed."""
    return hashlib.sha256(key.encode()).hexdigest()


def new_site_key() -> str:
    return f"cgk_{secrets.token_urlsafe(32)}"


def new_webhook_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def new_generation() -> str:
    """The site's generation key gets a new one with every write to its hash: web processes that keep a
    site's key and policy in memory check it on each use. Random rather than counted, so a site restored
    from a backup (or made again) never repeats a generation some process still holds."""
    return secrets.token_hex(8)


@dataclass(frozen=True)
class KnownSite:
    """What authenticating a site key gives: its site, the key's hash, the policy, and the generation read with them."""

    site_id: str
    key_hash: str
    generation: str
    policy: Policy


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    webhook_url: str
    webhook_secret: str
    policy: Policy
    previous_webhook_secret: str = ""
    previous_secret_until: float = 0.0  # the previous secret also signs until then (a rotation's overlap)

    def signing_secrets(self, now: float) -> tuple[str, ...]:
        """The current secret, and the previous one while its overlap lasts."""
        if self.previous_webhook_secret and now < self.previous_secret_until:
            return (self.webhook_secret, self.previous_webhook_secret)
        return (self.webhook_secret,)


@dataclass(frozen=True)
class NewSite:
    """What creating a site returns once: the key and secret are not shown again."""

    site_id: str
    key: str
    webhook_secret: str | None


class SiteStore:
    def __init__(self, connection: Redis, keys: Keys | None = None) -> None:
        self.redis = connection
        self.keys = keys or Keys()

    def create(self, name: str, webhook_url: str = "") -> NewSite:
        site_id = f"site_{secrets.token_hex(6)}"
        key = new_site_key()
        secret = new_webhook_secret() if webhook_url else ""
        with self.redis.pipeline() as pipe:
            pipe.hset(
                self.keys.site(site_id),
                mapping={
                    "id": site_id,
                    "name": name,
                    "key_hash": hash_key(key),
                    "webhook_url": webhook_url,
                    "webhook_secret": secret,
                    "policy": Policy().model_dump_json(),
                    "created_at": repr(time.time()),
                },
            )
            pipe.set(self.keys.site_generation(site_id), new_generation())
            pipe.set(self.keys.site_key(hash_key(key)), site_id)
            pipe.sadd(self.keys.sites(), site_id)
            pipe.execute()
        return NewSite(site_id=site_id, key=key, webhook_secret=secret or None)

    def get(self, site_id: str) -> Site:
        raw = decode_hash(self.redis.hgetall(self.keys.site(site_id)))
        if not raw:
            raise UnknownSite(site_id)
        return Site(
            id=site_id,
            name=raw.get("name", ""),
            webhook_url=raw.get("webhook_url", ""),
            webhook_secret=raw.get("webhook_secret", ""),
            policy=stored_policy(raw.get("policy")),
            previous_webhook_secret=raw.get("previous_webhook_secret", ""),
            previous_secret_until=float(raw.get("previous_secret_until") or 0),
        )

    def webhook_url(self, site_id: str, client: Redis | Pipeline | None = None) -> str:
        """The site's webhook URL ("" for none); `client` may be a pipeline in WATCH mode, which reads at once.

        A transaction reads through its own pipeline: one connection, and the read is not queued in its MULTI.
        """
        return decode((client or self.redis).hget(self.keys.site(site_id), "webhook_url"))

    def exists(self, site_id: str) -> bool:
        return bool(self.redis.exists(self.keys.site(site_id)))

    def all_ids(self) -> list[str]:
        return sorted(decode(s) for s in self.redis.smembers(self.keys.sites()))

    def all(self) -> list[Site]:
        return [self.get(site_id) for site_id in self.all_ids()]

    def authenticate(self, key: str) -> str | None:
        """The site id a key belongs to, or None. The stored hash is compared in constant time."""
        known = self.known_site(hash_key(key))
        return known.site_id if known else None

    def known_site(self, digest: str) -> KnownSite | None:
        """The site whose key hashes to `digest`, with its policy and generation (two round trips), or None."""
        site_id = decode(self.redis.get(self.keys.site_key(digest)))
        if not site_id:
            return None
        with self.redis.pipeline(transaction=True) as pipe:  # the generation read with what it stands for
            pipe.hmget(self.keys.site(site_id), ["key_hash", "policy"])
            pipe.get(self.keys.site_generation(site_id))
            (stored, policy), generation = pipe.execute()
        if not hmac.compare_digest(decode(stored), digest):
            return None
        return KnownSite(site_id, digest, decode(generation), stored_policy(decode(policy) or None))

    def is_current(self, known: KnownSite) -> bool:
        """True while the key still names the site and the site is as it was read (one round trip)."""
        site_id, generation = self.redis.mget(
            self.keys.site_key(known.key_hash), self.keys.site_generation(known.site_id)
        )
        return decode(site_id) == known.site_id and decode(generation) == known.generation

    def rotate_key(self, site_id: str) -> str:
        """Give the site a new key; the old one stops working at once."""
        old = decode(self.redis.hget(self.keys.site(site_id), "key_hash"))
        if not old:
            raise UnknownSite(site_id)
        key = new_site_key()
        with self.redis.pipeline() as pipe:
            pipe.delete(self.keys.site_key(old))
            pipe.set(self.keys.site_key(hash_key(key)), site_id)
            pipe.hset(self.keys.site(site_id), "key_hash", hash_key(key))
            pipe.set(self.keys.site_generation(site_id), new_generation())
            pipe.execute()
        return key

    def set_webhook(self, site_id: str, url: str) -> str | None:
        """Set (or clear, with "") the webhook URL; returns the new secret a new URL gets.

        A new URL is a new receiver, so it gets a new secret and no older secret signs for it:
        whoever held the old secret (the old endpoint) cannot forge events to the new one.
        """
        key = self.keys.site(site_id)
        if not self.exists(site_id):
            raise UnknownSite(site_id)
        if url == decode(self.redis.hget(key, "webhook_url")) and (not url or self.redis.hget(key, "webhook_secret")):
            return None
        secret = new_webhook_secret() if url else ""
        with self.redis.pipeline() as pipe:
            pipe.hset(key, mapping={"webhook_url": url, "webhook_secret": secret})
            pipe.set(self.keys.site_generation(site_id), new_generation())
            pipe.hdel(key, "previous_webhook_secret", "previous_secret_until")
            pipe.execute()
        return secret or None

    def rotate_webhook_secret(self, site_id: str, overlap: float, now: float | None = None) -> str:
        """Give the site a new webhook secret; the old one also signs for `overlap` more seconds."""
        key = self.keys.site(site_id)
        new = new_webhook_secret()

        def swap(pipe: Pipeline) -> None:
            url, current = pipe.hmget(key, ["webhook_url", "webhook_secret"])
            if not pipe.exists(key):
                raise UnknownSite(site_id)
            if not decode(url) or not decode(current):
                raise NoWebhook(site_id)
            until = (time.time() if now is None else now) + overlap
            pipe.multi()
            pipe.hset(
                key,
                mapping={
                    "webhook_secret": new,
                    "previous_webhook_secret": decode(current),
                    "previous_secret_until": repr(until),
                },
            )
            pipe.set(self.keys.site_generation(site_id), new_generation())

        self.redis.transaction(swap, key)  # WATCH: two rotations at once cannot lose a secret
        return new

    def policy(self, site_id: str) -> Policy:
        return self.get(site_id).policy

    def set_policy(self, site_id: str, policy: Policy) -> None:
        if not self.exists(site_id):
            raise UnknownSite(site_id)
        with self.redis.pipeline() as pipe:
            pipe.hset(self.keys.site(site_id), "policy", policy.model_dump_json())
            pipe.set(self.keys.site_generation(site_id), new_generation())
            pipe.execute()
