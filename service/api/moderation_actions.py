"""Moderation API, actions: decide a comment, undo, act in bulk, ban and trust authors (moderator tokens)."""

from __future__ import annotations

import json
from typing import Any, Literal

from flask import Blueprint, Response, request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from workers import author_actions
from workers.decision_outcomes import Conflict, Decided
from workers.models import ReportReason
from workers.moderator_actions import BULK_MAX, NOTE_MAX, ModeratorAction, act, act_many, undo
from workers.moderators import Moderator
from workers.runtime import Runtime

from ..extensions import runtime
from . import problems
from .auth import require_moderator
from .forms import JSON_TYPES, read_body
from .openapi import Fragment
from .problems import ApiError, field_errors, unsupported_media_type
from .schemas import COMMENT_ID_PATTERN, SITE_ID_PATTERN, is_comment_id

bp = Blueprint("moderation_actions", __name__, url_prefix="/api/v1/moderation")
problems.init_blueprint(bp)

UNDO = "undo"


class ActionIn(BaseModel):
    """The optional body of an action on one comment."""

    model_config = ConfigDict(extra="forbid")
    reason: ReportReason | None = Field(None, description="Why (reject; take-down, default other)")
    note: str | None = Field(None, max_length=NOTE_MAX, description="Kept in the audit entry")


class BulkIn(ActionIn):
    ids: list[str] = Field(max_length=BULK_MAX, description="Comment ids; unknown and other sites' are not_found")
    action: ModeratorAction


class AuthorIn(BaseModel):
    """Who to ban or trust: by kind and value, or by a comment whose author it is."""

    model_config = ConfigDict(extra="forbid")
    site_id: str = Field(pattern=SITE_ID_PATTERN)
    kind: Literal["email", "ip", "name"] | None = None
    value: str | None = Field(None, min_length=1, max_length=320)
    comment_id: str | None = Field(None, pattern=COMMENT_ID_PATTERN)
    reject_held: bool = Field(False, description="ban: also reject every held comment of this author")


class DecidedOut(BaseModel):
    id: str
    status: str
    event_id: str | None


class ConflictOut(BaseModel):
    """409: the comment is not where the action needs it; who put it there, and when (Unix seconds)."""

    status: str
    decided_by: str | None
    decided_at: float | None


class BulkResult(BaseModel):
    outcome: Literal["decided", "conflict", "not_found"]
    status: str | None = None
    decided_by: str | None = None
    decided_at: float | None = None


class BulkOut(BaseModel):
    results: dict[str, BulkResult]


class AuthorOut(BaseModel):
    action: str
    site_id: str
    entry: str | None = None
    rejected: list[str] | None = None
    author_id: str | None = None
    changed: bool


def _bad(errors: list[dict[str, str]]) -> ApiError:
    return ApiError(400, "Invalid request", "One or more fields are invalid.", "invalid", errors)


def _body(model: type[BaseModel], optional: bool = False) -> Any:
    """The JSON body validated by `model`; an empty body is `model()` where the body is optional."""
    raw = read_body()
    if optional and not raw.strip():
        return model()
    if request.mimetype not in JSON_TYPES and not request.mimetype.endswith("+json"):
        raise unsupported_media_type(*JSON_TYPES)
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise _bad([{"field": "body", "message": f"is not valid JSON: {exc}"}]) from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _bad(field_errors(exc)) from exc


def _json(payload: Any, status: int = 200) -> Response:
    return Response(json.dumps(payload), status=status, mimetype="application/json")


def _answer(outcome: Decided | Conflict) -> Response:
    if isinstance(outcome, Conflict):
        return _json(outcome.as_dict(), 409)
    return _json({"id": outcome.comment_id, "status": outcome.status.value, "event_id": outcome.event_id})


def _result(outcome: Decided | Conflict | None) -> dict[str, Any]:
    if outcome is None:
        return {"outcome": "not_found"}
    if isinstance(outcome, Conflict):
        return {"outcome": "conflict", **outcome.as_dict()}
    return {"outcome": "decided", "status": outcome.status.value}


@bp.post("/comments/<comment_id>/<action>")
def decide(comment_id: str, action: str) -> Response:
    """One action on one comment: 200 with its new status, or 409 naming who decided first."""
    moderator = require_moderator()
    if action != UNDO and action not in {a.value for a in ModeratorAction}:
        choices = ", ".join([*(a.value for a in ModeratorAction), UNDO])
        raise _bad([{"field": "action", "message": f"must be one of {choices}"}])
    if not is_comment_id(comment_id):
        raise ApiError(404, "Not found", "No such comment.", "not-found")
    data: ActionIn = _body(ActionIn, optional=True)
    rt = runtime()
    if action == UNDO:
        return _answer(undo(rt, moderator, comment_id))
    try:
        return _answer(act(rt, moderator, comment_id, ModeratorAction(action), data.reason, data.note))
    except ValueError as exc:
        raise _bad([{"field": "reason", "message": str(exc)}]) from exc


@bp.post("/bulk")
def bulk() -> Response:
    """One action on many comments, each on its own compare-and-set."""
    moderator = require_moderator()
    data: BulkIn = _body(BulkIn)
    try:
        results = act_many(runtime(), moderator, data.ids, data.action, data.reason, data.note)
    except ValueError as exc:
        raise _bad([{"field": "reason", "message": str(exc)}]) from exc
    return _json({"results": {cid: _result(outcome) for cid, outcome in results.items()}})


@bp.post("/authors/<operation>")
def authors(operation: str) -> Response:
    """Ban or unban an author by email, IP or name; trust or untrust the author of a comment."""
    moderator = require_moderator()
    if operation not in ("ban", "unban", "trust", "untrust"):
        raise _bad([{"field": "operation", "message": "must be one of ban, unban, trust, untrust"}])
    data: AuthorIn = _body(AuthorIn)
    out: dict[str, Any] = {"action": operation, "site_id": data.site_id}
    rt = runtime()
    try:
        if operation in ("trust", "untrust"):
            if data.comment_id is None:
                raise ValueError("comment_id: the author to trust is given by one of their comments")
            if operation == "trust":
                out |= {"author_id": author_actions.trust_author(rt, moderator, data.site_id, data.comment_id)}
                out["changed"] = True
            else:
                out["changed"] = author_actions.untrust_author(rt, moderator, data.site_id, data.comment_id)
        elif data.kind is None:
            raise ValueError("kind: ban by email, ip or name")
        elif operation == "unban":
            if data.value is None:
                raise ValueError("value: the email, IP or name to unban")
            out["changed"] = author_actions.unban_author(rt, moderator, data.site_id, data.kind, data.value)
        else:
            ban = _ban(rt, moderator, data)
            out |= {"entry": ban.entry, "rejected": ban.rejected, "changed": True}
    except ValueError as exc:
        field, _, message = str(exc).partition(": ")
        raise _bad([{"field": field if message else "body", "message": message or str(exc)}]) from exc
    return _json(out)


def _ban(rt: Runtime, moderator: Moderator, data: AuthorIn) -> author_actions.BanOutcome:
    assert data.kind is not None
    if data.value is not None:
        return author_actions.ban_author(rt, moderator, data.site_id, data.kind, data.value, data.reject_held)
    if data.comment_id is None:
        raise ValueError("value: give the value to ban, or the comment_id whose author's value it is")
    return author_actions.ban_author_of(rt, moderator, data.site_id, data.comment_id, data.kind, data.reject_held)


def _op(summary: str, body: str | None, responses: dict[str, Any], parameters: list[Any]) -> dict[str, Any]:
    ref = "#/components/schemas/{}"
    problem = {"content": {"application/problem+json": {"schema": {"$ref": ref.format("Problem")}}}}
    op: dict[str, Any] = {
        "summary": summary,
        "security": [{"moderatorToken": []}],
        "parameters": parameters,
        "responses": {
            code: {"description": text, "content": {"application/json": {"schema": {"$ref": ref.format(model)}}}}
            if model
            else {"description": text, **problem}
            for code, (text, model) in responses.items()
        },
    }
    if body:
        op["requestBody"] = {
            "required": body != "ActionIn",
            "content": {"application/json": {"schema": {"$ref": ref.format(body)}}},
        }
    return op


def fragment() -> Fragment:
    """This blueprint's part of the OpenAPI document."""
    errors = {
        "400": ("Invalid field, unknown action or reason, note over 1,000 characters", None),
        "401": ("Missing or unknown moderator token", None),
        "415": ("Not JSON", None),
    }
    comment = {
        "name": "comment_id",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "pattern": COMMENT_ID_PATTERN},
    }
    actions = [*(a.value for a in ModeratorAction), UNDO]
    action = {"name": "action", "in": "path", "required": True, "schema": {"type": "string", "enum": actions}}
    operation = {
        "name": "operation",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "enum": ["ban", "unban", "trust", "untrust"]},
    }
    paths = {
        "/api/v1/moderation/comments/{comment_id}/{action}": {
            "post": _op(
                "Approve, reject, mark spam, take down, restore, dismiss reports, or undo your last decision",
                "ActionIn",
                {
                    "200": ("Decided", "DecidedOut"),
                    "409": ("Not where the action needs it: its status, who decided it and when", "ConflictOut"),
                    "404": ("No such comment (or another site's)", None),
                    **errors,
                },
                [comment, action],
            )
        },
        "/api/v1/moderation/bulk": {
            "post": _op(
                f"One action on up to {BULK_MAX} comments",
                "BulkIn",
                {"200": ("Each id's outcome", "BulkOut"), **errors},
                [],
            )
        },
        "/api/v1/moderation/authors/{operation}": {
            "post": _op(
                "Ban or unban an author (kind and value, or a comment's author), trust or untrust a comment's author",
                "AuthorIn",
                {
                    "200": ("Done", "AuthorOut"),
                    "404": ("No such site or comment (or not yours)", None),
                    **errors,
                },
                [operation],
            )
        },
    }
    models: list[tuple[type[BaseModel], Any]] = [
        (ActionIn, "validation"),
        (BulkIn, "validation"),
        (AuthorIn, "validation"),
        (DecidedOut, "serialization"),
        (ConflictOut, "serialization"),
        (BulkOut, "serialization"),
        (AuthorOut, "serialization"),
    ]
    return Fragment(paths=paths, models=models)
