"""Accepting a comment: idempotency, flood control, then enqueue and store in one transaction."""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from dataclasses import asdict, dataclass

from redis.exceptions import WatchError

from .exceptions import Flooding, IdempotencyConflict, InvalidField
from .identity import identity_entry
from .models import Author, Client, Comment, Status
from .policy import Policy
from .runtime import Runtime
from .store import new_comment_id


@dataclass(frozen=True)
class Submission:
    """A comment as the edge accepted it, before it has an id."""

    thread_id: str
    body: str
    author: Author
    client: Client
    parent_id: str | None = None
    permalink: str = ""
    honeypot: str = ""

    def fingerprint(self) -> str:
        """Same content, same fingerprint, whether it came as JSON or as a form."""
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class Accepted:
    comment_id: str
    status: Status
    replayed: bool


def _replay(rt: Runtime, site_id: str, raw: bytes, fingerprint: str) -> Accepted:
    record = json.loads(raw)
    if record["fingerprint"] != fingerprint:
        raise IdempotencyConflict("Idempotency-Key was used with a different request body")
    status = rt.comments.status_of(record["comment_id"]) or Status.QUEUED
    return Accepted(record["comment_id"], status, replayed=True)


def _claim_flood(rt: Runtime, site_id: str, policy: Policy, sub: Submission) -> list[str]:
    """Claim the flood window for the IP and email; raise Flooding if either is taken."""
    if not policy.flood_seconds:
        return []
    # Normalized, so `r+1@…`, `r+2@…` or another address of one IPv6 /64 are the same author.
    entries = [identity_entry("ip", sub.client.ip), identity_entry("email", sub.author.email)]
    candidates = [rt.keys.flood(site_id, entry) for entry in entries if entry]
    claimed = []
    for key in candidates:
        if rt.connection.set(key, "1", nx=True, ex=policy.flood_seconds):
            claimed.append(key)
            continue
        ttl = rt.connection.ttl(key)
        _release(rt, claimed)
        raise Flooding(retry_after=max(int(ttl), 1))
    return claimed


def _release(rt: Runtime, keys: list[str]) -> None:
    if keys:
        rt.connection.delete(*keys)


def submit(rt: Runtime, site_id: str, policy: Policy, sub: Submission, idempotency_key: str | None = None) -> Accepted:
    """Store and queue a comment; 202 may be sent once this returns, and not before."""
    if sub.parent_id and not rt.comments.parent_in_thread(site_id, sub.thread_id, sub.parent_id):
        raise InvalidField("parent_id", "no such comment in this thread")
    fingerprint = sub.fingerprint()
    idem_key = (
        rt.keys.idempotency(site_id, hashlib.sha256(idempotency_key.encode()).hexdigest()) if idempotency_key else None
    )
    if idem_key:
        existing = rt.connection.get(idem_key)
        if existing:
            return _replay(rt, site_id, existing, fingerprint)

    claimed = _claim_flood(rt, site_id, policy, sub)
    comment = Comment(
        id=new_comment_id(),
        site_id=site_id,
        thread_id=sub.thread_id,
        parent_id=sub.parent_id,
        body=sub.body,
        author=sub.author,
        client=sub.client,
        status=Status.QUEUED,
        created_at=time.time(),
        permalink=sub.permalink,
        honeypot=sub.honeypot,
    )
    try:
        with rt.connection.pipeline() as pipe:
            if idem_key:
                pipe.watch(idem_key)
                existing = pipe.get(idem_key)
                if existing:
                    pipe.reset()
                    _release(rt, claimed)
                    return _replay(rt, site_id, existing, fingerprint)
            # The enqueue must be the pipeline's first command: RQ opens the MULTI itself.
            job = rt.queues.enqueue_moderation(comment.id, pipeline=pipe)
            rt.comments.add_queued(pipe, comment)
            pipe.hset(rt.keys.comment(comment.id), "job_id", job.id)
            if idem_key:
                record = json.dumps({"comment_id": comment.id, "fingerprint": fingerprint})
                pipe.set(idem_key, record, ex=rt.settings.idempotency_seconds)
            pipe.execute()
    except WatchError:
        # Another request with the same key won the race: answer as it was answered.
        _release(rt, claimed)
        assert idem_key is not None
        return _replay(rt, site_id, rt.connection.get(idem_key) or b"{}", fingerprint)
    except Exception:
        with contextlib.suppress(Exception):  # Redis is down: the flood keys expire on their own
            _release(rt, claimed)
        raise
    return Accepted(comment.id, Status.QUEUED, replayed=False)
