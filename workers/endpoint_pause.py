"""A site's webhook endpoint paused after failing too often in a row, its deliveries set aside, and resumed.

Paused, a delivery job does not POST: it parks its event in the site's waiting set and ends. Events
still reach the site's events feed (they are written with the decision). Resuming clears the pause
and takes the waiting set in one step, then queues what waited, oldest first, each once. Parking is
a compare-and-set on the paused set, so a delivery parking while an operator resumes is either in
the set the resume took or not parked at all.
"""

from __future__ import annotations

import json
import logging
import secrets
import time

from redis.exceptions import WatchError

from .deliveries import delivery_job_id
from .metrics import WEBHOOK_DELIVERIES
from .runtime import Runtime
from .store import decode

log = logging.getLogger("commentgate.webhooks")

RESUME_PAGE = 500  # deliveries queued per transaction while resuming
# A resume pages through its set in well under this; a resuming set older was left by one cut short
# (its process killed, a Redis error), and the sweeper finishes it.
LEFT_RESUME_SECONDS = 60.0

# Pause when the site's failure streak (KEYS[1]) has reached ARGV[2]: SADD the site (ARGV[1]) to the
# paused set (KEYS[2]). One script, so a resume that cleared the streak meanwhile is not undone.
PAUSE_WHEN_FAILING = """
if tonumber(redis.call('GET', KEYS[1]) or '0') >= tonumber(ARGV[2]) then
  return redis.call('SADD', KEYS[2], ARGV[1])
end
return 0
"""

# Resume the site (ARGV[1]): off the paused set (KEYS[1]), streak (KEYS[2]) cleared, its waiting set
# (KEYS[3]) renamed to this resume's own (KEYS[4]) and listed, with the time ARGV[2], in the site's
# resuming sets (KEYS[5]). Returns every resuming set of the site not emptied yet, oldest first.
START_RESUME = """
redis.call('SREM', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
if redis.call('EXISTS', KEYS[3]) == 1 then
  redis.call('RENAME', KEYS[3], KEYS[4])
  redis.call('ZADD', KEYS[5], ARGV[2], KEYS[4])
end
return redis.call('ZRANGE', KEYS[5], 0, -1)
"""


def pause_when_failing(rt: Runtime, site_id: str) -> bool:
    """Pause the site's endpoint if its streak of failed attempts reached the limit; True when this paused it."""
    limit = rt.settings.webhook_pause_after
    if limit <= 0 or not site_id:
        return False
    keys = [rt.keys.webhook_streak(site_id), rt.keys.paused_endpoints()]
    paused = bool(rt.connection.register_script(PAUSE_WHEN_FAILING)(keys=keys, args=[site_id, limit]))
    if paused:
        log.warning("webhook endpoint of site %s paused after %d failed delivery attempts in a row", site_id, limit)
    return paused


def park_if_paused(rt: Runtime, site_id: str, event_id: str, event_json: str) -> bool:
    """Set the delivery aside if the site's endpoint is paused (counted as `paused`); False: deliver it."""
    if not rt.deliveries.is_paused(site_id):  # the usual case: one read
        return False
    at = float(json.loads(event_json)["created"])
    paused_key, waiting_key = rt.keys.paused_endpoints(), rt.keys.waiting_deliveries(site_id)
    with rt.connection.pipeline() as pipe:
        while True:
            try:
                # A resume clearing the pause (and taking the waiting set) meanwhile aborts the parking.
                pipe.watch(paused_key, waiting_key)
                if not pipe.sismember(paused_key, site_id):
                    pipe.reset()
                    return False
                waiting_already = pipe.zscore(waiting_key, event_id) is not None  # its job ran twice
                pipe.multi()
                rt.deliveries.park(pipe, site_id, event_id, at)
                if not waiting_already:  # the counter counts deliveries set aside, not each run of their jobs
                    rt.metrics.count(pipe, WEBHOOK_DELIVERIES, {"outcome": "paused"})
                pipe.execute()
                return True
            except WatchError:
                continue


def resume_endpoint(rt: Runtime, site_id: str) -> int:
    """Clear the site's pause and failure streak and queue every waiting delivery, oldest first; how many.

    Raises UnknownSite for a site that does not exist (nothing changes).
    """
    rt.sites.get(site_id)
    queued = sum(_drain(rt, site_id, resuming_key) for resuming_key in _start_resume(rt, site_id))
    if queued:
        log.info("webhook endpoint of site %s resumed; %d deliveries queued", site_id, queued)
    return queued


def finish_left_resumes(rt: Runtime, now: float | None = None) -> int:
    """Queue what resumes cut short left in their resuming sets (started `LEFT_RESUME_SECONDS` ago); how many.

    Their deliveries are `paused` and on no index the sweeper reads for lost jobs: without this they
    would wait for the site's next resume, while its endpoint shows active.
    """
    cutoff = (now or time.time()) - LEFT_RESUME_SECONDS
    site_ids = rt.sites.all_ids()
    with rt.connection.pipeline(transaction=False) as pipe:
        for site_id in site_ids:
            pipe.zrangebyscore(rt.keys.resumes(site_id), "-inf", cutoff)
        left = pipe.execute()
    queued = 0
    for site_id, resuming_keys in zip(site_ids, left, strict=True):
        for resuming_key in resuming_keys:  # a resume still paging through it too is safe: pages are WATCHed
            count = _drain(rt, site_id, decode(resuming_key))
            if count:
                log.warning("sweeper finished a resume of site %s cut short; %d deliveries queued", site_id, count)
            queued += count
    return queued


def _drain(rt: Runtime, site_id: str, resuming_key: str) -> int:
    """Queue a resuming set page by page until it is empty and forgotten; how many were queued."""
    queued = 0
    while True:
        count, done = _resume_page(rt, site_id, resuming_key)
        queued += count
        if done:
            return queued


def _start_resume(rt: Runtime, site_id: str) -> list[str]:
    """Clear the pause and streak and take the waiting set as this resume's own; every resuming set left to empty.

    One step, so a delivery either parked before it (and is in the set taken) or sees the endpoint
    active and is delivered. The set is renamed, not read in place: the jobs this resume queues run
    while it pages through, and nothing they do can move what it has still to read.
    """
    resuming_key = rt.keys.resuming_deliveries(site_id, secrets.token_hex(8))
    keys = [
        rt.keys.paused_endpoints(),
        rt.keys.webhook_streak(site_id),
        rt.keys.waiting_deliveries(site_id),
        resuming_key,
        rt.keys.resumes(site_id),
    ]
    # Older sets first: a resume cut short (a web request timed out) left them, and they waited longer.
    left = rt.connection.register_script(START_RESUME)(keys=keys, args=[site_id, repr(time.time())])
    return [decode(key) for key in left]


def _resume_page(rt: Runtime, site_id: str, resuming_key: str) -> tuple[int, bool]:
    """Queue the oldest page of a resuming set; (queued, done). Forgets the set once it is empty."""
    with rt.connection.pipeline() as pipe:
        while True:
            try:
                pipe.watch(resuming_key)  # only a second resume finishing a left set drains it too
                page = rt.deliveries.waiting_page(pipe, resuming_key, RESUME_PAGE)
                if not page:
                    pipe.multi()
                    pipe.zrem(rt.keys.resumes(site_id), resuming_key)
                    pipe.execute()
                    return 0, True
                event_ids = [event_id for event_id, _ in page]
                # Their records too: one settled while it sat here (its job re-queued by hand) is not sent again.
                pipe.watch(*(rt.deliveries.key(event_id) for event_id in event_ids))
                parked = rt.deliveries.parked_of(event_ids)
                still = {event_id for event_id, (state, _) in parked.items() if state == "paused"}
                # A job id of its own, not the one of the job that parked it: that job, still finishing,
                # would have RQ mark it `finished` with a TTL over this one, which then never runs.
                resumed = [(e, at, delivery_job_id(e, parked[e][1] + 1)) for e, at in page if e in still]
                # Parked records do not expire; one gone anyway (a DEL, parked before that) cannot be sent.
                gone = [event_id for event_id in event_ids if event_id not in parked]
                settled = [event_id for event_id in parked if event_id not in still]
                pipe.multi()
                for event_id, _, job_id in resumed:
                    rt.queues.enqueue_delivery(event_id, pipeline=pipe, job_id=job_id)
                rt.deliveries.unpark(pipe, resuming_key, resumed)
                if gone or settled:
                    pipe.zrem(resuming_key, *gone, *settled)
                if gone:
                    rt.deliveries.count_outcome(pipe, "gave_up", len(gone))
                pipe.execute()
                return len(resumed), False
            except WatchError:
                continue
