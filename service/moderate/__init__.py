"""The moderator's desk at /moderate: queue pages, the audit page, and the fetch endpoints their script calls."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint(
    "moderate",
    __name__,
    url_prefix="/moderate",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


def register(app: Flask) -> None:
    """Attach the desk's routes, filters and error pages to the blueprint, then the blueprint to the app."""
    from . import actions, presentation, views  # noqa: F401 - importing them adds their routes to `bp`

    app.register_blueprint(bp)
