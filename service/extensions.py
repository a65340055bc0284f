"""The app's one Redis client and runtime, made in the factory and kept in `app.extensions`."""

from __future__ import annotations

from flask import Flask, current_app
from redis import BlockingConnectionPool, Redis

from workers.config import Settings
from workers.runtime import Runtime


def init_app(app: Flask, settings: Settings) -> None:
    if not settings.redis_url:
        raise RuntimeError("REDIS_URL is not set: `make run` sets it, or point it at your Redis")
    # Blocking: a gevent process serves up to WORKER_CONNECTIONS requests at once, more than the pool
    # holds; past the pool a request waits (cooperatively) for a connection rather than failing.
    pool = BlockingConnectionPool.from_url(
        settings.redis_url,
        max_connections=settings.redis_max_connections,
        timeout=settings.redis_pool_timeout,
        socket_connect_timeout=2,
        socket_timeout=5,
        health_check_interval=30,
        retry_on_timeout=False,
    )
    connection = Redis(connection_pool=pool)
    app.extensions["commentgate"] = Runtime(connection, settings)


def runtime() -> Runtime:
    rt: Runtime = current_app.extensions["commentgate"]
    return rt
