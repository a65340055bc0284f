"""Liveness (the process answers) and readiness (comments are flowing: Redis, a live worker, a young queue)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from workers.queue_health import check_readiness
from workers.redis_policy import eviction_warning

from .extensions import runtime

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """200 while the process answers; no Redis call, so a load balancer's poll costs nothing."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """200 when every check passes, else 503; the body holds figures only (reasons go to the log).

    `warnings` name what is wrong but does not stop comments flowing (an evicting memory policy):
    an orchestrator must not take the service down for it, so it never fails the probe.
    """
    rt = runtime()
    readiness = check_readiness(rt.connection, rt.keys, rt.settings.worker_ttl, rt.settings.ready_queue_age)
    warning = eviction_warning(rt.connection) if readiness.redis_ok else None
    body = {**readiness.as_dict(), "warnings": [warning] if warning else []}
    return jsonify(body), 200 if readiness.ready else 503
