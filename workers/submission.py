"""Accepting a comment: the idempotency key, flood control, then enqueue and store in one transaction."""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
import time
from dataclasses import asdict, dataclass

from redis.exceptions import WatchError

from .admission import admit
from .exceptions import IdempotencyConflict, IdempotencyInFlight, InvalidField
from .metrics import COMMENTS_RECEIVED
from .models import Author, Client, Comment, Status
from .policy import Policy
from .runtime import Runtime
from .sites import KnownSite
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


IDEMPOTENCY_PENDING_SECONDS = 30  # a claim outlives any request; if its process dies, the key frees itself
IN_FLIGHT_WAIT_SECONDS = 5.0  # how long a duplicate waits for the first request's answer before 409
_RELEASE_OWN_CLAIM = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"


def _replay(rt: Runtime, record: dict[str, str]) -> Accepted:
    status = rt.comments.status_of(record["comment_id"]) or Status.QUEUED
    return Accepted(record["comment_id"], status, replayed=True)


@dataclass(frozen=True)
class _IdempotencyClaim:
    """Our pending claim on an Idempotency-Key, replaced by the comment's record when it is stored."""

    key: str
    claim: str
    fingerprint: str


def wait_for_first_request() -> None:
    """Pause briefly while another request with the same key is being accepted."""
    time.sleep(0.01)


def _claim_idempotency_key(rt: Runtime, idem_key: str, fingerprint: str) -> Accepted | str:
    """Take the key with a pending claim before anything else, or answer as the request that has it did.

    Returns the claim (to be replaced by the record on success), or the first request's answer.
    """
    claim = json.dumps({"fingerprint": fingerprint, "pending": secrets.token_hex(8)})
    deadline = time.monotonic() + IN_FLIGHT_WAIT_SECONDS
    while True:
        if rt.connection.set(idem_key, claim, nx=True, ex=IDEMPOTENCY_PENDING_SECONDS):
            return claim
        raw = rt.connection.get(idem_key)
        if raw is None:
            continue  # the holder was refused and let go between our SET and GET: claim it again
        record = json.loads(raw)
        if record["fingerprint"] != fingerprint:
            raise IdempotencyConflict("Idempotency-Key was used with a different request body")
        if "comment_id" in record:
            return _replay(rt, record)
        if time.monotonic() >= deadline:
            raise IdempotencyInFlight()
        wait_for_first_request()


def _answer_as_the_holder(rt: Runtime, idem: _IdempotencyClaim) -> Accepted:
    """Answer as the request now holding the key did, or 409 while it is still in flight."""
    raw = rt.connection.get(idem.key)
    record = json.loads(raw) if raw else {}
    if record and record["fingerprint"] != idem.fingerprint:
        raise IdempotencyConflict("Idempotency-Key was used with a different request body")
    if "comment_id" in record:
        return _replay(rt, record)
    raise IdempotencyInFlight()


def _release_claim(rt: Runtime, idem_key: str, claim: str) -> None:
    """Free the key for a retry, unless the claim has expired and another request holds it now."""
    with contextlib.suppress(Exception):  # Redis is down: the claim expires on its own
        rt.connection.eval(_RELEASE_OWN_CLAIM, 1, idem_key, claim)


def submit(
    rt: Runtime,
    site_id: str,
    policy: Policy,
    sub: Submission,
    idempotency_key: str | None = None,
    known: KnownSite | None = None,
) -> Accepted:
    """Store and queue a comment; 202 may be sent once this returns, and not before.

    With `known`, admission first confirms the key and policy are still current (SiteChanged if not).
    """
    if sub.parent_id and not rt.comments.parent_in_thread(site_id, sub.thread_id, sub.parent_id):
        raise InvalidField("parent_id", "no such comment in this thread")
    if not idempotency_key:
        return _accept(rt, site_id, policy, sub, None, known)
    fingerprint = sub.fingerprint()
    idem_key = rt.keys.idempotency(site_id, hashlib.sha256(idempotency_key.encode()).hexdigest())
    # The key is taken before flood control, so a retry of a request in flight is never a flood.
    claimed = _claim_idempotency_key(rt, idem_key, fingerprint)
    if isinstance(claimed, Accepted):
        return claimed
    try:
        return _accept(rt, site_id, policy, sub, _IdempotencyClaim(idem_key, claimed, fingerprint), known)
    except BaseException:
        _release_claim(rt, idem_key, claimed)
        raise


def _accept(
    rt: Runtime,
    site_id: str,
    policy: Policy,
    sub: Submission,
    idem: _IdempotencyClaim | None,
    known: KnownSite | None,
) -> Accepted:
    """Admit (flood, the site's limits), then store the comment, its job and idempotency record in one transaction."""
    admission = admit(rt, site_id, policy, sub.author, sub.client, known)
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
            if idem:
                # Our claim must still be there: it expires if this request stalled past its life.
                pipe.watch(idem.key)
                if pipe.get(idem.key) != idem.claim.encode():
                    raise IdempotencyInFlight()
            # The enqueue must be the pipeline's first command: RQ opens the MULTI itself.
            job = rt.queues.enqueue_moderation(comment.id, pipeline=pipe, site_id=site_id)
            rt.comments.add_queued(pipe, comment)
            rt.comments.record_job(pipe, comment.id, job.id)
            rt.metrics.count(pipe, COMMENTS_RECEIVED)  # in the EXEC: counted exactly when 202 may be sent
            if idem:
                record = json.dumps({"comment_id": comment.id, "fingerprint": idem.fingerprint})
                pipe.set(idem.key, record, ex=rt.settings.idempotency_seconds)
            pipe.execute()
    except WatchError:
        # Our claim expired while this request stalled and another request with the key took it.
        admission.release(rt)
        assert idem is not None
        return _answer_as_the_holder(rt, idem)
    except Exception:
        with contextlib.suppress(Exception):  # Redis is down: the flood keys expire on their own
            admission.release(rt)
        raise
    return Accepted(comment.id, Status.QUEUED, replayed=False)
