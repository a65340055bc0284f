"""API v1: submit and read comments, list a thread, catch up on events, read and set a site's policy."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, request, url_for
from pydantic import ValidationError

from workers.exceptions import SiteChanged
from workers.logs import add_log_context
from workers.models import Author, Client, Comment
from workers.policy import Policy
from workers.reports import ReportCounts
from workers.submission import Submission, submit

from ..extensions import runtime
from . import problems
from .auth import held_site, require_known_site, require_site, require_site_or_admin, reread_site
from .forms import FORM_NAMES, read_body, read_submission
from .problems import ApiError, field_errors, invalid, no_such_site, unsupported_media_type
from .schemas import COMMENT_ID_PATTERN, EVENT_CURSOR_PATTERN, SITE_ID_PATTERN, CommentIn, is_comment_id

bp = Blueprint("api", __name__, url_prefix="/api/v1")
problems.init_blueprint(bp)

PAGE_DEFAULT, PAGE_MAX = 50, 200
# A submission reads its site again at most this often when the site keeps changing under it (then 503).
SITE_READS_MAX = 3
log = logging.getLogger("commentgate.api")


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    response = Response(json.dumps(payload), status=status, mimetype="application/json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def comment_resource(comment: Comment, reports: ReportCounts | None = None) -> dict[str, Any]:
    """The comment as its site reads it; `reports` counts its open reports (read here when not given)."""
    if reports is None:
        reports = runtime().reports.counts(comment.id)
    return {
        "id": comment.id,
        "site_id": comment.site_id,
        "thread_id": comment.thread_id,
        "parent_id": comment.parent_id,
        "status": comment.status.value,
        "reasons": list(comment.reasons),
        "evidence": list(comment.evidence),
        "created_at": iso(comment.created_at),
        "decided_at": iso(comment.decided_at),
        "reports": reports.as_dict(),
    }


def _required_errors(data: CommentIn, policy: Policy) -> list[dict[str, str]]:
    errors = []
    if policy.require_name and not data.author.name.strip():
        errors.append({"field": "author.name", "message": "is required"})
    if policy.require_email and not data.author.email.strip():
        errors.append({"field": "author.email", "message": "is required"})
    if not data.body.strip():
        errors.append({"field": "body", "message": "is required"})
    return errors


def _site_in_path(site_id: str) -> str:
    """The path's site id; one that could not be a site id is as unknown as a missing one."""
    if not re.fullmatch(SITE_ID_PATTERN, site_id):
        raise no_such_site()
    return site_id


def _cursor(name: str, pattern: str) -> str | None:
    """The query's cursor, refused unless it has the shape the previous page gave."""
    value = request.args.get(name) or None
    if value is not None and not re.fullmatch(pattern, value):
        raise invalid([{"field": name, "message": "must be a cursor from a previous page"}])
    return value


def _page_limit() -> int:
    # ASCII digits only: int() would also take Arabic-Indic digits, "1_0" and " 5".
    raw = request.args.get("limit", str(PAGE_DEFAULT))
    limit = int(raw) if re.fullmatch(r"[0-9]{1,3}", raw) else 0
    if not 1 <= limit <= PAGE_MAX:
        raise invalid([{"field": "limit", "message": f"must be an integer from 1 to {PAGE_MAX}"}])
    return limit


def _submission(raw: dict[str, Any], is_form: bool) -> tuple[Submission, CommentIn]:
    """The submission as validated (the site's required fields aside), or 400."""
    try:
        data = CommentIn.model_validate(raw)
    except ValidationError as exc:
        raise invalid(field_errors(exc, FORM_NAMES if is_form else None)) from exc
    submission = Submission(
        thread_id=data.thread_id,
        parent_id=data.parent_id or None,
        body=data.body,
        author=Author(data.author.name, data.author.email, data.author.url),
        client=Client(data.client.ip, data.client.user_agent, data.client.referrer),
        permalink=data.permalink,
        honeypot=data.honeypot,
    )
    return submission, data


def _check_required(data: CommentIn, is_form: bool, policy: Policy) -> None:
    missing = _required_errors(data, policy)
    if missing:
        names = FORM_NAMES if is_form else {}
        raise invalid([{**e, "field": names.get(e["field"], e["field"])} for e in missing])


@bp.post("/comments")
def submit_comment() -> Response:
    """Accept a comment: 202 once it is stored and queued in one transaction.

    The site's key and policy as this process holds them are confirmed current by the admission script,
    in the round trip admission makes anyway; a refusal, or a parent or Idempotency-Key (read and written
    before admission), confirms them first, so every answer is the one the site as it is now gets.
    """
    site, confirmed = held_site()
    try:
        raw, is_form = read_submission()
        submission, data = _submission(raw, is_form)
    except ApiError:
        if not confirmed:
            require_known_site()  # a key no longer valid hears 401, whatever its body
        raise
    idempotency_key = request.headers.get("Idempotency-Key") or None
    if not confirmed and (submission.parent_id or idempotency_key):
        site, confirmed = require_known_site(), True
    for _ in range(SITE_READS_MAX):
        try:
            _check_required(data, is_form, site.policy)
            accepted = submit(runtime(), site.site_id, site.policy, submission, idempotency_key, known=site)
            break
        except ApiError:
            if confirmed:
                raise
            site, confirmed = require_known_site(), True
        except SiteChanged:
            site, confirmed = reread_site(), True
    else:
        raise SiteChanged()
    add_log_context(comment_id=accepted.comment_id)
    log.info("comment replayed: %s" if accepted.replayed else "comment accepted: %s", accepted.status.value)
    location = url_for("api.get_comment", comment_id=accepted.comment_id)
    return json_response({"id": accepted.comment_id, "status": accepted.status.value}, 202, {"Location": location})


@bp.get("/comments/<comment_id>")
def get_comment(comment_id: str) -> Response:
    site_id = require_site()
    if not is_comment_id(comment_id):
        raise invalid([{"field": "comment_id", "message": "is not a comment id"}])
    return json_response(comment_resource(runtime().comments.get_for_site(site_id, comment_id)))


@bp.get("/sites/<site_id>/threads/<path:thread_id>/comments")
def thread_comments(site_id: str, thread_id: str) -> Response:
    """Public: a thread's published comments, oldest first, with a cursor and an ETag."""
    rt = runtime()
    if not rt.sites.exists(_site_in_path(site_id)):
        raise no_such_site()
    limit = _page_limit()
    cursor = _cursor("cursor", COMMENT_ID_PATTERN)
    comments, next_cursor = rt.comments.thread_page(site_id, thread_id, cursor, limit)
    payload = {
        "items": [
            {
                "id": c.id,
                "parent_id": c.parent_id,
                "author": {"name": c.published_name or c.author.name, "url": c.author.url},
                "body": c.published_body if c.published_body is not None else c.body,
                "created_at": iso(c.created_at),
            }
            for c in comments
        ],
        "next_cursor": next_cursor,
    }
    body = json.dumps(payload)
    etag = hashlib.sha256(body.encode()).hexdigest()[:32]
    headers = {"ETag": f'"{etag}"', "Cache-Control": "public, max-age=0, must-revalidate"}
    if etag in request.if_none_match:
        response = Response(status=304)
        for name, value in headers.items():
            response.headers[name] = value
        return response
    return Response(body, mimetype="application/json", headers=headers)


@bp.get("/sites/<site_id>/events")
def site_events(site_id: str) -> Response:
    """The site's decision events after the `after` cursor, to catch up on missed webhooks."""
    if require_site() != site_id:
        raise no_such_site()
    limit = _page_limit()
    after = _cursor("after", EVENT_CURSOR_PATTERN)
    events = runtime().comments.events_after(site_id, after, limit)
    items = [{"cursor": cursor, **event} for cursor, event in events]
    return json_response({"items": items, "next_after": events[-1][0] if events else after})


@bp.get("/sites/<site_id>/policy")
def get_policy(site_id: str) -> Response:
    require_site_or_admin(_site_in_path(site_id))
    return json_response(runtime().sites.policy(site_id).model_dump(mode="json"))


@bp.put("/sites/<site_id>/policy")
def put_policy(site_id: str) -> Response:
    """Replace the whole policy; fields left out take their defaults; unknown fields are refused."""
    require_site_or_admin(_site_in_path(site_id))
    if request.mimetype != "application/json":
        raise unsupported_media_type("application/json")
    try:
        # Strict: the document promises booleans and integers, so 0 or "yes" is refused, not coerced.
        policy = Policy.model_validate_json(read_body(), strict=True)
    except ValidationError as exc:
        raise ApiError(400, "Invalid policy", "One or more fields are invalid.", "invalid", field_errors(exc)) from exc
    runtime().sites.set_policy(site_id, policy)
    return json_response(policy.model_dump(mode="json"))
