"""The operators' page at /ops (admins only) and rq-dashboard's job browser mounted at /ops/rq."""

from __future__ import annotations

from flask import Blueprint, Flask

from .rq_mount import mount_dashboard

bp = Blueprint(
    "ops",
    __name__,
    url_prefix="/ops",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


def register(app: Flask) -> None:
    """Attach the page's routes to the blueprint, then the blueprint to the app."""
    from . import views  # noqa: F401 - importing it adds its routes to `bp`

    app.register_blueprint(bp)


__all__ = ["bp", "mount_dashboard", "register"]
