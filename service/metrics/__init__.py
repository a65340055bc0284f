"""`/metrics`: Prometheus text with this web tier's HTTP figures and the figures read from Redis."""

from __future__ import annotations

import hmac

from flask import Blueprint, Flask, Response, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from workers.runtime import Runtime

from . import http_figures
from .redis_figures import RedisCollector

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
def metrics() -> Response:
    """Every commentgate_* figure; with COMMENTGATE_METRICS_TOKEN set, only for `Bearer <token>`."""
    rt: Runtime = current_app.extensions["commentgate"]
    token = rt.settings.metrics_token
    if token:
        given = request.headers.get("Authorization", "").encode()
        if not hmac.compare_digest(given, f"Bearer {token}".encode()):
            return Response(status=401, headers={"WWW-Authenticate": "Bearer"})
    figures: http_figures.HttpFigures = current_app.extensions["http_figures"]
    return Response(generate_latest(figures.registry), content_type=CONTENT_TYPE_LATEST)


def init_app(app: Flask) -> None:
    """HTTP figures on every request, the Redis collector, and the `/metrics` route."""
    http_figures.init_app(app)
    figures: http_figures.HttpFigures = app.extensions["http_figures"]
    figures.registry.register(RedisCollector(app.extensions["commentgate"]))
    app.register_blueprint(bp)
