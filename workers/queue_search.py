"""Walking a review queue in order: the cursor, the filters' facet sets, and text search within a budget.

A page is found by walking one sorted set in order from the cursor, a chunk at a time: the main
queue, or with filters the smallest of their facet sets, each id checked (ZSCORE) against the
other filters' sets and the main queue, so an id a facet still lists after leaving the queue is
ignored. Text search reads the body and the author's name (HMGET) of each id walked and matches
case-insensitively. Both stop once the page is full or after SCAN_BUDGET ids: then the page says it
did not scan everything, and its cursor continues where the scan stopped.
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
SCAN_BUDGET = 5000  # ids one page examines at most when filters intersect or text is searched


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
    scanned, last = 0, None
    while len(found) <= limit:
        if scanning and scanned >= SCAN_BUDGET:
            next_cursor = encode_cursor(last) if last else None
            return Found(found, next_cursor, scanned_all=False)
        size = CHUNK if scanning else limit + 1 - len(found)
        batch = list(itertools.islice(merged, size))
        if not batch:
            break
        found.extend(_kept(redis, batch, required, comment_key, needle))
        scanned, last = scanned + len(batch), batch[-1].position
    page = found[:limit]
    more = len(found) > limit
    return Found(page, encode_cursor(page[-1].position) if more and page else None, scanned_all=True)


def _kept(
    redis: Redis,
    batch: list[Candidate],
    required: dict[str, tuple[str, ...]],
    comment_key: Callable[[str], str],
    needle: str,
) -> list[Candidate]:
    """The batch's ids still in every set their site requires, and (when searching) whose text holds `needle`."""
    checks = [(c, required[c.site]) for c in batch]
    if not needle and not any(keys for _, keys in checks):
        return batch
    with redis.pipeline(transaction=False) as pipe:
        for candidate, keys in checks:
            for key in keys:
                pipe.zscore(key, candidate.position.comment_id)
            if needle:
                pipe.hmget(comment_key(candidate.position.comment_id), ["body", "author_name"])
        results = iter(pipe.execute())
    kept = []
    for candidate, keys in checks:
        present = all([next(results) is not None for _ in keys])
        matches = True
        if needle:
            body, name = next(results)
            matches = needle in decode(body).casefold() or needle in decode(name).casefold()
        if present and matches:
            kept.append(candidate)
    return kept
