"""Liveness (the process answers) and readiness (Redis answers)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from .extensions import runtime

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    try:
        runtime().connection.ping()
    except Exception as exc:
        return jsonify(status="unavailable", redis=str(exc)), 503
    return jsonify(status="ready", redis="ok"), 200
