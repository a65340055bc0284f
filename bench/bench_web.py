"""Measure gunicorn worker classes for the web tier: throughput and latency (wrk), and idle, half-sent requests.

Needs `wrk` (Debian: `apt-get install wrk`). Each candidate is the production command
(service.web_server.gunicorn_command, 2 workers) with its worker class replaced.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
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
POST_SCRIPT = """
counter = 0
request = function()
  counter = counter + 1
  local body = string.format('{"thread_id":"bench/%%d","author":{"name":"Reader","email":"r%%d@example.org"},'
    .. '"body":"Comment number %%d about the proposal, with a few more words.","client":{"ip":"203.0.113.%%d"}}',
    counter %% 50, counter, counter, counter %% 250 + 1)
  return wrk.format("POST", "/api/v1/comments",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer %s"}, body)
end
"""


def wrk(url: str, seconds: int, script: Path | None = None) -> str:
    """Requests/s, p50 and p99 latency, and non-2xx answers of one wrk run (2 threads, 32 connections)."""
    args = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if script:
        args += ["-s", str(script)]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"\s50%\s+(\S+)", out)
    p99 = re.search(r"\s99%\s+(\S+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    timeouts = re.search(r"timeout (\d+)", out)
    return (
        f"{float(rps.group(1)) if rps else 0:.0f} req/s, p50 {p50.group(1) if p50 else '-'}, "
        f"p99 {p99.group(1) if p99 else '-'}, non-2xx {errors.group(1) if errors else 0}, "
        f"timeouts {timeouts.group(1) if timeouts else 0}"
    )


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
                script.write_text(POST_SCRIPT % site.key)
                for column, value in measure(name, extra, redis_server.url, site.key, script).items():
                    print(f"{column}: {value}", flush=True)
                print(flush=True)
        finally:
            redis_server.stop()


if __name__ == "__main__":
    main()
