"""Webhook deliveries in Redis: one hash per event, the pending and failed indexes, and their retention."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from redis import Redis
from redis.client import Pipeline

from .config import Settings
from .keys import Keys
from .metrics import WEBHOOK_DELIVERIES, MetricsStore
from .store import JOB_FIELD, REQUEUES_FIELD, Event, decode, decode_hash, members_before

FAILED_LISTED = 200  # the newest failed deliveries an operator is shown

# Back to `pending` and on the sweeper's index (KEYS[1]), each delivery (KEYS[2..]) still `paused`,
# with its new job recorded and its resumes counted; ARGV holds each one's event id, event time and
# job id. A record gone while waiting (a DEL) stays gone; one settled meanwhile stays settled.
UNPARK = """
for i = 2, #KEYS do
  if redis.call('HGET', KEYS[i], 'state') == 'paused' then
    local at = 3 * (i - 2)
    redis.call('HSET', KEYS[i], 'state', 'pending', 'job_id', ARGV[at + 3])
    redis.call('HINCRBY', KEYS[i], 'resumes', 1)
    redis.call('ZADD', KEYS[1], ARGV[at + 2], ARGV[at + 1])
  end
end
return 0
"""
RESUMES_FIELD = "resumes"  # on a delivery hash: how often a resume queued it, which names its next job


def delivery_job_id(event_id: str, resumes: int = 0) -> str:
    """The delivery's job id: the event's, and after each resume a new one (the parking job cannot end it)."""
    return f"webhook-{event_id}" if not resumes else f"webhook-{event_id}-r{resumes}"


@dataclass(frozen=True)
class DeliveryRecord:
    """What the sweeper's compare-and-set reads of a delivery, on the pipeline that WATCHes it."""

    state: str
    attempts: int
    requeues: bytes | None  # raw, compared with what an earlier read saw
    job_id: str  # its current job: the event's, or a resume's


@dataclass(frozen=True)
class FailedDelivery:
    """A delivery that used up its tries, as operators see it."""

    event_id: str
    site_id: str
    attempts: int
    last_status: str
    last_error: str
    failed_at: float


class DeliveryStore:
    """Reads and writes delivery records. Writes that must be atomic take the caller's pipeline."""

    def __init__(self, connection: Redis, keys: Keys | None = None, settings: Settings | None = None) -> None:
        self.redis = connection
        self.keys = keys or Keys()
        self.retention = settings or Settings()  # the retention bounds; Settings() holds the defaults

    def key(self, event_id: str) -> str:
        """The record's key, for a caller that must WATCH it alongside keys of its own."""
        return self.keys.delivery(event_id)

    # -- reads --------------------------------------------------------------------------

    def get(self, event_id: str) -> dict[str, str]:
        """The record's fields; empty once it expired or never was."""
        return decode_hash(self.redis.hgetall(self.keys.delivery(event_id)))

    def pending_before(self, cutoff: float, page: int) -> Iterable[str]:
        """Deliveries still pending whose event is older than `cutoff`, oldest first, a page at a time."""
        return members_before(self.redis, self.keys.pending_deliveries(), cutoff, page)

    def requeues_of(self, event_ids: list[str]) -> dict[str, bytes | None]:
        """How often a sweeper queued each delivery again, raw, in one round trip."""
        with self.redis.pipeline(transaction=False) as pipe:
            for event_id in event_ids:
                pipe.hget(self.keys.delivery(event_id), REQUEUES_FIELD)
            return dict(zip(event_ids, pipe.execute(), strict=True))

    def read_watched(self, pipe: Pipeline, event_id: str) -> DeliveryRecord:
        """The record's state, tries, re-queues and job, read on a pipeline in WATCH mode (executes at once)."""
        fields = ["state", "attempts", REQUEUES_FIELD, JOB_FIELD]
        state, attempts, requeues, job_id = pipe.hmget(self.keys.delivery(event_id), fields)
        return DeliveryRecord(decode(state), int(attempts or 0), requeues, decode(job_id) or delivery_job_id(event_id))

    def failed(self, limit: int = FAILED_LISTED) -> list[FailedDelivery]:
        """The newest failed deliveries whose record has not expired yet."""
        rows = []
        for raw_id, failed_at in self.redis.zrevrange(self.keys.failed_deliveries(), 0, limit - 1, withscores=True):
            event_id = decode(raw_id)
            record = self.get(event_id)
            if not record:  # expired (COMMENTGATE_FAILED_DELIVERY_KEEP_SECONDS)
                continue
            rows.append(
                FailedDelivery(
                    event_id=event_id,
                    site_id=record.get("site_id", ""),
                    attempts=int(record.get("attempts") or 0),
                    last_status=record.get("last_status", ""),
                    last_error=record.get("last_error", ""),
                    failed_at=failed_at,
                )
            )
        return rows

    def failure_streak(self, site_id: str) -> int:
        """How many deliveries to the site's endpoint have failed in a row."""
        return int(self.redis.get(self.keys.webhook_streak(site_id)) or 0)

    def paused_sites(self) -> set[str]:
        """The sites whose webhook endpoint is paused."""
        return {decode(site_id) for site_id in self.redis.smembers(self.keys.paused_endpoints())}

    def is_paused(self, site_id: str) -> bool:
        """Whether the site's webhook endpoint is paused."""
        return bool(self.redis.sismember(self.keys.paused_endpoints(), site_id))

    def waiting(self, site_id: str) -> int:
        """How many deliveries wait: parked for the paused endpoint, or in a resume not finished yet."""
        resuming = self.redis.zrange(self.keys.resumes(site_id), 0, -1)
        with self.redis.pipeline(transaction=False) as pipe:
            pipe.zcard(self.keys.waiting_deliveries(site_id))
            for resuming_key in resuming:  # left by a resume cut short, until the sweeper finishes it
                pipe.zcard(decode(resuming_key))
            return sum(int(count) for count in pipe.execute())

    def parked_of(self, event_ids: list[str]) -> dict[str, tuple[str, int]]:
        """Each existing delivery's state and how often a resume queued it, in one round trip."""
        with self.redis.pipeline(transaction=False) as pipe:
            for event_id in event_ids:
                pipe.hmget(self.keys.delivery(event_id), ["state", RESUMES_FIELD])
            rows = pipe.execute()
        return {
            event_id: (decode(state), int(resumes or 0))
            for event_id, (state, resumes) in zip(event_ids, rows, strict=True)
            if state
        }

    def job_ids_of(self, event_ids: list[str]) -> list[str]:
        """Each delivery's current job id, in one round trip."""
        with self.redis.pipeline(transaction=False) as pipe:
            for event_id in event_ids:
                pipe.hget(self.keys.delivery(event_id), JOB_FIELD)
            return [
                decode(job_id) or delivery_job_id(event_id)
                for event_id, job_id in zip(event_ids, pipe.execute(), strict=True)
            ]

    def waiting_page(self, client: Redis | Pipeline, waiting_key: str, count: int) -> list[tuple[str, float]]:
        """The oldest `count` deliveries of a waiting or resuming set, with their event times (WATCHing: at once)."""
        rows = client.zrange(waiting_key, 0, count - 1, withscores=True)
        return [(decode(event_id), at) for event_id, at in rows]

    # -- a paused endpoint's waiting deliveries (workers/endpoint_pause.py) ----------------

    def park(self, pipe: Pipeline, site_id: str, event_id: str, at: float) -> None:
        """Set a delivery aside until its site's endpoint is resumed; off the sweeper's index meanwhile."""
        pipe.zadd(self.keys.waiting_deliveries(site_id), {event_id: at})
        pipe.hset(self.keys.delivery(event_id), "state", "paused")
        # Kept however long the pause lasts: its next try's count_attempt gives it a lifetime again.
        pipe.persist(self.keys.delivery(event_id))
        pipe.zrem(self.keys.pending_deliveries(), event_id)

    def unpark(self, pipe: Pipeline, waiting_key: str, waiting: list[tuple[str, float, str]]) -> None:
        """Take deliveries (event id, time, new job id) off a resuming set, pending again (jobs: the caller's)."""
        if not waiting:
            return
        keys = [self.keys.pending_deliveries(), *(self.keys.delivery(event_id) for event_id, _, _ in waiting)]
        args = [part for event_id, at, job_id in waiting for part in (event_id, repr(at), job_id)]
        self.redis.register_script(UNPARK)(keys=keys, args=args, client=pipe)
        pipe.zrem(waiting_key, *(event_id for event_id, _, _ in waiting))

    # -- writes -------------------------------------------------------------------------

    def add_pending(self, pipe: Pipeline, site_id: str, event: Event) -> None:
        """Record a new delivery as pending and index it for the sweeper."""
        pipe.hset(
            self.keys.delivery(event.id),
            mapping={"site_id": site_id, "event": event.to_json(), "state": "pending"},
        )
        pipe.zadd(self.keys.pending_deliveries(), {event.id: event.created})

    def count_attempt(self, event_id: str) -> None:
        """Count the try, and keep the record no longer than a failed one is kept after its last try.

        Set here rather than when it fails, so a record whose last try never reports back expires too;
        the failed list's entries older than that go with it.
        """
        keep = self.retention.failed_delivery_keep_seconds
        self.redis.hincrby(self.keys.delivery(event_id), "attempts", 1)
        self._keep_for(self.redis, event_id, keep)
        if keep > 0:
            self.redis.zremrangebyscore(self.keys.failed_deliveries(), "-inf", time.time() - keep)

    def record_status(self, event_id: str, status: int) -> None:
        """The HTTP status the endpoint last answered."""
        self.redis.hset(self.keys.delivery(event_id), "last_status", status)

    def settle(self, pipe: Pipeline, event_id: str, state: str, fields: Mapping[str, str | float]) -> None:
        """Record a delivery's final state and take it off the sweeper's pending index."""
        pipe.hset(self.keys.delivery(event_id), mapping={"state": state, **fields})
        pipe.zrem(self.keys.pending_deliveries(), event_id)
        if state == "failed":
            pipe.zadd(self.keys.failed_deliveries(), {event_id: time.time()})

    def skip(self, event_id: str) -> None:
        """Settle a delivery whose site has no webhook URL (any more)."""
        with self.redis.pipeline() as pipe:
            self.settle(pipe, event_id, "skipped", {"last_error": "no webhook URL"})
            self.count_outcome(pipe, "skipped")
            self._keep_for(pipe, event_id, self.retention.delivered_keep_seconds)
            pipe.execute()

    def mark_delivered(self, event_id: str, site_id: str, status: int) -> None:
        """Settle a delivered event and end its endpoint's failure streak."""
        with self.redis.pipeline() as pipe:
            fields: dict[str, str | float] = {"last_status": status, "delivered_at": repr(time.time())}
            self.settle(pipe, event_id, "delivered", fields)
            pipe.zrem(self.keys.failed_deliveries(), event_id)  # delivered after all (retried by hand)
            self._keep_for(pipe, event_id, self.retention.delivered_keep_seconds)
            pipe.delete(self.keys.webhook_streak(site_id))
            self.count_outcome(pipe, "delivered")
            pipe.execute()

    def record_failure(self, event_id: str, error: str, last_try: bool) -> None:
        """Count the endpoint's failure streak; after the last try keep the delivery as failed."""
        site_id = decode(self.redis.hget(self.keys.delivery(event_id), "site_id"))
        with self.redis.pipeline() as pipe:
            pipe.hset(self.keys.delivery(event_id), "last_error", error)
            if site_id:
                pipe.incr(self.keys.webhook_streak(site_id))
            if last_try:
                self.settle(pipe, event_id, "failed", {"failed_at": repr(time.time())})
            self.count_outcome(pipe, "gave_up" if last_try else "failed")
            pipe.execute()

    def unpend(self, pipe: Pipeline, event_id: str) -> None:
        """Take a delivery that is no longer pending off the sweeper's index."""
        pipe.zrem(self.keys.pending_deliveries(), event_id)

    def count_requeue(self, pipe: Pipeline, event_id: str) -> None:
        pipe.hincrby(self.keys.delivery(event_id), REQUEUES_FIELD, 1)

    def count_outcome(self, pipe: Pipeline, outcome: str, by: int = 1) -> None:
        """Delivery attempts' outcome for the deliveries counter, on the pipeline that records it."""
        MetricsStore(self.keys).count(pipe, WEBHOOK_DELIVERIES, {"outcome": outcome}, by)

    def _keep_for(self, client: Redis | Pipeline, event_id: str, seconds: int) -> None:
        """The record expires after `seconds`; 0 keeps it."""
        if seconds > 0:
            client.expire(self.keys.delivery(event_id), seconds)
        else:
            client.persist(self.keys.delivery(event_id))
