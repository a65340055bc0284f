"""Liveness (the process answers) and readiness (Redis answers)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify
from redis.exceptions import RedisError

from .extensions import runtime

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """200 when Redis answers; 503 otherwise, with the reason in the log only (it names hosts and ports)."""
    try:
        runtime().connection.ping()
    except (RedisError, OSError) as exc:
        current_app.logger.warning("readyz: Redis does not answer: %s", exc)
        return jsonify(status="unavailable"), 503
    return jsonify(status="ready", redis="ok"), 200
