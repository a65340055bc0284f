"""Walking a review queue in order: the cursor, the filters' facet sets, and text search within a budget.

A page is found by walking one sorted set in order from the cursor, a chunk at a time: the main
queue, or with filters the smallest of their facet sets, each id checked (ZSCORE) against the
other filters' sets and the main queue, so an id a facet still lists after leaving the queue is
ignored. Text search reads the first SEARCHED_CHARACTERS of the body and the author's name of each
id walked and matches case-insensitively. Both stop once the page is full or after SCAN_BUDGET ids,
and a search also once it has read SEARCH_BYTES of text: then the page says it did not scan
everything, and its cursor continues where the scan stopped.
"""

from __future__ import annotations

import base64
import binascii
import heapq
import itertools
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from redis import Redis

from .store import decode

CHUNK = 250  # ids read and checked per round trip
SCAN_BUDGET = 4000  # ids one page examines at most when filters intersect or text is searched
# A body holds up to 65,525 characters: read whole, 3,000 of them made a search that found nothing take
# 2 s a page. Reading a body's start bounds each comment's cost; the byte budget bounds the page's.
SEARCHED_CHARACTERS = 2000  # of each body; the author's name (at most 245) is searched whole
SEARCH_BYTES = 2_000_000  # text one search page reads at most (checked per chunk: one chunk more at worst)


# Whether the first ARGV[2] characters of each comment's body, or its author name, hold ARGV[1], an
# ASCII needle in lower case: 1 or 0; or, when either text has a byte past ASCII (or no needle is
# given), the two texts, for Python to casefold and match. Redis's Lua lower() maps only ASCII, which
# is exact for ASCII text: a search reads back only what it cannot decide here, not every body it
# walks past. The last element is how many bytes of text were read. Lua 5.1 strings are bytes: a
# UTF-8 character is at most 4, so the characters wanted lie within 4 times as many bytes, and are
# counted there as lead bytes each followed by their continuation bytes (128-191).
MATCH_TEXTS = """
local needle, wanted = ARGV[1], tonumber(ARGV[2])
local function head(text)
  local cut = string.sub(text, 1, 4 * wanted)
  if not string.find(cut, '[\\128-\\255]') then return string.sub(cut, 1, wanted) end
  local count, stop = 0, 0
  for after in string.gmatch(cut, '[^\\128-\\191][\\128-\\191]*()') do
    count, stop = count + 1, after - 1
    if count == wanted then break end
  end
  return string.sub(cut, 1, stop)
end
local out, read = {}, 0
for i, key in ipairs(KEYS) do
  local fields = redis.call('HMGET', key, 'body', 'author_name')
  local body, name = head(fields[1] or ''), fields[2] or ''
  read = read + #body + #name
  if needle == '' then
    out[i] = {body, name}
  elseif string.find(string.lower(body), needle, 1, true) or string.find(string.lower(name), needle, 1, true) then
    out[i] = 1
  elseif string.find(body, '[\\128-\\255]') or string.find(name, '[\\128-\\255]') then
    out[i] = {body, name}
  else
    out[i] = 0
  end
end
out[#KEYS + 1] = read
return out
"""


class InvalidQuery(ValueError):
    """A queue query that cannot be answered as asked (a bad cursor, a limit out of range)."""


@dataclass(frozen=True, order=True)
class Position:
    """Where a comment sits in a queue: its score, then its id (how Redis orders equal scores)."""

    score: float
    comment_id: str


def encode_cursor(position: Position) -> str:
    """An opaque cursor: the position after which the next page starts."""
    raw = f"{position.score!r}:{position.comment_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> Position:
    """The position a cursor names; InvalidQuery when it is not one this service made."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        score, comment_id = raw.split(":", 1)
        position = Position(float(score), comment_id)
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise InvalidQuery("cursor is not one this service returned") from error
    if not (comment_id.isalnum() and comment_id.isascii() and len(comment_id) <= 64) or not math.isfinite(
        position.score
    ):
        raise InvalidQuery("cursor is not one this service returned")
    return position


@dataclass(frozen=True)
class Scope:
    """One site's part of a walk: the set walked in order, and the sets each id must also be in."""

    site: str
    walked: str
    required: tuple[str, ...]


@dataclass(frozen=True)
class Candidate:
    position: Position
    site: str


@dataclass(frozen=True)
class Found:
    """What a walk found: the page's candidates, the cursor after them, and whether it scanned all it needed."""

    candidates: list[Candidate]
    next_cursor: str | None
    scanned_all: bool


def scopes_for(redis: Redis, sites: Iterable[tuple[str, str, list[str]]]) -> list[Scope]:
    """Per (site, main queue, facet keys): walk the smallest set, check the rest; skip a site a filter empties."""
    sites = list(sites)
    with redis.pipeline(transaction=False) as pipe:
        for _site, _main, facets in sites:
            for key in facets:
                pipe.zcard(key)
        sizes = iter(pipe.execute())
    scopes = []
    for site, main, facets in sites:
        if not facets:
            scopes.append(Scope(site, main, ()))
            continue
        counted = sorted((next(sizes), key) for key in facets)
        if counted[0][0] == 0:
            continue  # one filter matches nothing on this site
        smallest = counted[0][1]
        scopes.append(Scope(site, smallest, (main, *(key for _, key in counted[1:]))))
    return scopes


def _walk(
    redis: Redis, scope: Scope, after: Position | None, newest_first: bool, floor: float | None
) -> Iterator[Candidate]:
    """The walked set's ids in queue order after `after`, read CHUNK at a time by score (stable under removals)."""
    low, high = (floor if floor is not None else "-inf"), "+inf"
    edge: float | str = after.score if after else (high if newest_first else low)
    offset = 0  # ids already read at the score `edge`: equal scores are possible
    while True:
        if newest_first:
            rows = redis.zrevrangebyscore(scope.walked, edge, low, start=offset, num=CHUNK, withscores=True)
        else:
            rows = redis.zrangebyscore(scope.walked, edge, high, start=offset, num=CHUNK, withscores=True)
        for member, score in rows:
            position = Position(float(score), decode(member))
            if after is not None and (position >= after if newest_first else position <= after):
                continue
            yield Candidate(position, scope.site)
        if len(rows) < CHUNK:
            return
        last = float(rows[-1][1])
        offset = offset + len(rows) if last == edge else sum(1 for _, s in rows if float(s) == last)
        edge = last


def find_page(
    redis: Redis,
    scopes: list[Scope],
    *,
    comment_key: Callable[[str], str],
    after: Position | None,
    newest_first: bool,
    floor: float | None,
    limit: int,
    text: str | None,
) -> Found:
    """Walk the scopes merged in queue order; keep ids in every required set (and matching `text`)."""
    streams = [_walk(redis, scope, after, newest_first, floor) for scope in scopes]
    merged = heapq.merge(*streams, key=lambda c: c.position, reverse=newest_first)
    required = {scope.site: scope.required for scope in scopes}
    needle = text.casefold() if text else ""
    scanning = bool(needle) or any(len(r) > 1 for r in required.values())
    found: list[Candidate] = []
    scanned, read, last = 0, 0, None
    while len(found) <= limit:
        if scanning and (scanned >= SCAN_BUDGET or read >= SEARCH_BYTES):
            next_cursor = encode_cursor(last) if last else None
            return Found(found, next_cursor, scanned_all=False)
        size = CHUNK if scanning else limit + 1 - len(found)
        batch = list(itertools.islice(merged, size))
        if not batch:
            break
        kept, text_bytes = _kept(redis, batch, required, comment_key, needle)
        found.extend(kept)
        scanned, read, last = scanned + len(batch), read + text_bytes, batch[-1].position
    page = found[:limit]
    more = len(found) > limit
    return Found(page, encode_cursor(page[-1].position) if more and page else None, scanned_all=True)


def _kept(
    redis: Redis,
    batch: list[Candidate],
    required: dict[str, tuple[str, ...]],
    comment_key: Callable[[str], str],
    needle: str,
) -> tuple[list[Candidate], int]:
    """The batch's ids still in every set their site requires, and (when searching) whose text holds `needle`.

    Also how many bytes of text the search read (0 without a needle).
    """
    by_site: dict[str, list[str]] = {}
    for candidate in batch:
        by_site.setdefault(candidate.site, []).append(candidate.position.comment_id)
    checks = [(key, ids) for site, ids in by_site.items() for key in required[site]]
    if not needle and not checks:
        return batch, 0
    # One command per set and one script call for the texts, not one per id: redis-py's cost is per command.
    with redis.pipeline(transaction=False) as pipe:
        for key, ids in checks:
            pipe.zmscore(key, ids)
        if needle:
            keys = [comment_key(c.position.comment_id) for c in batch]
            ascii_needle = needle if needle.isascii() else ""
            redis.register_script(MATCH_TEXTS)(keys=keys, args=[ascii_needle, SEARCHED_CHARACTERS], client=pipe)
        results = pipe.execute()
    missing = {
        comment_id
        for (_, ids), scores in zip(checks, results, strict=False)
        for comment_id, score in zip(ids, scores, strict=True)
        if score is None
    }
    answers = results[len(checks)] if needle else [0]
    texts, text_bytes = iter(answers[:-1]), int(answers[-1])
    kept = []
    for candidate in batch:
        matches = True
        if needle:
            answer = next(texts)
            if isinstance(answer, list):
                body, name = decode(answer[0]), decode(answer[1])
                matches = needle in body.casefold() or needle in name.casefold()
            else:
                matches = answer == 1
        if matches and candidate.position.comment_id not in missing:
            kept.append(candidate)
    return kept, text_bytes
