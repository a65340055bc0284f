"""Liveness (the process answers) and readiness (comments are flowing: Redis, a live worker, a young queue)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from workers.queue_health import check_readiness

from .extensions import runtime

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """200 while the process answers; no Redis call, so a load balancer's poll costs nothing."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """200 when every check passes, else 503; the body holds figures only (reasons go to the log)."""
    rt = runtime()
    readiness = check_readiness(rt.connection, rt.keys, rt.settings.worker_ttl, rt.settings.ready_queue_age)
    return jsonify(readiness.as_dict()), 200 if readiness.ready else 503
