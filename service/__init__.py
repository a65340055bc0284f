"""The HTTP edge of commentgate: the Flask app factory."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from workers.config import Settings

if TYPE_CHECKING:
    from flask import Flask

MAX_BODY = 1024 * 1024  # 1 MiB: larger bodies get 413 before they are read


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. `config` may hold Flask settings and `SETTINGS` (a workers.config.Settings)."""
    # Imported here, not at the top: gunicorn's master imports this package for its logger class
    # (service.gunicorn_logging) before it forks gevent workers, and Flask imports ssl, which gevent
    # must patch before anything imports it.
    from flask import Flask

    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY, JSON_SORT_KEYS=False)
    if config:
        app.config.update(config)
    settings = app.config.get("SETTINGS") or Settings.from_env()

    from . import accounts, extensions, health, log_context, metrics, moderate, ops, security_headers
    from .api import moderation_actions, moderation_reads, openapi, problems, reports, views

    extensions.init_app(app, settings)
    metrics.init_app(app)
    # Before accounts: ProxyFix (set there) must wrap the mount, so the mount's origin check sees fixed hosts.
    ops.mount_dashboard(app, app.extensions["commentgate"])
    problems.init_app(app)
    log_context.init_app(app)
    security_headers.init_app(app)
    ops.guard(app)  # before accounts' CSRF check: a non-admin's POST under /ops gets the 404, not its 400
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
