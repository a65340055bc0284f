"""A fixed-rate load generator for `POST /api/v1/comments`, run as its own process (Debian has no wrk2).

    python -m bench.fixed_rate '{"port": 8000, "key": "...", "rate": 100, "seconds": 20, ...}'

Request i is due at start + i / rate. Each of `connections` kept-alive connections takes the next
due request, waits for its time, sends it and reads the answer; a request's latency runs from when
it was DUE, not from when it was sent, so a slow server's backlog counts against it (no coordinated
omission). Each request is a distinct comment: its own author e-mail and client IP, so the flood rule
never refuses one. With `events`, the site's events feed is read meanwhile on another connection,
and each accepted comment's decision time (due → first seen in the feed) is kept too.
Prints one JSON object: latencies, answers by status, decision times, and this process's CPU time.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from dataclasses import dataclass, field
from typing import Any

EVENTS_POLL_SECONDS = 0.005
DECISION_WAIT_SECONDS = 20.0


@dataclass
class Run:
    """One run's settings (from the JSON argument) and what it recorded."""

    port: int
    key: str
    rate: float
    seconds: float
    connections: int = 32
    first_octet: int = 20
    events_site: str = ""
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    due_of: dict[str, float] = field(default_factory=dict)  # accepted comment id -> when it was due
    decided_ms: dict[str, float] = field(default_factory=dict)
    next_index: int = 0


def comment_body(i: int, first_octet: int) -> bytes:
    """Comment number i: its own author e-mail and client IP."""
    ip = f"{first_octet}.{i // 62_500 % 250}.{i // 250 % 250}.{i % 250 + 1}"
    return json.dumps(
        {
            "thread_id": f"bench/{i % 50}",
            "author": {"name": "Reader", "email": f"reader{first_octet}-{i}@example.org"},
            "body": f"Comment number {i} about the proposal, with a few more words on the council's plan.",
            "client": {"ip": ip},
        }
    ).encode()


def request_bytes(method: str, path: str, port: int, key: str, body: bytes = b"") -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {key}\r\n"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


async def exchange(
    streams: tuple[asyncio.StreamReader, asyncio.StreamWriter], request: bytes
) -> tuple[int, bytes, bool]:
    """Send one request and read its answer: status, body, and whether the server keeps the connection."""
    reader, writer = streams
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, body, headers.get("connection", "").lower() != "close"


async def connect(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", port)


async def sender(run: Run, start: float, total: int) -> None:
    """One connection: take the next due request, send it at its time, record from its due time."""
    streams = await connect(run.port)
    loop = asyncio.get_running_loop()
    while run.next_index < total:
        i = run.next_index
        run.next_index += 1
        due = start + i / run.rate
        if (wait := due - loop.time()) > 0:
            await asyncio.sleep(wait)
        request = request_bytes("POST", "/api/v1/comments", run.port, run.key, comment_body(i, run.first_octet))
        try:
            status, body, keep = await exchange(streams, request)
        except (ConnectionError, asyncio.IncompleteReadError):
            status, body, keep = 0, b"", False
        run.latencies_ms.append((loop.time() - due) * 1000)
        run.statuses[str(status)] = run.statuses.get(str(status), 0) + 1
        if status == 202 and run.events_site:
            run.due_of[json.loads(body)["id"]] = due
        if not keep:
            streams[1].close()
            streams = await connect(run.port)
    streams[1].close()


async def read_events(run: Run, senders_done: asyncio.Event) -> None:
    """Follow the site's events feed; note when each accepted comment's decision first shows."""
    streams = await connect(run.port)
    loop = asyncio.get_running_loop()
    after = ""
    deadline = None
    while True:
        path = f"/api/v1/sites/{run.events_site}/events?limit=200" + (f"&after={after}" if after else "")
        status, body, _keep = await exchange(streams, request_bytes("GET", path, run.port, run.key))
        seen = loop.time()
        if status != 200:
            raise RuntimeError(f"events feed answered {status}: {body[:200]!r}")
        page = json.loads(body)
        for item in page["items"]:
            comment_id = item["comment"]["id"]
            if comment_id in run.due_of and comment_id not in run.decided_ms:
                run.decided_ms[comment_id] = (seen - run.due_of[comment_id]) * 1000
        after = page["next_after"] or ""
        if senders_done.is_set():
            deadline = deadline or loop.time() + DECISION_WAIT_SECONDS
            if len(run.decided_ms) >= len(run.due_of) or loop.time() > deadline:
                break
        if not page["items"]:
            await asyncio.sleep(EVENTS_POLL_SECONDS)
    streams[1].close()


async def drive(run: Run) -> float:
    loop = asyncio.get_running_loop()
    total = int(run.rate * run.seconds)
    start = loop.time() + 0.2  # every connection is open before the first request is due
    senders_done = asyncio.Event()
    follower = asyncio.create_task(read_events(run, senders_done)) if run.events_site else None
    await asyncio.gather(*(sender(run, start, total) for _ in range(run.connections)))
    sending = loop.time() - start
    senders_done.set()
    if follower:
        await follower
    return sending


def main(argv: list[str]) -> None:
    run = Run(**json.loads(argv[1]))
    wall_start = time.monotonic()
    sending = asyncio.run(drive(run))
    wall = time.monotonic() - wall_start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out: dict[str, Any] = {
        "latencies_ms": run.latencies_ms,
        "statuses": run.statuses,
        "decided_ms": list(run.decided_ms.values()),
        "accepted": len(run.due_of) if run.events_site else run.statuses.get("202", 0),
        "sending_seconds": sending,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "wall_seconds": wall,
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv)
