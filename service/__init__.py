"""The HTTP edge of commentgate: the Flask app factory."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from workers.config import Settings

MAX_BODY = 1024 * 1024  # 1 MiB: larger bodies get 413 before they are read


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. `config` may hold Flask settings and `SETTINGS` (a workers.config.Settings)."""
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY, JSON_SORT_KEYS=False)
    if config:
        app.config.update(config)
    settings = app.config.get("SETTINGS") or Settings.from_env()

    from . import accounts, extensions, health, moderate, ops, security_headers
    from .api import moderation_actions, moderation_reads, openapi, problems, reports, views

    extensions.init_app(app, settings)
    # Before accounts: ProxyFix (set there) must wrap the mount, so the mount's origin check sees fixed hosts.
    ops.mount_dashboard(app, app.extensions["commentgate"])
    problems.init_app(app)
    security_headers.init_app(app)
    accounts.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(moderation_reads.bp)
    app.register_blueprint(moderation_actions.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(health.bp)
    moderate.register(app)
    ops.register(app)
    return app
