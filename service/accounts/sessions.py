"""Server-side sessions in Redis (Flask-Session), with cookies that are HttpOnly, SameSite=Lax and Secure.

`COMMENTGATE_SECURE_COOKIES=auto` marks cookies Secure except when a local browser spoke plain HTTP to
us directly: the peer is loopback, the Host is localhost, 127.0.0.1 or ::1, and no proxy header
(X-Forwarded-*, Forwarded) is present. `make run` works in a local browser; a reverse proxy (whose
requests come from loopback, often with Host 127.0.0.1) or any public address only ever gets Secure.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, has_request_context, request
from flask_session.base import ServerSideSession
from flask_session.redis import RedisSessionInterface

from workers.runtime import Runtime

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})
LOOPBACK_PEERS = frozenset({"127.0.0.1", "::1"})
PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Port")
COOKIE_NAME = "commentgate_session"
# A visitor who is not logged in still gets a session (it holds the login form's CSRF token); it is kept
# only this long, so requests for the login page cannot fill Redis for the whole session lifetime.
ANONYMOUS_SESSION_SECONDS = 30 * 60


def cookie_secure(mode: str) -> bool:
    """Whether this request's cookies get the Secure flag under the setting `mode` (auto|true|false)."""
    mode = mode.strip().lower()
    if mode in ("true", "1", "yes"):
        return True
    if mode in ("false", "0", "no"):
        return False
    if not has_request_context():
        return True
    return not _local_browser()


def _local_browser() -> bool:
    """Plain HTTP from a browser on this machine, straight to us (no proxy in between)."""
    # The raw environ: ProxyFix may have rewritten REMOTE_ADDR and the scheme from a proxy's headers.
    environ = request.environ
    peer = environ.get("werkzeug.proxy_fix.orig", {}).get("REMOTE_ADDR", environ.get("REMOTE_ADDR", ""))
    return (
        request.scheme == "http"
        and peer in LOOPBACK_PEERS
        and request.host.rsplit(":", 1)[0] in LOCAL_HOSTS
        and not any(name in request.headers for name in PROXY_HEADERS)
    )


class Sessions(RedisSessionInterface):
    """Flask-Session's Redis sessions, Secure decided per request (see the module's docstring)."""

    def __init__(self, app: Flask, rt: Runtime) -> None:
        super().__init__(app, client=rt.connection, key_prefix=rt.keys.sessions(), permanent=True)
        self.secure_mode = rt.settings.secure_cookies

    def get_cookie_secure(self, app: Flask) -> bool:
        return cookie_secure(self.secure_mode)

    def _upsert_session(self, session_lifetime: timedelta, session: ServerSideSession, store_id: str) -> None:
        if "_user_id" not in session:  # Flask-Login's key: nobody is logged in on this session
            session_lifetime = min(session_lifetime, timedelta(seconds=ANONYMOUS_SESSION_SECONDS))
        super()._upsert_session(session_lifetime, session, store_id)


def init_app(app: Flask, rt: Runtime) -> None:
    app.config.update(
        SESSION_COOKIE_NAME=COOKIE_NAME,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(seconds=rt.settings.session_lifetime_seconds),
        # Only a changed session is written: reading a page does not extend a stolen cookie's life.
        SESSION_REFRESH_EACH_REQUEST=False,
    )
    app.session_interface = Sessions(app, rt)
