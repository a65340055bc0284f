"""The operators' page at /ops (admins only) and rq-dashboard's job browser mounted at /ops/rq."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, request

from .rq_mount import is_admin, mount_dashboard

PREFIX = "/ops"

bp = Blueprint(
    "ops",
    __name__,
    url_prefix=PREFIX,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


def admins_only() -> None:
    """Everyone but a logged-in admin, at any path under /ops and by any method: the plain 404 of an unknown page.

    App-wide, so it answers before routing does (a 405 with `Allow: POST` to a GET of an action would
    say the action exists) and before the CSRF check (whose 400 would say a form is there).
    """
    if (request.path == PREFIX or request.path.startswith(PREFIX + "/")) and not is_admin():
        abort(404)


def guard(app: Flask) -> None:
    """Put `admins_only` in front of the app's request handling (call it before the CSRF check is set up)."""
    app.before_request(admins_only)


def register(app: Flask) -> None:
    """Attach the page's routes to the blueprint, then the blueprint to the app."""
    from . import views  # noqa: F401 - importing it adds its routes to `bp`

    app.register_blueprint(bp)


__all__ = ["bp", "guard", "mount_dashboard", "register"]
