"""Liveness (the process answers) and readiness (comments are flowing: Redis, a live worker, a young queue)."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, jsonify

from workers.queue_health import check_readiness
from workers.redis_policy import EVICTION_CODE, eviction_warning

from .extensions import runtime

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """200 while the process answers; no Redis call, so a load balancer's poll costs nothing."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """200 when every check passes, else 503; the body holds figures only (reasons go to the log).

    `warnings` are codes for what is wrong but does not stop comments flowing (an evicting memory
    policy): an orchestrator must not take the service down for it, so it never fails the probe.
    Anyone may ask, so the sentence that names Redis's configuration goes to the log (once per
    process for each policy seen), `commentgate status` and the ops page, not to the answer.
    """
    rt = runtime()
    readiness = check_readiness(rt.connection, rt.keys, rt.settings.worker_ttl, rt.settings.ready_queue_age)
    warning = eviction_warning(rt.connection) if readiness.redis_ok else None
    logged: set[str] = current_app.extensions.setdefault("readyz_warnings_logged", set())
    if warning and warning not in logged:
        log.warning("%s", warning)
        logged.add(warning)
    body = {**readiness.as_dict(), "warnings": [EVICTION_CODE] if warning else []}
    return jsonify(body), 200 if readiness.ready else 503
