"""Measure gunicorn worker classes for the web tier: throughput and latency (wrk), and idle, half-sent requests.

Needs `wrk` (Debian: `apt-get install wrk`). Each candidate is the production command
(service.web_server.gunicorn_command, 2 workers) with its worker class replaced.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from redis import Redis

from service.web_server import gunicorn_command
from workers.config import Settings
from workers.embedded_redis import EmbeddedRedis, free_port
from workers.policy import Policy
from workers.runtime import Runtime

ROOT = Path(__file__).resolve().parents[1]
WORKERS = 2
IDLE_SOCKETS = 64
HALF_A_HEADER = b"POST /api/v1/comments HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl"
CANDIDATES = {
    "sync (before)": ["--worker-class", "sync"],
    "gthread, 8 threads": ["--worker-class", "gthread", "--threads", "8"],
    "gevent (chosen)": [],
}
# Each wrk thread runs its own copy of the script: `setup` numbers them, so every request of the run
# has its own author e-mail and client IP (FIRST_OCTET.x.y.z) and the flood rule (15 s per IP and
# e-mail by default) never refuses one; another run within 15 s on the same site takes another FIRST_OCTET.
POST_SCRIPT = """
local threads_started = 0
setup = function(thread)
  thread:set("thread_number", threads_started)
  threads_started = threads_started + 1
end
counter = 0
request = function()
  counter = counter + 1
  local ip = string.format("FIRST_OCTET.%d.%d.%d", (thread_number * 16 + math.floor(counter / 62500)) % 250,
    math.floor(counter / 250) % 250, counter % 250 + 1)
  local body = string.format('{"thread_id":"bench/%d","author":{"name":"Reader",'
    .. '"email":"rFIRST_OCTET-%d-%d@example.org"},'
    .. '"body":"Comment number %d about the proposal, with a few more words.","client":{"ip":"%s"}}',
    counter % 50, thread_number, counter, counter, ip)
  return wrk.format("POST", "/api/v1/comments",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer SITE_KEY"}, body)
end
"""


def post_script(site_key: str, first_octet: int = 10) -> str:
    """The wrk script that POSTs a distinct comment (author, IP) each time, with the site's key."""
    return POST_SCRIPT.replace("SITE_KEY", site_key).replace("FIRST_OCTET", str(first_octet))


@dataclass(frozen=True)
class WrkRun:
    """What one wrk run measured, and the CPU time wrk itself used (user + system) over the run's wall time."""

    requests: int
    requests_per_second: float
    p50_ms: float | None
    p99_ms: float | None
    non_2xx: int
    timeouts: int
    cpu_seconds: float
    wall_seconds: float

    def describe(self) -> str:
        p50 = f"{self.p50_ms:.2f}ms" if self.p50_ms is not None else "-"
        p99 = f"{self.p99_ms:.2f}ms" if self.p99_ms is not None else "-"
        return (
            f"{self.requests_per_second:.0f} req/s, p50 {p50}, p99 {p99}, "
            f"non-2xx {self.non_2xx}, timeouts {self.timeouts}"
        )


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _milliseconds(text: str) -> float | None:
    """wrk's `1.23ms`, `456.78us`, `1.02s` in milliseconds."""
    found = re.fullmatch(r"([\d.]+)([a-z]+)", text)
    return float(found.group(1)) * _UNITS_MS[found.group(2)] if found else None


def run_wrk(url: str, seconds: int, script: Path | None = None, connections: int = 32) -> WrkRun:
    """One wrk run (2 threads): requests/s, p50 and p99 latency, non-2xx answers, and wrk's own CPU time."""
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if script:
        args += ["-s", str(script)]
    # wrk is the only child reaped meanwhile, so the children's rusage delta is wrk's CPU time.
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = re.search(r"(\d+) requests in", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"\s50%\s+(\S+)", out)
    p99 = re.search(r"\s99%\s+(\S+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    timeouts = re.search(r"timeout (\d+)", out)
    return WrkRun(
        requests=int(done.group(1)) if done else 0,
        requests_per_second=float(rps.group(1)) if rps else 0.0,
        p50_ms=_milliseconds(p50.group(1)) if p50 else None,
        p99_ms=_milliseconds(p99.group(1)) if p99 else None,
        non_2xx=int(errors.group(1)) if errors else 0,
        timeouts=int(timeouts.group(1)) if timeouts else 0,
        cpu_seconds=(after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
        wall_seconds=wall,
    )


def wrk(url: str, seconds: int, script: Path | None = None) -> str:
    """Requests/s, p50 and p99 latency, and non-2xx answers of one wrk run (2 threads, 32 connections)."""
    return run_wrk(url, seconds, script).describe()


def half_requests(port: int, count: int) -> list[socket.socket]:
    opened = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(HALF_A_HEADER)
        opened.append(s)
    return opened


def healthz_under_idle_sockets(base: str) -> str:
    """The slowest of four /healthz answers (fresh connections) while the idle sockets are held."""
    worst = 0.0
    for _ in range(4):
        start = time.monotonic()
        try:
            requests.get(f"{base}/healthz", timeout=10, headers={"Connection": "close"}).raise_for_status()
        except requests.RequestException:
            return "no answer within 10 s"
        worst = max(worst, time.monotonic() - start)
    return f"{worst * 1000:.0f} ms"


def seconds_until_dropped(port: int, cap: float = 45) -> str:
    (s,) = half_requests(port, 1)
    start = time.monotonic()
    try:
        while time.monotonic() - start < cap:
            s.settimeout(cap - (time.monotonic() - start))
            try:
                if not s.recv(4096):
                    return f"{time.monotonic() - start:.1f} s"
            except ConnectionResetError:
                return f"{time.monotonic() - start:.1f} s"
            except TimeoutError:
                break
        return f"not within {cap:.0f} s"
    finally:
        s.close()


def measure(name: str, extra: list[str], redis_url: str, key: str, script: Path) -> dict[str, str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = gunicorn_command(f"127.0.0.1:{port}", WORKERS)
    command[-1:-1] = extra  # later options win; the app stays last
    env = {**os.environ, "REDIS_URL": redis_url}
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                # Up and talking to Redis; /readyz is 503 without a worker, and this bench starts none.
                if requests.get(f"{base}/readyz", timeout=2).json()["checks"]["redis"]["ok"]:
                    break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        row = {"candidate": name}
        row["GET /healthz"] = wrk(f"{base}/healthz", 10)
        row["POST /api/v1/comments"] = wrk(base, 10, script)
        idle = half_requests(port, IDLE_SOCKETS)
        row[f"/healthz with {IDLE_SOCKETS} half-sent requests open"] = healthz_under_idle_sockets(base)
        for s in idle:
            s.close()
        row["half-sent request dropped after"] = seconds_until_dropped(port)
        return row
    finally:
        server.terminate()
        server.wait(30)


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    with tempfile.TemporaryDirectory() as tmp:
        redis_server = EmbeddedRedis(Path(tmp) / "redis")
        redis_server.start()
        try:
            rt = Runtime(Redis.from_url(redis_server.url), Settings(redis_url=redis_server.url))
            script = Path(tmp) / "post.lua"
            print(f"{os.cpu_count()} CPUs, {WORKERS} gunicorn workers, wrk -t2 -c32 for 10 s each", flush=True)
            for name, extra in CANDIDATES.items():
                rt.connection.flushdb()  # each candidate starts from an empty store
                site = rt.sites.create("bench")
                rt.sites.set_policy(site.site_id, Policy(flood_seconds=0))
                script.write_text(post_script(site.key))
                for column, value in measure(name, extra, redis_server.url, site.key, script).items():
                    print(f"{column}: {value}", flush=True)
                print(flush=True)
        finally:
            redis_server.stop()


if __name__ == "__main__":
    main()
