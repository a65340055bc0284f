"""API v1 for moderators' tools: the review queues page by page, and the site's audit log."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, request

from workers.audit_log import AuditEntry, read_audit
from workers.evidence_marks import evidence_marks
from workers.moderators import Moderator
from workers.queue_index import Queue
from workers.queue_search import InvalidQuery
from workers.reason_words import reason_words
from workers.review_queue import MAX_LIMIT, QueueItem, QueueQuery, queue_counts, read_queue, visible_sites

from ..extensions import runtime
from . import problems
from .auth import require_moderator
from .moderation_read_schemas import AuditPageOut, QueuePageOut
from .openapi import Fragment
from .problems import invalid, no_such_site
from .views import iso, json_response

bp = Blueprint("moderation_reads", __name__, url_prefix="/api/v1/moderation")
problems.init_blueprint(bp)

FILTER_MAX = 500  # characters of a filter or search value (a thread id is at most as long)
LIMIT_PATTERN = re.compile(r"[0-9]{1,3}")  # ASCII digits only: int() would take other scripts' digits


def _arg(name: str) -> str | None:
    value = request.args.get(name) or None
    if value is not None and len(value) > FILTER_MAX:
        raise invalid([{"field": name, "message": f"must be at most {FILTER_MAX} characters"}])
    return value


def _limit() -> int:
    raw = request.args.get("limit", "50")
    limit = int(raw) if LIMIT_PATTERN.fullmatch(raw) else 0
    if not 1 <= limit <= MAX_LIMIT:
        raise invalid([{"field": "limit", "message": f"must be an integer from 1 to {MAX_LIMIT}"}])
    return limit


def _site(moderator: Moderator) -> str | None:
    """The `site` asked for; another site's is as unknown as a missing one (404, never 403)."""
    site = _arg("site")
    if site is not None and not visible_sites(runtime(), moderator, site):
        raise no_such_site()
    return site


@bp.get("/queue")
def queue() -> Response:
    moderator = require_moderator()
    raw_queue = request.args.get("queue", Queue.HELD.value)
    if raw_queue not in {q.value for q in Queue}:
        raise invalid([{"field": "queue", "message": f"must be one of {', '.join(q.value for q in Queue)}"}])
    site = _site(moderator)
    query = QueueQuery(
        queue=Queue(raw_queue),
        site=site,
        thread=_arg("thread"),
        reason=_arg("reason"),
        author=_arg("author"),
        q=_arg("q"),
        cursor=_arg("cursor"),
        limit=_limit(),
    )
    rt = runtime()
    try:
        page = read_queue(rt, moderator, query)
    except InvalidQuery as error:
        raise invalid([{"field": "cursor", "message": str(error)}]) from error
    counts = queue_counts(rt, moderator, site)
    return json_response(
        {
            "items": [queue_item(item) for item in page.items],
            "next_cursor": page.next_cursor,
            "scanned_all": page.scanned_all,
            "counts": {q.value: n for q, n in counts.items()},
        }
    )


@bp.get("/audit")
def audit() -> Response:
    moderator = require_moderator()
    site = _arg("site")
    if site is None:
        raise invalid([{"field": "site", "message": "is required"}])
    rt = runtime()
    try:
        page = read_audit(rt, moderator, site, actor=_arg("actor"), cursor=_arg("cursor"), limit=_limit())
    except InvalidQuery as error:
        raise invalid([{"field": "cursor", "message": str(error)}]) from error
    return json_response(
        {
            "entries": [audit_entry(e) for e in page.entries],
            "next_cursor": page.next_cursor,
            "scanned_all": page.scanned_all,
        }
    )


def audit_entry(entry: AuditEntry) -> dict[str, Any]:
    """An audit entry as JSON: the actor by name (and id), times as ISO 8601."""
    return {**entry.as_dict(), "at": iso(entry.at)}


def queue_item(item: QueueItem) -> dict[str, Any]:
    """A queue item as JSON: everything a moderator needs to decide, the body as text with its marks."""
    c = item.comment
    marks = evidence_marks(c)
    spam = next((e for e in c.evidence if e.get("check") == "spam"), {})
    shown: dict[str, Any] = {
        "id": c.id,
        "site_id": c.site_id,
        "thread_id": c.thread_id,
        "status": c.status.value,
        "created_at": iso(c.created_at),
        "decided_at": iso(c.decided_at),
        "decided_by": item.decided_by,
        "body": c.body,
        "author": {
            "name": c.author.name,
            "email": c.author.email,
            "url": c.author.url,
            "ip": c.client.ip,
            "id": item.author_id,
        },
        "permalink": c.permalink,
        "reasons": [{"code": code, "text": reason_words(code)} for code in c.reasons],
        "evidence": list(c.evidence),
        "marks": {
            "segments": [
                {"text": text, "mark": {"kind": m.kind, "label": m.label} if m else None} for text, m in marks.segments
            ],
            "summary": marks.summary,
            "matches": marks.matches,
        },
        "spam": {
            "probability": spam.get("score"),
            "tokens": ((spam.get("details") or {}).get("model") or {}).get("tokens", []),
        },
        "reports": {
            "total": item.report_counts.total,
            "by_reason": item.report_counts.by_reason,
            "items": [{"reason": r.reason.value, "note": r.note, "at": iso(r.at)} for r in item.reports],
        },
        "history": {
            "published": item.history.published,
            "held": item.history.held,
            "rejected": item.history.rejected,
            "recent": [
                {"id": r.id, "status": r.status, "created_at": iso(r.created_at), "excerpt": r.excerpt}
                for r in item.history.recent
            ],
        },
    }
    if item.pipeline_error:
        shown["pipeline_error"] = item.pipeline_error
    return shown


def openapi_fragment() -> Fragment:
    """These routes in the OpenAPI document."""

    def query(name: str, description: str, **schema: Any) -> dict[str, Any]:
        return {"name": name, "in": "query", "description": description, "schema": {"type": "string", **schema}}

    def problem(description: str) -> dict[str, Any]:
        schema = {"$ref": "#/components/schemas/Problem"}
        return {"description": description, "content": {"application/problem+json": {"schema": schema}}}

    def page(model: str) -> dict[str, Any]:
        return {
            "description": "A page",
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model}"}}},
        }

    limit = {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}}
    errors = {
        "400": problem("Bad queue, cursor or limit; `errors` says which"),
        "401": problem("Missing or unknown moderator token"),
        "404": problem("No such site (or not one of the moderator's)"),
    }
    paths = {
        "/api/v1/moderation/queue": {
            "get": {
                "summary": "A page of a review queue over the moderator's sites, with each queue's count",
                "security": [{"moderatorToken": []}],
                "parameters": [
                    query("queue", "held (default), reported or decided", enum=[q.value for q in Queue]),
                    query("site", "one of the moderator's sites"),
                    query("thread", "a thread id"),
                    query("reason", "a reason code (held) or report reason (reported)"),
                    query("author", "an author id (`author.id` of an item)"),
                    query("q", "text in the body or the author's name, any case"),
                    query("cursor", "`next_cursor` of the previous page"),
                    limit,
                ],
                "responses": {"200": page("QueuePageOut"), **errors},
            }
        },
        "/api/v1/moderation/audit": {
            "get": {
                "summary": "The site's audit log, newest first",
                "security": [{"moderatorToken": []}],
                "parameters": [
                    {**query("site", "one of the moderator's sites"), "required": True},
                    query("actor", "pipeline, moderator:<id> or a moderator's e-mail"),
                    query("cursor", "`next_cursor` of the previous page", pattern="^([0-9]{1,20}-[0-9]{1,20})?$"),
                    limit,
                ],
                "responses": {"200": page("AuditPageOut"), **errors},
            }
        },
    }
    return Fragment(paths, [(QueuePageOut, "serialization"), (AuditPageOut, "serialization")])
