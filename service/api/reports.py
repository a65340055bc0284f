"""API v1: a reader reports a comment, through the site's server (`POST /api/v1/comments/{id}/reports`)."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, request
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import JsonSchemaMode

from workers.reports import NotReportable, file_report

from ..extensions import runtime
from . import problems
from .auth import require_site
from .forms import read_body
from .problems import PROBLEM_TYPE, ApiError, field_errors, unsupported_media_type
from .schemas import COMMENT_ID_PATTERN, ReportFiled, ReportIn, is_comment_id
from .views import iso, json_response

bp = Blueprint("reports", __name__, url_prefix="/api/v1")
problems.init_blueprint(bp)


def _not_reportable(exc: NotReportable) -> Response:
    """409, naming the comment's status: a queued comment is not shown yet, a rejected one no longer."""
    status = exc.status.value
    body = {
        "type": PROBLEM_TYPE + "not-reportable",
        "title": "Comment cannot be reported",
        "status": 409,
        "detail": f"The comment is {status}: only a published or held comment can be reported.",
        "comment_status": status,
    }
    return Response(json.dumps(body), status=409, mimetype="application/problem+json")


bp.register_error_handler(NotReportable, _not_reportable)


def _not_an_id() -> list[dict[str, str]]:
    return [{"field": "comment_id", "message": "is not a comment id"}]


@bp.post("/comments/<comment_id>/reports")
def report_comment(comment_id: str) -> Response:
    """File a reader's report: 202 when new, 200 with the first report when this reporter reported before."""
    site_id = require_site()
    if not is_comment_id(comment_id):
        raise ApiError(400, "Invalid report", "One or more fields are invalid.", "invalid", _not_an_id())
    if request.mimetype != "application/json":
        raise unsupported_media_type("application/json")
    try:
        data = ReportIn.model_validate_json(read_body())
    except ValidationError as exc:
        raise ApiError(400, "Invalid report", "One or more fields are invalid.", "invalid", field_errors(exc)) from exc
    rt = runtime()
    filed = file_report(
        rt, site_id, comment_id, data.reason, data.note, data.reporter.id or None, data.reporter.ip or None
    )
    payload = {
        "comment_id": comment_id,
        "reason": filed.report.reason.value,
        "note": filed.report.note,
        "reported_at": iso(filed.report.at),
        "reports": rt.reports.counts(comment_id).as_dict(),
    }
    return json_response(payload, 202 if filed.created else 200)


def openapi_paths() -> dict[str, Any]:
    """This route's part of the OpenAPI document."""
    ref = "#/components/schemas/{model}"

    def problem(description: str) -> dict[str, Any]:
        return {
            "description": description,
            "content": {"application/problem+json": {"schema": {"$ref": ref.format(model="Problem")}}},
        }

    filed = {"application/json": {"schema": {"$ref": ref.format(model="ReportFiled")}}}
    return {
        "/api/v1/comments/{comment_id}/reports": {
            "post": {
                "summary": "A reader reports a comment; enough distinct reporters hold it (report_hold_threshold)",
                "security": [{"siteKey": []}],
                "parameters": [
                    {
                        "name": "comment_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "pattern": COMMENT_ID_PATTERN},
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": ref.format(model="ReportIn")}}},
                },
                "responses": {
                    "202": {"description": "Report filed", "content": filed},
                    "200": {"description": "This reporter reported it before: their first report", "content": filed},
                    "400": problem("Invalid field; `errors` lists each"),
                    "401": problem("Missing or unknown site key"),
                    "404": problem("No such comment (or another site's)"),
                    "409": problem("The comment is queued or rejected (`comment_status`): it cannot be reported"),
                    "413": problem("Body over 1 MiB"),
                    "415": problem("Not JSON"),
                    "503": problem("Redis unreachable; retry after `Retry-After`"),
                },
            }
        }
    }


def openapi_models() -> list[tuple[type[BaseModel], JsonSchemaMode]]:
    """The models this route's part of the document refers to, and how each is used."""
    return [(ReportIn, "validation"), (ReportFiled, "serialization")]
