"""Moderators on the web: login and logout, who is logged in, and the CSRF check on every page's form and fetch.

Pages use `current_moderator()` or `@moderator_required`; the account is read again on every request,
so a removed account, a changed role or a reset password applies at the next request.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import Flask, Response, abort, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, login_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response as BaseResponse

from workers.moderators import Moderator
from workers.runtime import Runtime

from ..extensions import runtime
from . import sessions

P = ParamSpec("P")
R = TypeVar("R")

PAGES_PREFIX = "/moderate"
API_PREFIX = "/api/"
# Which password this session logged in with: the account's password stamp (when it was last reset),
# read before the password was checked. A reset changes the stamp, and a session whose stamp no longer
# matches is over: also one whose login was still being checked when the reset landed.
PASSWORD_STAMP = "password_stamp"  # noqa: S105 (a session key name, not a password)

login_manager = LoginManager()
# No "fresh login" checks are used, and Flask-Login's basic protection would write to the session on
# every request whose IP or browser differs: a refused request must change nothing.
login_manager.session_protection = None
csrf = CSRFProtect()


class SessionUser(UserMixin):
    """What Flask-Login keeps for the request: the moderator as the store has them now."""

    def __init__(self, moderator: Moderator) -> None:
        self.moderator = moderator

    def get_id(self) -> str:
        return self.moderator.id


@login_manager.user_loader
def _load(moderator_id: str) -> SessionUser | None:
    rt = runtime()
    moderator = rt.moderators.get(moderator_id)
    if moderator is None or session.get(PASSWORD_STAMP) != password_stamp(rt, moderator_id):
        session.clear()  # removed, or its password was reset since: this session is over (deleted from Redis)
        return None
    return SessionUser(moderator)


def _wants_json() -> bool:
    """A page's `fetch` (it sends the CSRF header or asks for JSON) gets JSON errors, not an HTML page."""
    return "X-CSRFToken" in request.headers or request.accept_mimetypes.best == "application/json"


@login_manager.unauthorized_handler
def _unauthorized() -> BaseResponse:
    if _wants_json():
        return Response('{"error": "login required"}', status=401, mimetype="application/json")
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def current_moderator() -> Moderator:
    """The logged-in moderator; otherwise the request ends here (login page, or 401 for a fetch)."""
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    user: SessionUser = current_user._get_current_object()
    return user.moderator


def moderator_required(view: Callable[P, R]) -> Callable[P, R]:
    """A page or fetch endpoint only a logged-in moderator reaches."""

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        current_moderator()
        return view(*args, **kwargs)

    return wrapped


def password_stamp(rt: Runtime, moderator_id: str) -> str:
    """The account's password version as a session keeps it (compared for equality, never as a clock)."""
    return repr(rt.moderators.password_changed_at(moderator_id))


def start_session(moderator: Moderator, stamp: str) -> None:
    """Log in on a fresh session id (the old one is deleted, against fixation), with the stamp read before the check."""
    # Regenerate first: Flask-Session leaves an empty session's id as it is. (An id with nothing stored
    # behind it is never adopted: Flask-Session makes a new one, so there is nothing to fix then.)
    current_app.session_interface.regenerate(session)  # type: ignore[attr-defined]
    session.clear()
    login_user(SessionUser(moderator))
    session[PASSWORD_STAMP] = stamp


def _protect() -> None:
    """Every state-changing request outside the bearer-token API carries the CSRF token."""
    if request.path.startswith(API_PREFIX):
        return
    if request.path.startswith(PAGES_PREFIX) and not runtime().settings.secret_key:
        abort(503, "COMMENTGATE_SECRET_KEY is not set: the moderators' pages are off (docs/operations.md).")
    if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
        csrf.protect()


def _csrf_refused(exc: CSRFError) -> tuple[Response | str, int]:
    if _wants_json():
        return jsonify(error="csrf", detail=exc.description), 400
    return render_template("accounts/error.html", title="Form expired or forged", detail=exc.description), 400


def init_app(app: Flask) -> None:
    """Sessions, Flask-Login and CSRF on the app; the login pages' blueprint."""
    rt: Runtime = app.extensions["commentgate"]
    if rt.settings.trusted_proxies:
        hops = rt.settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    app.secret_key = rt.settings.secret_key or None
    app.config.update(WTF_CSRF_CHECK_DEFAULT=False, WTF_CSRF_TIME_LIMIT=None, WTF_CSRF_HEADERS=["X-CSRFToken"])
    sessions.init_app(app, rt)
    login_manager.init_app(app)
    csrf.init_app(app)
    app.before_request(_protect)
    app.register_error_handler(CSRFError, _csrf_refused)

    from .views import bp

    app.register_blueprint(bp)


__all__ = ["current_moderator", "init_app", "moderator_required"]
