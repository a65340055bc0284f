"""Comments in Redis: one hash per comment, indexes per site and thread, an event stream per site."""

from __future__ import annotations

import json
import os
import re
import secrets
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from redis import Redis
from redis.client import Pipeline

from .config import Settings
from .exceptions import UnknownComment
from .keys import Keys
from .models import Author, Client, Comment, ReportReason, Status
from .queue_index import Queue, QueueIndex

REQUEUES_FIELD = "requeues"  # on a comment or delivery hash: how often a sweeper queued it again
JOB_FIELD = "job_id"  # on a comment or delivery hash: its current job (a delivery's only once resumed)
ATTEMPTS_FIELD = "attempts"  # on the comment hash: tries of its checks, over every job it was given
PIPELINE_ERROR_FIELD = "pipeline_error"  # a field of the comment hash the site's API never returns
LEARNED_FIELD = "learned_as"  # on the comment hash: the label the site's spam model counts it under, if any
DECISION_FIELD = "moderator_decision"  # on the comment hash: a moderator's last decision as JSON, what undo reverses
DECIDED_BY_FIELD = "decided_by"  # on the comment hash: the actor of its last status change
# HINCRBY on a comment still `queued` only: a job for a comment gone or decided counts nothing.
COUNT_TRY = """
if redis.call('HGET', KEYS[1], 'status') == ARGV[1] then return redis.call('HINCRBY', KEYS[1], ARGV[2], 1) end
return false
"""


def decode(value: bytes | str | None) -> str:
    if value is None:
        return ""
    return value.decode() if isinstance(value, bytes) else value


def decode_hash(raw: Mapping[bytes, bytes]) -> dict[str, str]:
    return {decode(k): decode(v) for k, v in raw.items()}


def members_before(redis: Redis, key: str, cutoff: float, page: int = 500) -> Iterator[str]:
    """The members of a sorted set scored up to `cutoff`, lowest first, read a page at a time."""
    # A score cursor, not an offset: members removed meanwhile would shift offsets.
    low: float | str = "-inf"
    seen_at_low: set[str] = set()  # ids already yielded whose score is `low` (equal scores are possible)
    while True:
        want = page + len(seen_at_low)
        rows = redis.zrangebyscore(key, low, cutoff, start=0, num=want, withscores=True)
        members = [(decode(m), float(score)) for m, score in rows]
        yield from (m for m, _ in members if m not in seen_at_low)
        if len(rows) < want:
            return
        last = members[-1][1]
        seen_at_low = {m for m, score in members if score == last} | (seen_at_low if last == low else set())
        low = last


def milliseconds() -> int:
    """The wall clock in milliseconds, as comment ids carry it."""
    return int(time.time() * 1000)


class _IdClock:
    """The last id's millisecond and random part, so the next id of this process sorts after it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.millis, self.random = -1, 0


_id_clock = _IdClock()
# A forked child starts afresh: it must not step from its parent's last id in lockstep with a sibling.
os.register_at_fork(after_in_child=_id_clock.reset)

_RANDOM_BITS = 48
_FRESH_BITS = 47  # a new millisecond starts in the lower half, leaving room to step within it
_STEP_BITS = 32  # within one millisecond the next id is the last plus 1..2**32: still unguessable


def new_comment_id() -> str:
    """12 hex digits of milliseconds, then 12 of a random part; strictly increasing within a process.

    Within one millisecond (or when the clock steps back) the random part grows by a random step
    instead of being drawn afresh, as a monotonic ULID does; when it would overflow, the id borrows
    the next millisecond. Ids of different processes still sort by their millisecond.
    """
    with _id_clock.lock:
        now = milliseconds()
        if now > _id_clock.millis:
            millis, random = now, secrets.randbits(_FRESH_BITS)
        else:
            millis, random = _id_clock.millis, _id_clock.random + 1 + secrets.randbits(_STEP_BITS)
            if random >= 1 << _RANDOM_BITS:
                millis, random = millis + 1, secrets.randbits(_FRESH_BITS)
        _id_clock.millis, _id_clock.random = millis, random
    return f"{millis:012x}{random:012x}"


# Ids become parts of key names (`<prefix>:comment:<id>`), so one such as `<id>:audit` would name another
# key: whatever the ids' alphabet, nothing but lowercase letters and digits of bounded length is an id.
_COMMENT_ID = re.compile(r"[0-9a-z]{1,64}")


def is_comment_id(value: str) -> bool:
    """True for a string shaped like a comment id (whether or not such a comment exists)."""
    return _COMMENT_ID.fullmatch(value) is not None


def new_event_id() -> str:
    return f"evt_{secrets.token_hex(12)}"


@dataclass(frozen=True)
class Event:
    """One decision told to a site: by webhook and in the site's event stream."""

    id: str
    type: str
    created: float
    comment: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "created": self.created, "comment": self.comment}

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), separators=(",", ":"), sort_keys=True)


@dataclass(frozen=True)
class RecordedJob:
    """What the sweeper's compare-and-set reads of a queued comment."""

    status: str
    job_id: str  # "" when none was recorded
    requeues: int


@dataclass(frozen=True)
class ModerationState:
    """What a moderator's action reads before its compare-and-set; `decided_at` tells whether it is still current."""

    site_id: str
    status: str
    decided_at: str  # as stored ("" before the first decision): any later change rewrites it
    body: str
    learned_as: str  # "spam", "ham" or ""
    decision: dict[str, Any] | None  # the last moderator decision still open to undo
    last_entry: dict[str, Any] | None  # the comment's last audit entry (a dismissal of reports, too)
    decided_by: str  # the actor of its last status change ("" while queued)


@dataclass(frozen=True)
class ListedComment:
    """A published comment as the public thread listing shows it: nothing it does not print."""

    id: str
    parent_id: str | None
    author: Author  # name and url only; the email is never read for the listing
    body: str
    published_body: str | None
    published_name: str | None
    created_at: float


# The hash fields the listing reads: never the evidence, which can be large, nor the email or IP.
LISTED_FIELDS = (
    "id",
    "parent_id",
    "author_name",
    "author_url",
    "body",
    "published_body",
    "published_name",
    "created_at",
)


def listed_from_fields(values: list[bytes | None]) -> ListedComment:
    fields = dict(zip(LISTED_FIELDS, (decode(v) for v in values), strict=True))
    return ListedComment(
        id=fields["id"],
        parent_id=fields["parent_id"] or None,
        author=Author(name=fields["author_name"], url=fields["author_url"]),
        body=fields["body"],
        published_body=fields["published_body"] or None,
        published_name=fields["published_name"] or None,
        created_at=float(fields["created_at"]),
    )


def comment_from_hash(fields: Mapping[str, str]) -> Comment:
    decided = fields.get("decided_at", "")
    published_body = fields.get("published_body")
    return Comment(
        id=fields["id"],
        site_id=fields["site_id"],
        thread_id=fields["thread_id"],
        parent_id=fields.get("parent_id") or None,
        body=fields.get("body", ""),
        author=Author(
            name=fields.get("author_name", ""),
            email=fields.get("author_email", ""),
            url=fields.get("author_url", ""),
        ),
        client=Client(
            ip=fields.get("ip", ""),
            user_agent=fields.get("user_agent", ""),
            referrer=fields.get("referrer", ""),
        ),
        status=Status(fields["status"]),
        created_at=float(fields["created_at"]),
        permalink=fields.get("permalink", ""),
        honeypot=fields.get("honeypot", ""),
        reasons=tuple(json.loads(fields.get("reasons") or "[]")),
        evidence=tuple(json.loads(fields.get("evidence") or "[]")),
        decided_at=float(decided) if decided else None,
        published_body=published_body if published_body else None,
        published_name=fields.get("published_name") or None,
    )


def comment_to_hash(comment: Comment) -> dict[str, str]:
    return {
        "id": comment.id,
        "site_id": comment.site_id,
        "thread_id": comment.thread_id,
        "parent_id": comment.parent_id or "",
        "body": comment.body,
        "author_name": comment.author.name,
        "author_email": comment.author.email,
        "author_url": comment.author.url,
        "ip": comment.client.ip,
        "user_agent": comment.client.user_agent,
        "referrer": comment.client.referrer,
        "permalink": comment.permalink,
        "honeypot": comment.honeypot,
        "status": comment.status.value,
        "reasons": "[]",
        "evidence": "[]",
        "created_at": repr(comment.created_at),
    }


class CommentStore:
    """Reads and writes comments. Writes that must be atomic take the caller's pipeline."""

    def __init__(self, connection: Redis, keys: Keys | None = None, settings: Settings | None = None) -> None:
        self.redis = connection
        self.keys = keys or Keys()
        self.retention = settings or Settings()  # the retention bounds; Settings() holds the defaults
        self.queues = QueueIndex(self.keys)
        self._count_try = connection.register_script(COUNT_TRY)  # EVALSHA: the script is sent once, not per job

    # -- reads --------------------------------------------------------------------------

    def get(self, comment_id: str) -> Comment | None:
        raw = self.redis.hgetall(self.keys.comment(comment_id))
        return comment_from_hash(decode_hash(raw)) if raw else None

    def get_for_site(self, site_id: str, comment_id: str) -> Comment:
        """The comment, only if it belongs to `site_id`: another site's comment is as unknown as a missing one."""
        comment = self.get(comment_id)
        if comment is None or comment.site_id != site_id:
            raise UnknownComment(comment_id)
        return comment

    def parent_in_thread(self, site_id: str, thread_id: str, parent_id: str) -> bool:
        site, thread = self.redis.hmget(self.keys.comment(parent_id), ["site_id", "thread_id"])
        return decode(site) == site_id and decode(thread) == thread_id

    def status_of(self, comment_id: str) -> Status | None:
        raw = self.redis.hget(self.keys.comment(comment_id), "status")
        return Status(decode(raw)) if raw else None

    def read_status(self, pipe: Pipeline, comment_id: str) -> None:
        """Queue a read of the comment's status on `pipe` (its result: the raw status, None if none)."""
        pipe.hget(self.keys.comment(comment_id), "status")

    def claim_duplicate(self, pipe: Pipeline, site_id: str, digest: str, comment_id: str, seconds: int) -> None:
        """Queue a claim of the duplicate window on `pipe`: two results, the SET's and the owner's id.

        A retried job finds its own id as the owner and is no duplicate.
        """
        key = self.keys.duplicate(site_id, digest)
        pipe.set(key, comment_id, nx=True, ex=seconds)
        pipe.get(key)

    def pipeline_error(self, comment_id: str) -> str:
        """The error that held a comment with `pipeline_error` ("" when none did)."""
        return decode(self.redis.hget(self.keys.comment(comment_id), PIPELINE_ERROR_FIELD))

    def recorded_jobs(self, comment_ids: list[str]) -> list[str]:
        """The moderation job id recorded on each comment ("" where none is), in one round trip."""
        with self.redis.pipeline(transaction=False) as pipe:
            for comment_id in comment_ids:
                pipe.hget(self.keys.comment(comment_id), JOB_FIELD)
            return [decode(job_id) for job_id in pipe.execute()]

    def read_watched_job(self, pipe: Pipeline, comment_id: str) -> RecordedJob:
        """The comment's status, job and re-queues, read on a pipeline in WATCH mode (executes at once)."""
        status, job_id, requeues = pipe.hmget(self.keys.comment(comment_id), ["status", JOB_FIELD, REQUEUES_FIELD])
        return RecordedJob(decode(status), decode(job_id), int(requeues or 0))

    def moderation_state(self, comment_id: str) -> ModerationState | None:
        """The fields a moderator's action and its undo decide on, in one round trip (None when missing)."""
        names = ["site_id", "status", "decided_at", "body", LEARNED_FIELD, DECISION_FIELD, DECIDED_BY_FIELD]
        with self.redis.pipeline(transaction=False) as pipe:
            pipe.hmget(self.keys.comment(comment_id), names)
            pipe.lindex(self.keys.audit(comment_id), -1)
            values, raw_last = pipe.execute()
        site_id, status, decided_at, body, learned, decision, decided_by = (decode(v) for v in values)
        if not status:
            return None
        last = json.loads(raw_last) if raw_last else None
        if not decided_by and last is not None and last["from"] != last["to"]:
            decided_by = last["actor"]  # a comment decided before the field was written
        return ModerationState(
            site_id=site_id,
            status=status,
            decided_at=decided_at,
            body=body,
            learned_as=learned,
            decision=json.loads(decision) if decision else None,
            last_entry=last,
            decided_by=decided_by,
        )

    def identities(self, comment_ids: list[str]) -> list[tuple[str, str, str]]:
        """Each comment's author email, IP and name as submitted, in one round trip (blank when gone)."""
        with self.redis.pipeline(transaction=False) as pipe:
            for comment_id in comment_ids:
                pipe.hmget(self.keys.comment(comment_id), ["author_email", "ip", "author_name"])
            rows = pipe.execute()
        return [(decode(email), decode(ip), decode(name)) for email, ip, name in rows]

    def audit(self, comment_id: str) -> list[dict[str, Any]]:
        return [json.loads(x) for x in self.redis.lrange(self.keys.audit(comment_id), 0, -1)]

    def thread_page(
        self, site_id: str, thread_id: str, after: str | None, limit: int
    ) -> tuple[list[ListedComment], str | None]:
        """Published comments of a thread, oldest first, `limit` at a time after the cursor `after`.

        Reads only the fields the listing shows (HMGET), never the evidence.
        """
        start = f"({after}" if after else "-"
        ids = self.redis.zrangebylex(self.keys.thread(site_id, thread_id), start, "+", start=0, num=limit + 1)
        page_ids = [decode(i) for i in ids[:limit]]
        with self.redis.pipeline(transaction=False) as pipe:
            for comment_id in page_ids:
                pipe.hmget(self.keys.comment(comment_id), LISTED_FIELDS)
            rows = pipe.execute()
        # A comment removed between the index read and the hash read has no id: skip it.
        comments = [listed_from_fields(r) for r in rows if r[0] is not None]
        next_cursor = page_ids[-1] if len(ids) > limit and page_ids else None
        return comments, next_cursor

    def events_after(self, site_id: str, after: str | None, limit: int) -> list[tuple[str, dict[str, Any]]]:
        """The site's events after stream position `after`, oldest first, with their positions."""
        start = f"({after}" if after else "-"
        entries = self.redis.xrange(self.keys.events(site_id), min=start, max="+", count=limit)
        return [(decode(pos), json.loads(fields[b"event"])) for pos, fields in entries]

    def queued_before(self, cutoff: float, page: int = 500) -> Iterator[str]:
        """Every comment still undecided that was submitted before `cutoff`, oldest first, a page at a time."""
        return members_before(self.redis, self.keys.queued(), cutoff, page)

    # -- writes on the caller's pipeline ------------------------------------------------

    def add_queued(self, pipe: Pipeline, comment: Comment) -> None:
        """Store a new comment as `queued` and index it for the sweeper."""
        pipe.hset(self.keys.comment(comment.id), mapping=comment_to_hash(comment))
        pipe.zadd(self.keys.queued(), {comment.id: comment.created_at})
        pipe.zadd(self.keys.site_queued(comment.site_id), {comment.id: comment.created_at})

    def unqueue(self, pipe: Pipeline, comment_id: str, site_ids: list[str]) -> None:
        """Take a comment off the queued index and the given sites' queued sets."""
        pipe.zrem(self.keys.queued(), comment_id)
        for site_id in site_ids:
            pipe.zrem(self.keys.site_queued(site_id), comment_id)

    def queue_count_try(self, pipe: Pipeline, comment_id: str, status: Status) -> None:
        """Queue `count_try` on a pipeline (its result: the tries so far, None when the comment is not `status`)."""
        # EVAL with the script's text, not EVALSHA: a pipeline has no NOSCRIPT fallback, and a script
        # missing from the server's cache (a restart, SCRIPT FLUSH) must not fail the job.
        pipe.eval(COUNT_TRY, 1, self.keys.comment(comment_id), status.value, ATTEMPTS_FIELD)

    def count_try(self, comment_id: str, status: Status) -> int | None:
        """Count one try of the checks on the comment while it is `status`; None when it is not (or gone)."""
        tries = self._count_try(keys=[self.keys.comment(comment_id)], args=[status.value, ATTEMPTS_FIELD])
        return None if tries is None else int(tries)

    def keep_pipeline_error(self, pipe: Pipeline, comment_id: str, error: str) -> None:
        """The traceback of a `pipeline_error` hold, where moderators and operators can read it."""
        pipe.hset(self.keys.comment(comment_id), PIPELINE_ERROR_FIELD, error)

    def record_job(self, pipe: Pipeline, comment_id: str, job_id: str) -> None:
        """The moderation job that will decide the comment: what the sweeper looks for."""
        pipe.hset(self.keys.comment(comment_id), JOB_FIELD, job_id)

    def requeue_job(self, pipe: Pipeline, comment_id: str, job_id: str) -> None:
        """Record a sweeper's new job for the comment and count the re-queue."""
        self.record_job(pipe, comment_id, job_id)
        pipe.hincrby(self.keys.comment(comment_id), REQUEUES_FIELD, 1)

    def keep_learned(self, pipe: Pipeline, comment_id: str, label: str) -> None:
        """Record the label the spam model now counts the comment under ("" for none)."""
        if label:
            pipe.hset(self.keys.comment(comment_id), LEARNED_FIELD, label)
        else:
            pipe.hdel(self.keys.comment(comment_id), LEARNED_FIELD)

    def keep_decision(self, pipe: Pipeline, comment_id: str, decision: dict[str, Any] | None) -> None:
        """Record a moderator's decision for a later undo (None: nothing left to undo)."""
        if decision is not None:
            pipe.hset(self.keys.comment(comment_id), DECISION_FIELD, json.dumps(decision))
        else:
            pipe.hdel(self.keys.comment(comment_id), DECISION_FIELD)

    def restore_decider(self, pipe: Pipeline, comment_id: str, decided_at: str, decided_by: str) -> None:
        """An undone decision's trace removed: the comment reads as decided when and by whom it was before."""
        fields = {k: v for k, v in (("decided_at", decided_at), (DECIDED_BY_FIELD, decided_by)) if v}
        if fields:
            pipe.hset(self.keys.comment(comment_id), mapping=fields)

    def add_transition(
        self,
        pipe: Pipeline,
        comment: Comment,
        *,
        to: Status,
        reasons: tuple[str, ...],
        actor: str,
        event: Event,
        evidence: list[dict[str, Any]] | None = None,
        published_body: str | None = None,
        published_name: str | None = None,
        author_id: str = "",
        note: str | None = None,
    ) -> None:
        """Everything one status change writes: the comment, its indexes, the audit entries and the event.

        `author_id` is the author's pseudonymous id (`AuthorRules.id_of`): the site's audit log, the
        queues' author facet and the author's history are filed under it.
        """
        k = self.keys
        now = event.created
        fields: dict[str, str] = {
            "status": to.value,
            "reasons": json.dumps(list(reasons)),
            "decided_at": repr(now),
            DECIDED_BY_FIELD: actor,  # who made the last status change: audit entries that change none come after
        }
        if evidence is not None:
            fields["evidence"] = json.dumps(evidence)
        if published_body is not None:
            fields["published_body"] = published_body
        if published_name is not None:
            fields["published_name"] = published_name
        pipe.hset(k.comment(comment.id), mapping=fields)
        pipe.zrem(k.queued(), comment.id)
        pipe.zrem(k.site_queued(comment.site_id), comment.id)

        thread = k.thread(comment.site_id, comment.thread_id)
        if to is Status.PUBLISHED:
            pipe.zadd(thread, {comment.id: 0})
        else:
            pipe.zrem(thread, comment.id)
        self._file_in_queues(pipe, comment, to, reasons, author_id)
        self._count_for_author(pipe, comment, to, author_id)

        entry: dict[str, Any] = {
            "at": now,
            "actor": actor,
            "from": comment.status.value,
            "to": to.value,
            "reasons": list(reasons),
            "event_id": event.id,
        }
        if note:
            entry["note"] = note
        pipe.rpush(k.audit(comment.id), json.dumps(entry))
        pipe.ltrim(k.audit(comment.id), -self.retention.audit_keep_entries, -1)
        self._add_to_audit_log(pipe, comment, entry, author_id)
        self._expire_if_rejected(pipe, comment.id, to)
        self._add_event(pipe, comment.site_id, event)

    def add_audit_entry(self, pipe: Pipeline, comment: Comment, entry: dict[str, Any], author_id: str) -> None:
        """An audit entry that changes no status (reports dismissed): on the comment and in the site's log."""
        pipe.rpush(self.keys.audit(comment.id), json.dumps(entry))
        pipe.ltrim(self.keys.audit(comment.id), -self.retention.audit_keep_entries, -1)
        self._add_to_audit_log(pipe, comment, entry, author_id)

    def _file_in_queues(
        self, pipe: Pipeline, comment: Comment, to: Status, reasons: tuple[str, ...], author_id: str
    ) -> None:
        """A held comment enters the held queue under its new reasons; leaving held or published leaves those queues."""
        site = comment.site_id
        if comment.status is Status.HELD:
            self.queues.remove(
                pipe, site, Queue.HELD, comment.id, self.queues.facets(comment.thread_id, comment.reasons, author_id)
            )
        if to is Status.HELD:
            self.queues.add(
                pipe,
                site,
                Queue.HELD,
                comment.id,
                comment.created_at,
                self.queues.facets(comment.thread_id, reasons, author_id),
            )
        if comment.status is Status.PUBLISHED and to is not Status.PUBLISHED:
            # Readers' reports are about a published comment: taken down or held, it leaves the reported queue.
            every_reason = [r.value for r in ReportReason]
            self.queues.remove(
                pipe, site, Queue.REPORTED, comment.id, self.queues.facets(comment.thread_id, every_reason, author_id)
            )

    def _count_for_author(self, pipe: Pipeline, comment: Comment, to: Status, author_id: str) -> None:
        """The author's history: their decided comments, and how many are in each status now."""
        if not author_id:
            return
        statuses = self.keys.author_statuses(comment.site_id, author_id)
        if comment.status is not Status.QUEUED:
            pipe.hincrby(statuses, comment.status.value, -1)
        pipe.hincrby(statuses, to.value, 1)
        pipe.zadd(self.keys.author_comments(comment.site_id, author_id), {comment.id: comment.created_at})

    def _add_to_audit_log(self, pipe: Pipeline, comment: Comment, entry: dict[str, Any], author_id: str) -> None:
        """The site's log of every status change, naming the comment and the author's id (no personal data)."""
        stream = self.keys.site_audit(comment.site_id)
        logged = {**entry, "comment_id": comment.id, "thread_id": comment.thread_id, "author_id": author_id}
        count, age = self.retention.audit_log_keep_count, self.retention.audit_log_keep_seconds
        pipe.xadd(stream, {"entry": json.dumps(logged)}, maxlen=count if count > 0 else None, approximate=True)
        if age > 0:
            pipe.xtrim(stream, minid=f"{int((entry['at'] - age) * 1000)}-0", approximate=True)

    def _expire_if_rejected(self, pipe: Pipeline, comment_id: str, to: Status) -> None:
        """A rejected comment is kept a while (to restore a false positive), then expires with its audit and reports.

        Published comments are listed and held ones await a moderator, so they stay; a restored
        comment stops expiring.
        """
        keep = self.retention.rejected_keep_seconds
        k = self.keys
        for key in (k.comment(comment_id), k.audit(comment_id), *k.report_keys(comment_id)):
            if to is Status.REJECTED and keep > 0:
                pipe.expire(key, keep)
            else:
                pipe.persist(key)

    def _add_event(self, pipe: Pipeline, site_id: str, event: Event) -> None:
        """Append to the site's feed, dropping what is past its count or age bound (exactly, not `~`)."""
        stream = self.keys.events(site_id)
        count, age = self.retention.events_keep_count, self.retention.events_keep_seconds
        pipe.xadd(stream, {"event": event.to_json()}, maxlen=count if count > 0 else None, approximate=False)
        if age > 0:
            # Stream ids start with their milliseconds, so MINID drops exactly the events older than `age`.
            pipe.xtrim(stream, minid=f"{int((event.created - age) * 1000)}-0", approximate=False)
