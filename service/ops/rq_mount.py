"""rq-dashboard mounted at /ops/rq as its own WSGI app, reached only by an admin of our session.

Its app is built once here and never swapped per request: it gets the web's one Redis client (its own
per-request `from_url` connection swap is replaced), and every answer carries a strict CSP. Requests
are checked before dispatch, in our app's request context: anyone but a logged-in admin is passed on
to our app, which has no route there (the same 404 as any unknown page); a state-changing request
must come from our own origin (see `same_origin`) and be a script's request (see `from_script`),
since the dashboard's buttons cannot send our CSRF token.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import rq_dashboard
from flask import Flask, Response, abort, request
from flask_login import current_user
from jinja2 import BaseLoader, ChoiceLoader, Environment, PackageLoader, TemplateNotFound
from rq.exceptions import NoSuchJobError
from rq_dashboard.web import blueprint as dashboard_blueprint
from werkzeug.exceptions import Forbidden, HTTPException

from workers.runtime import Runtime

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

PREFIX = "/ops/rq"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# rq-dashboard's view that re-queues every failed job answers GET too: a link on another site could do it.
CHANGES_ON_GET = frozenset({"rq_dashboard.requeue_all"})
# Its pages run one inline script (allowed by its hash, computed per answer) and compile underscore
# templates with `new Function` ('unsafe-eval'); no inline event handler or injected <script> runs,
# and markup in a job's text, were any still inserted raw, could load nothing.
DASHBOARD_CSP = [
    "default-src 'self'",
    "script-src 'self' 'unsafe-eval'",  # + the hashes of the answer's inline scripts
    "style-src 'self' 'unsafe-inline'",  # its markup carries style attributes
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
]
# Its client-side (underscore) templates that put a job's fields into the page with `<%= %>`, raw markup:
# served with `<%- %>`, which HTML-escapes. (Its jobs list escapes by hand with jQuery's .text(): left as is.)
ESCAPED_TEMPLATES = frozenset({"rq_dashboard/job.html", "rq_dashboard/workers.html"})
INLINE_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.DOTALL | re.IGNORECASE)


def is_admin() -> bool:
    """Whether the request's session is a logged-in admin (read again from the store on every request)."""
    return bool(current_user.is_authenticated and current_user.moderator.is_admin)


def same_origin() -> bool:
    """The request's Origin (or, without one, its Referer) names this host under the request's own scheme.

    Our session cookie is SameSite=Lax, so another site's POST arrives without it; this also refuses a
    sibling site under the same domain (which SameSite counts as "same site") and any request that
    names no origin at all. Browsers send Origin on every POST, the dashboard's own included. The scheme
    counts (as behind ProxyFix the request's is the forwarded one): a page served over plain http, which
    anyone on the path can write, is not the https ops page.
    """
    claimed = request.headers.get("Origin") or request.headers.get("Referer") or ""
    if not claimed or claimed == "null":
        return False
    origin = urlsplit(claimed)
    return origin.scheme.lower() == request.scheme and origin.netloc.lower() == request.host.lower()


def from_script() -> bool:
    """The request says it was sent by a script, as the dashboard's jQuery `$.post` says of every same-origin call.

    A plain HTML form cannot set a header; so markup that slipped into one of the dashboard's pages (a
    form posting to one of its buttons' URLs) passes `same_origin` but not this.
    """
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def _inline_script_hashes(page: str) -> list[str]:
    """CSP source expressions for the page's own inline scripts (templates of type text/template never run)."""
    hashes = []
    for match in INLINE_SCRIPT.finditer(page):
        attrs = match.group("attrs").lower()
        if "src=" in attrs or "text/template" in attrs:
            continue
        digest = hashlib.sha256(match.group("body").encode()).digest()
        hashes.append(f"'sha256-{base64.b64encode(digest).decode()}'")
    return hashes


class EscapingTemplates(BaseLoader):
    """The dashboard's own templates of ESCAPED_TEMPLATES, with every raw `<%= %>` turned into an escaping `<%- %>`."""

    def __init__(self) -> None:
        self.package = PackageLoader(rq_dashboard.__name__, "templates")

    def get_source(self, environment: Environment, template: str) -> tuple[str, str | None, Any]:
        if template not in ESCAPED_TEMPLATES:
            raise TemplateNotFound(template)
        source, filename, uptodate = self.package.get_source(environment, template)
        return source.replace("<%=", "<%-"), filename, uptodate


def _secure_headers(response: Response) -> Response:
    """The dashboard's pages get a CSP that lets its own inline script run and nothing injected."""
    hashes = _inline_script_hashes(response.get_data(as_text=True)) if response.mimetype == "text/html" else []
    script_src = " ".join([DASHBOARD_CSP[1], *hashes])
    response.headers["Content-Security-Policy"] = "; ".join([DASHBOARD_CSP[0], script_src, *DASHBOARD_CSP[2:]])
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


def dashboard_app(rt: Runtime) -> Flask:
    """rq-dashboard's blueprint on an app of its own, on our Redis client (made once, shared with the web)."""
    # Named for its package, so the `static` endpoint its base template asks for serves its own files.
    app = Flask(rq_dashboard.__name__)
    app.config.from_object(rq_dashboard.default_settings)
    # Only a label in its instance picker (the connection is `redis_conn`): Redis's address is never shown.
    app.config["RQ_DASHBOARD_REDIS_URL"] = ("commentgate's Redis",)
    app.register_blueprint(dashboard_blueprint)
    # Markup in a job's text (a traceback quoting a webhook server's answer or a comment) is shown as text.
    app.jinja_loader = ChoiceLoader([EscapingTemplates(), *([app.jinja_loader] if app.jinja_loader else [])])
    app.redis_conn = rt.connection  # type: ignore[attr-defined]
    # Its before_request makes a new client from the URL for every request naming instance 0 (and swaps an
    # attribute of the shared app meanwhile); one instance is ours, kept for the process.
    app.before_request_funcs["rq_dashboard"] = [_only_instance_zero]
    app.register_error_handler(NoSuchJobError, lambda _: Response("No such job.", 404, mimetype="text/plain"))
    app.after_request(_secure_headers)
    return app


def _only_instance_zero() -> None:
    if (request.view_args or {}).get("instance_number", 0) != 0:
        abort(404)


class DashboardMount:
    """WSGI: paths under /ops/rq go to the dashboard for an admin of our session; everything else to our app."""

    def __init__(self, app: Flask, inner: WSGIApplication, dashboard: Flask) -> None:
        self.app = app
        self.inner = inner
        self.dashboard = dashboard

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or ""
        if path != PREFIX and not path.startswith(PREFIX + "/"):
            return self.inner(environ, start_response)
        mounted: dict[str, Any] = {
            **environ,
            "SCRIPT_NAME": environ.get("SCRIPT_NAME", "") + PREFIX,
            "PATH_INFO": path[len(PREFIX) :],
        }
        # Our session (Flask-Session in Redis) and Flask-Login's loader, read; nothing is saved here.
        with self.app.request_context(environ):
            admin = is_admin()
            changes_state = request.method not in SAFE_METHODS or self._endpoint(mounted) in CHANGES_ON_GET
            scripted = same_origin() and from_script()
            forged = admin and changes_state and (request.method in SAFE_METHODS or not scripted)
        if not admin:
            return self.inner(environ, start_response)  # our app has no route here: its plain 404
        if forged:
            refusal = Forbidden("A request that changes jobs must be a POST from the ops pages of this host.")
            return refusal(environ, start_response)
        return self.dashboard(mounted, start_response)

    def _endpoint(self, environ: WSGIEnvironment) -> str | None:
        """The dashboard view the request would reach (by its own routing, so no spelling of the path evades it)."""
        try:
            endpoint, _ = self.dashboard.url_map.bind_to_environ(environ).match()
        except HTTPException:  # no such page, a redirect, a method it does not take: no view runs
            return None
        return str(endpoint)


def mount_dashboard(app: Flask, rt: Runtime) -> None:
    """Put the dashboard in front of the app's WSGI callable (before ProxyFix wraps it, so it sees fixed hosts)."""
    app.wsgi_app = DashboardMount(app, app.wsgi_app, dashboard_app(rt))  # type: ignore[method-assign]
