"""The desk's fetch endpoints (session + CSRF): decisions, bulk, undo, bans, trust, and the waiting counts.

Each answers JSON the page's script shows in place: a decision, or a 409 saying who decided first.
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from flask import Response, abort, jsonify, request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from workers.author_actions import ban_author_of, ban_value, trust_author
from workers.decision_outcomes import Conflict, Decided
from workers.exceptions import UnknownComment
from workers.models import ReportReason
from workers.moderator_actions import BULK_MAX, NOTE_MAX, ModeratorAction, act, act_many, undo
from workers.review_queue import queue_counts, read_item

from ..accounts import current_moderator, moderator_required
from ..extensions import runtime
from . import bp
from .presentation import conflict_message

Body = TypeVar("Body", bound=BaseModel)

DONE = {
    ModeratorAction.APPROVE: "Approved",
    ModeratorAction.REJECT: "Rejected",
    ModeratorAction.SPAM: "Marked spam",
    ModeratorAction.TAKE_DOWN: "Taken down",
    ModeratorAction.RESTORE: "Restored",
    ModeratorAction.DISMISS_REPORTS: "Reports dismissed",
}


class ActionBody(BaseModel):
    """What a decision may carry: a reason (for reject) and a note."""

    model_config = ConfigDict(extra="forbid")
    reason: ReportReason | None = None
    note: str | None = Field(default=None, max_length=NOTE_MAX)


class BulkBody(ActionBody):
    ids: list[str] = Field(min_length=1, max_length=BULK_MAX)
    action: ModeratorAction


class BanBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["email", "ip", "name"]
    reject_held: bool = False


def _bad_request(message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = 400
    return response


def _parse(model: type[Body]) -> Body | Response:
    """The request's JSON body as `model`, or a 400 answer naming what is wrong."""
    try:
        return model.model_validate(request.get_json(silent=True) or {})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors())
        return _bad_request(problems)


def outcome_json(outcome: Decided | Conflict | None, done: str) -> dict[str, Any]:
    """One comment's result as the page shows it."""
    if outcome is None:
        return {"result": "not_found", "message": "Not found"}
    if isinstance(outcome, Conflict):
        return {"result": "conflict", **outcome.as_dict(), "message": conflict_message(outcome)}
    return {"result": "decided", "status": outcome.status.value, "event_id": outcome.event_id, "message": done}


def _answer(outcome: Decided | Conflict, done: str) -> Response:
    response = jsonify({"id": outcome.comment_id, **outcome_json(outcome, done)})
    response.status_code = 409 if isinstance(outcome, Conflict) else 200
    return response


@bp.post("/comments/<comment_id>/<action_name>")
@moderator_required
def decide(comment_id: str, action_name: str) -> Response:
    """Approve, reject, spam, take down, restore or dismiss the reports of one comment."""
    try:
        action = ModeratorAction(action_name)
    except ValueError:
        abort(404)
    body = _parse(ActionBody)
    if isinstance(body, Response):
        return body
    try:
        outcome = act(runtime(), current_moderator(), comment_id, action, reason=body.reason, note=body.note)
    except UnknownComment:
        abort(404)
    except ValueError as exc:  # a rejection without a reason
        return _bad_request(str(exc))
    return _answer(outcome, DONE[action])


@bp.post("/comments/<comment_id>/undo")
@moderator_required
def undo_decision(comment_id: str) -> Response:
    """Put back this moderator's last decision on the comment (the `u` key)."""
    try:
        outcome = undo(runtime(), current_moderator(), comment_id)
    except UnknownComment:
        abort(404)
    return _answer(outcome, "Undone")


@bp.post("/bulk")
@moderator_required
def decide_many() -> Response:
    """One action on the selected comments; each answers for itself (another site's id is not found)."""
    body = _parse(BulkBody)
    if isinstance(body, Response):
        return body
    try:
        outcomes = act_many(runtime(), current_moderator(), body.ids, body.action, reason=body.reason, note=body.note)
    except ValueError as exc:  # a rejection without a reason: refused before any comment changes
        return _bad_request(str(exc))
    done = DONE[body.action]
    return jsonify({"results": {cid: outcome_json(outcome, done) for cid, outcome in outcomes.items()}})


@bp.post("/comments/<comment_id>/ban")
@moderator_required
def ban(comment_id: str) -> Response:
    """Ban the comment's author by e-mail, IP or name; optionally reject all their held comments at once."""
    body = _parse(BanBody)
    if isinstance(body, Response):
        return body
    moderator = current_moderator()
    try:
        comment = read_item(runtime(), moderator, comment_id).comment
    except UnknownComment:
        abort(404)
    if not ban_value(comment, body.kind).strip():
        return _bad_request(f"This comment's author gave no {body.kind}; ban by another.")
    outcome = ban_author_of(runtime(), moderator, comment.site_id, comment_id, body.kind, reject_held=body.reject_held)
    rejected = list(outcome.rejected)
    held_note = f"; {len(rejected)} held comment(s) rejected" if body.reject_held else ""
    return jsonify(
        {"entry": outcome.entry, "rejected": rejected, "message": f"Author banned by {body.kind}{held_note}"}
    )


@bp.post("/comments/<comment_id>/trust")
@moderator_required
def trust(comment_id: str) -> Response:
    """Trust the comment's author: their comments skip premoderation (never the spam or profanity checks)."""
    moderator = current_moderator()
    try:
        site_id = read_item(runtime(), moderator, comment_id).comment.site_id
        author_id = trust_author(runtime(), moderator, site_id, comment_id)
    except UnknownComment:
        abort(404)
    except ValueError as exc:  # an author with no e-mail and no IP: no one to trust
        return _bad_request(str(exc))
    return jsonify({"author_id": author_id, "message": "Author trusted"})


@bp.get("/counts")
@moderator_required
def counts() -> Response:
    """How many comments wait in each tab (the page polls this)."""
    site = request.args.get("site") or None
    waiting = queue_counts(runtime(), current_moderator(), site)
    return jsonify({queue.value: n for queue, n in waiting.items()})
