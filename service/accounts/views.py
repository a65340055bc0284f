"""The login page, logout, and the account page (who is logged in, with which role and sites)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, redirect, render_template, request, session
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response as BaseResponse

from workers.login_limits import LoginLimits

from ..extensions import runtime
from . import current_moderator, moderator_required, password_stamp, start_session

bp = Blueprint("accounts", __name__, url_prefix="/moderate", template_folder="templates")

HOME = "/moderate/"
WRONG = "Wrong e-mail or password."  # one message for both: the page never tells which accounts exist


def _safe_next(target: str | None) -> str:
    """Where to go after login: a page under /moderate/ only, else home (no open redirect)."""
    if not target or not target.startswith(HOME) or "\\" in target:
        return HOME
    # Browsers drop tabs and newlines from a Location (`/\t/host` becomes `//host`): refuse any such character.
    if any(c.isspace() or not c.isprintable() for c in target):
        return HOME
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "//" in parts.path:
        return HOME
    return target


def _limits() -> LoginLimits:
    rt = runtime()
    return LoginLimits(rt.connection, rt.keys, rt.settings)


def _form(status: int = 200, error: str = "", email: str = "", headers: dict[str, str] | None = None) -> Response:
    page = render_template("accounts/login.html", error=error, email=email, next=_safe_next(request.values.get("next")))
    return Response(page, status=status, headers=headers, mimetype="text/html")


@bp.get("/login")
def login() -> BaseResponse:
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    return _form()


@bp.post("/login")
def login_submit() -> BaseResponse:
    email = request.form.get("email", "").strip()
    password = request.form.get("password", "")
    ip = request.remote_addr or ""
    limits = _limits()
    wait = limits.attempt(email, ip)  # counted before the check: concurrent guesses cannot overtake the count
    if wait:  # refused before any password is checked: guessing gets no answer at all
        message = f"Too many failed logins. Try again in {(wait + 59) // 60} minute(s)."
        return _form(429, message, email, headers={"Retry-After": str(wait)})
    rt = runtime()
    # Read before the (slow) check: a reset landing during it leaves this stamp behind, ending the session.
    account = rt.moderators.by_email(email) if email else None
    stamp = password_stamp(rt, account.id) if account else ""
    moderator = rt.moderators.verify_password(email, password) if email and password else None
    if moderator is None:
        return _form(401, WRONG, email)
    limits.succeeded(email, ip)
    start_session(moderator, stamp if account and account.id == moderator.id else "")  # "" never matches
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/logout")
def logout() -> BaseResponse:
    """End the session: its Redis entry is deleted, so the old cookie is worth nothing."""
    logout_user()
    session.clear()
    return redirect("/moderate/login")


@bp.get("/account")
@moderator_required
def account() -> str:
    return render_template("accounts/account.html", moderator=current_moderator())
