"""A site's webhook endpoint paused after failing too often in a row, its deliveries set aside, and resumed.

Paused, a delivery job does not POST: it parks its event in the site's waiting set and ends. Events
still reach the site's events feed (they are written with the decision). Resuming queues what waited,
oldest first, each once. Parking and resuming are compare-and-sets on the paused set and the waiting
set, so a delivery parking while an operator resumes is either queued by the resume or not parked.
"""

from __future__ import annotations

import json
import logging

from redis.exceptions import WatchError

from .metrics import WEBHOOK_DELIVERIES
from .runtime import Runtime

log = logging.getLogger("commentgate.webhooks")

RESUME_PAGE = 500  # deliveries queued per transaction while resuming

# Pause when the site's failure streak (KEYS[1]) has reached ARGV[2]: SADD the site (ARGV[1]) to the
# paused set (KEYS[2]). One script, so a resume that cleared the streak meanwhile is not undone.
PAUSE_WHEN_FAILING = """
if tonumber(redis.call('GET', KEYS[1]) or '0') >= tonumber(ARGV[2]) then
  return redis.call('SADD', KEYS[2], ARGV[1])
end
return 0
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
    paused_key = rt.keys.paused_endpoints()
    with rt.connection.pipeline() as pipe:
        while True:
            try:
                pipe.watch(paused_key)  # a resume clearing the pause meanwhile aborts the parking
                if not pipe.sismember(paused_key, site_id):
                    pipe.reset()
                    return False
                pipe.multi()
                rt.deliveries.park(pipe, site_id, event_id, at)
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
    queued = 0
    while True:
        count, done = _resume_page(rt, site_id)
        queued += count
        if done:
            if queued:
                log.info("webhook endpoint of site %s resumed; %d deliveries queued", site_id, queued)
            return queued


def _resume_page(rt: Runtime, site_id: str) -> tuple[int, bool]:
    """Queue the oldest page of waiting deliveries; with the last page, clear the pause. (queued, done)."""
    waiting_key = rt.keys.waiting_deliveries(site_id)
    with rt.connection.pipeline() as pipe:
        while True:
            try:
                # A delivery parking meanwhile changes the waiting set and makes this page start again.
                pipe.watch(waiting_key)
                page = rt.deliveries.waiting_page(pipe, site_id, RESUME_PAGE)
                last = int(pipe.zcard(waiting_key)) <= len(page)
                pipe.multi()
                # The same job id as the job that parked it, as the sweeper's re-queue does. Should that
                # job's worker record its success after this, the new job is still in the queue and runs;
                # were its hash to expire first (result_ttl), the sweeper finds the delivery pending and lost.
                for event_id, _ in page:
                    rt.queues.enqueue_delivery(event_id, pipeline=pipe)
                rt.deliveries.unpark(pipe, site_id, page)
                if last:  # pausing again needs a fresh streak
                    pipe.srem(rt.keys.paused_endpoints(), site_id)
                    pipe.delete(rt.keys.webhook_streak(site_id))
                pipe.execute()
                return len(page), last
            except WatchError:
                continue
