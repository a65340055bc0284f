"""The machine a benchmark ran on, and a calibration figure so runs on different machines can be compared."""

from __future__ import annotations

import os
import platform
import time
from importlib.metadata import version
from pathlib import Path

from redis import Redis


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def _memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024**2
    return 0.0


def _server_version(connection: Redis) -> str:
    info = connection.info("server")
    if "valkey_version" in info:
        return f"valkey {info['valkey_version']}"
    return f"redis {info.get('redis_version', '?')}"


def describe(connection: Redis) -> str:
    """CPU model and cores, RAM, load average, and the versions of Python, the server, RQ and gunicorn."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{_cpu_model()}, {os.cpu_count()} cores, {_memory_gib():.0f} GiB RAM (load average at start {load}); "
        f"Python {platform.python_version()}, {_server_version(connection)}, RQ {version('rq')}, "
        f"gunicorn {version('gunicorn')}, gevent {version('gevent')}, redis-py {version('redis')}"
    )


def calibration() -> float:
    """A fixed pure-Python loop's iterations per second (best of 7): how fast one core runs Python now."""
    loops = 200_000
    best = float("inf")
    for _ in range(7):
        started = time.perf_counter()
        total = 0
        for i in range(loops):
            total += i * i % 7
        best = min(best, time.perf_counter() - started)
    return loops / best
