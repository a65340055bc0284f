"""The desk's pages: the queue with its tabs and filters, one comment, and the site's audit log."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request
from werkzeug.exceptions import NotFound

from workers.audit_log import read_audit
from workers.evidence_marks import evidence_marks
from workers.exceptions import UnknownComment, UnknownSite
from workers.moderators import Moderator
from workers.queue_index import Queue
from workers.reason_words import reason_words
from workers.review_queue import InvalidQuery, QueueQuery, queue_counts, read_item, read_queue

from ..accounts import current_moderator, moderator_required
from ..api.schemas import is_comment_id
from ..extensions import runtime
from . import bp

TAB_LABELS = {Queue.HELD: "Held", Queue.REPORTED: "Reported", Queue.DECIDED: "Recently decided"}
PAGE_SIZE = 25  # a screen of decisions; the next page is one cursor away
AUDIT_PAGE_SIZE = 50
FILTERS = ("site", "thread", "reason", "author", "q")


def moderated_sites(moderator: Moderator) -> list[str]:
    """The sites the moderator may pick in the site filter: every site for an admin."""
    return [s for s in runtime().sites.all_ids() if moderator.may_moderate(s)]


def _filters() -> dict[str, str]:
    """The queue's filters as the GET form sent them, blanks left out."""
    return {name: value for name in FILTERS if (value := request.args.get(name, "").strip())}


@bp.app_template_filter("reason_words")
def reason_in_words(code: str) -> str:
    return reason_words(code)


@bp.context_processor
def desk_context() -> dict[str, Any]:
    """What every desk template uses, rather than each view passing it."""
    return {"tab_labels": TAB_LABELS, "evidence_marks": evidence_marks}


@bp.url_value_preprocessor
def refuse_malformed_comment_ids(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Every route's `<comment_id>` is checked before any view runs: a key name such as `<id>:audit` is not found."""
    if values and "comment_id" in values and not is_comment_id(values["comment_id"]):
        abort(404)


@bp.get("/")
@moderator_required
def queue_page() -> str | tuple[str, int]:
    """One queue, oldest first, filtered and paged by cursor; a site filter of another site finds nothing."""
    moderator = current_moderator()
    try:
        queue = Queue(request.args.get("queue", Queue.HELD.value))
    except ValueError:
        abort(404)
    filters = _filters()
    query = QueueQuery(queue=queue, cursor=request.args.get("cursor") or None, limit=PAGE_SIZE, **filters)
    try:
        page = read_queue(runtime(), moderator, query)
    except InvalidQuery as exc:
        return bad_request(str(exc))
    return render_template(
        "moderate/queue.html",
        queue=queue,
        page=page,
        counts=queue_counts(runtime(), moderator, filters.get("site")),
        filters=filters,
        sites=moderated_sites(moderator),
    )


@bp.get("/comments/<comment_id>")
@moderator_required
def comment_page(comment_id: str) -> str:
    """One comment with everything needed to decide it (where a queue item's heading links)."""
    try:
        item = read_item(runtime(), current_moderator(), comment_id)
    except UnknownComment:
        abort(404)
    return render_template("moderate/comment.html", item=item)


@bp.get("/audit")
@moderator_required
def audit_page() -> str | tuple[str, int]:
    """The site's audit log, newest first, paged; only the moderator's own sites (another site is 404)."""
    moderator = current_moderator()
    sites = moderated_sites(moderator)
    site = request.args.get("site") or (sites[0] if sites else "")
    actor = request.args.get("actor", "").strip() or None
    try:
        cursor = request.args.get("cursor") or None
        page = read_audit(runtime(), moderator, site, actor=actor, cursor=cursor, limit=AUDIT_PAGE_SIZE)
    except UnknownSite:
        abort(404)
    except ValueError as exc:  # a cursor that is not one of ours
        return bad_request(str(exc))
    return render_template("moderate/audit.html", page=page, site=site, sites=sites, actor=actor or "")


@bp.errorhandler(NotFound)
def not_found(_: NotFound) -> tuple[str, int]:
    """The same page for a comment that does not exist and one of a site the moderator does not moderate."""
    return render_template("moderate/error.html", title="Not found", message=NOT_FOUND), 404


def bad_request(message: str) -> tuple[str, int]:
    """A 400 page (not an error handler: the CSRF refusal, also a 400, keeps its own answer)."""
    return render_template("moderate/error.html", title="Bad request", message=message), 400


NOT_FOUND = "There is no such comment or page among the sites you moderate."
