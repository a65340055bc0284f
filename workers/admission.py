"""Admitting a comment at the edge: backpressure (the oldest queued comment's age), the author's flood
windows, the site's token bucket and its cap on queued comments, checked and taken in one atomic step
(a Lua script, the one round trip admission already made), so a refusal writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from redis import Redis
from redis.commands.core import Script

from .config import Settings
from .exceptions import Backlogged, Flooding, QueueFull, RateLimited, SiteChanged
from .identity import identity_entry
from .models import Author, Client
from .policy import Policy
from .runtime import Runtime
from .sites import KnownSite

# The longest a bucket's key lives and a Retry-After it gives: 100,000 tokens at the floor of 0.01 a second
# refill in 10**7 s, so no valid policy reaches it; it keeps the script's numbers integers whatever it is given.
BUCKET_SECONDS_MAX = 10**7 + 1
QUEUE_FULL_RETRY_AFTER = 10  # seconds: workers decide dozens of comments a second, so the cap frees soon
# Seconds a site is asked to wait while the queue is backlogged: a backlog past minutes is an outage
# (no worker, a stuck job) that takes an operator, not a moment, to clear; retries every minute are cheap.
BACKLOGGED_RETRY_AFTER = 60

# KEYS: the site's bucket, the site's queued set, every site's queued set, with a site to confirm its key's
# entry and its generation (workers/site_cache.py), then the author's flood windows.
# ARGV: flood seconds, burst, refill rate per second, queued cap, the longest bucket TTL and Retry-After,
# the backpressure age limit (0 = off), the comments' key prefix, then the site id and generation to
# confirm ("" confirms none). A key or policy the web process holds that is no longer current is 'stale':
# it read its limits from that policy, so nothing is admitted by them.
# Nothing is written unless every limit admits the comment. TIME is the server's clock, shared by
# every web process; scripts replicate their effects, so reading it before writing is safe.
# The script reads comment hashes it builds from the prefix (their ids come from the index), keys not
# declared in KEYS: fine on one Redis server and its replicas, which is what commentgate (and RQ) run
# on; Redis Cluster, which needs every key declared, is not supported.
_ADMIT = """
local GONE_SKIPPED_AT_MOST = 10
local flood_seconds, burst, rate, cap = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local seconds_max, backlog_limit = tonumber(ARGV[5]), tonumber(ARGV[6])
local first_flood = 4
if ARGV[8] ~= '' then
  local current = redis.call('MGET', KEYS[4], KEYS[5])
  if current[1] ~= ARGV[8] or (current[2] or '') ~= ARGV[9] then return {'stale', 0} end
  first_flood = 6
end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
if backlog_limit > 0 then
  -- Scores are the comments' creation times: the first existing one is the comment that has waited
  -- longest. An entry whose hash is gone (deleted by hand, evicted) is skipped, not removed: the
  -- sweeper takes it off both the index and its site's set (whose size is the site's cap).
  local oldest = redis.call('ZRANGE', KEYS[3], 0, GONE_SKIPPED_AT_MOST, 'WITHSCORES')
  local since = nil
  for i = 1, #oldest, 2 do
    if redis.call('EXISTS', ARGV[7] .. oldest[i]) == 1 then
      since = oldest[i + 1]
      break
    end
  end
  -- More gone entries than that: the last one looked at counts until the sweeper clears them.
  if not since and #oldest > 2 * GONE_SKIPPED_AT_MOST then since = oldest[#oldest] end
  if since and now - tonumber(since) >= backlog_limit then return {'backlogged', 0} end
end
for i = first_flood, #KEYS do
  local ttl = redis.call('TTL', KEYS[i])
  if ttl ~= -2 then return {'flood', math.max(ttl, 1)} end
end
if cap > 0 then
  local queued = redis.call('ZCARD', KEYS[2])
  if queued >= cap then return {'queue_full', queued} end
end
if burst > 0 then
  local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
  local tokens = tonumber(state[1]) or burst
  local elapsed = math.max(0, now - (tonumber(state[2]) or now))
  tokens = math.min(burst, tokens + elapsed * rate)
  -- Bounded before any write, so no rate (however small) makes a number EXPIRE or a reply refuses.
  if tokens < 1 then return {'rate', math.min(math.ceil((1 - tokens) / rate), seconds_max)} end
  -- A bucket left alone refills completely; its key may go, and a missing bucket is a full one.
  local ttl = math.min(math.ceil(burst / rate) + 1, seconds_max)
  redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens - 1), 'at', string.format('%.6f', now))
  redis.call('EXPIRE', KEYS[1], string.format('%d', ttl))
end
for i = first_flood, #KEYS do redis.call('SET', KEYS[i], '1', 'EX', flood_seconds) end
return {'ok', 0}
"""


def _at_most(wished: float, ceiling: float) -> float:
    """The site's value held to the operator's ceiling; a site's 0 (off) is the ceiling itself."""
    if not ceiling:
        return wished
    return ceiling if not wished else min(wished, ceiling)


def site_limits(policy: Policy, settings: Settings) -> tuple[int, float, int]:
    """The burst, refill rate and queued cap admission applies: the policy's, never past the operator's."""
    burst = int(_at_most(policy.submit_burst, settings.ceiling_submit_burst))
    rate = _at_most(policy.submit_rate_per_second, settings.ceiling_submit_rate_per_second)
    cap = int(_at_most(policy.max_queued_comments, settings.ceiling_max_queued_comments))
    return burst, rate, cap


@dataclass(frozen=True)
class Admission:
    """What admitting a comment took: the flood windows to give back if the comment is not stored."""

    flood_keys: list[str]

    def release(self, rt: Runtime) -> None:
        """Give the flood windows back (a token taken from the bucket is not: it refills on its own)."""
        if self.flood_keys:
            rt.connection.delete(*self.flood_keys)


@lru_cache(maxsize=8)
def _admit_script(connection: Redis) -> Script:
    """The admission script bound to a client once, so each submission is one EVALSHA, not a new Script."""
    return connection.register_script(_ADMIT)


def admit(
    rt: Runtime, site_id: str, policy: Policy, author: Author, client: Client, known: KnownSite | None = None
) -> Admission:
    """Take the author's flood windows and a token of the site's bucket, or raise without writing.

    With `known` (the site and policy as this process holds them), SiteChanged while they are no longer current.

    Refused first while the oldest queued comment (any site's) has waited `backpressure_queue_age`
    seconds: workers are not keeping up, and more comments would only lengthen every reader's wait.
    """
    flood_keys = []
    if policy.flood_seconds:
        # Normalized, so `r+1@…`, `r+2@…` or another address of one IPv6 /64 are the same author.
        entries = [identity_entry("ip", client.ip), identity_entry("email", author.email)]
        flood_keys = [rt.keys.flood(site_id, entry) for entry in entries if entry]
    keys = [rt.keys.submit_bucket(site_id), rt.keys.site_queued(site_id), rt.keys.queued()]
    confirm = ["", ""]
    if known is not None:
        keys += [rt.keys.site_key(known.key_hash), rt.keys.site_generation(known.site_id)]
        confirm = [known.site_id, known.generation]
    limits = site_limits(policy, rt.settings)
    args = [policy.flood_seconds, *limits, BUCKET_SECONDS_MAX, rt.settings.backpressure_queue_age, rt.keys.comment("")]
    outcome, value = _admit_script(rt.connection)(keys=[*keys, *flood_keys], args=[*args, *confirm])
    if outcome == b"stale":
        raise SiteChanged()
    if outcome == b"backlogged":
        raise Backlogged(rt.settings.backpressure_queue_age, retry_after=BACKLOGGED_RETRY_AFTER)
    if outcome == b"flood":
        raise Flooding(retry_after=int(value))
    if outcome == b"queue_full":
        raise QueueFull(int(value), retry_after=QUEUE_FULL_RETRY_AFTER)
    if outcome == b"rate":
        raise RateLimited(retry_after=max(int(value), 1))
    return Admission(flood_keys)
