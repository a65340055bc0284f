"""The OpenAPI 3.1 document, generated from the pydantic models that validate requests."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from flask import Blueprint, Response, jsonify
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from workers.policy import Policy

from . import problems
from .schemas import (
    COMMENT_ID_PATTERN,
    EVENT_CURSOR_PATTERN,
    SITE_ID_PATTERN,
    Accepted,
    CommentIn,
    CommentOut,
    EventPage,
    Problem,
    ThreadPage,
)

bp = Blueprint("openapi", __name__)
problems.init_blueprint(bp)

REF = "#/components/schemas/{model}"


@dataclass(frozen=True)
class Fragment:
    """Another module's part of the document: its paths, and the pydantic models they refer to."""

    paths: dict[str, Any]
    models: list[tuple[type[BaseModel], JsonSchemaMode]]


def _fragments() -> list[Fragment]:
    """The parts of the API described beside their routes (imported here, so the document is built once)."""
    from . import moderation_actions, moderation_reads, reports

    return [
        moderation_reads.openapi_fragment(),
        moderation_actions.fragment(),
        Fragment(reports.openapi_paths(), reports.openapi_models()),
    ]


def _json(model: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": REF.format(model=model)}}}


def _cursor(name: str, pattern: str) -> dict[str, Any]:
    """A cursor query parameter; empty counts as absent (the first page)."""
    return {"name": name, "in": "query", "schema": {"type": "string", "pattern": f"^({pattern.strip('^$')})?$"}}


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}},
    }


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    models: list[type[BaseModel]] = [CommentIn, CommentOut, Accepted, ThreadPage, EventPage, Problem, Policy]
    fragments = _fragments()
    modes: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        (m, "validation" if m in (CommentIn, Policy) else "serialization") for m in models
    ]
    modes += [pair for fragment in fragments for pair in fragment.models]
    _, schemas = models_json_schema(modes, ref_template=REF)
    site_param = {
        "name": "site_id",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "pattern": SITE_ID_PATTERN},
    }
    limit_param = {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}}
    errors = {
        "400": _problem("Invalid field; `errors` lists each"),
        "401": _problem("Missing or unknown site key"),
        "404": _problem("Not found (or another site's)"),
        "503": _problem("Redis unreachable; retry after `Retry-After`"),
    }
    paths = {
        "/api/v1/comments": {
            "post": {
                "summary": "Submit a comment (JSON, or WordPress comment-form fields form-encoded)",
                "security": [{"siteKey": []}],
                "parameters": [{"name": "Idempotency-Key", "in": "header", "schema": {"type": "string"}}],
                "requestBody": {
                    "required": True,
                    "content": {
                        **_json("CommentIn"),
                        "application/x-www-form-urlencoded": {"schema": {"type": "object"}},
                    },
                },
                "responses": {
                    "202": {"description": "Stored and queued", "content": _json("Accepted")},
                    "413": _problem("Body over 1 MiB"),
                    "415": _problem("Not JSON or form-encoded"),
                    "409": _problem("A request with the same Idempotency-Key is still in progress"),
                    "422": _problem("Idempotency-Key reused with a different body"),
                    "429": _problem("Flood window, or the site's rate limit; see Retry-After"),
                    **errors,
                    "503": _problem("Queue full or backlogged, or Redis unreachable; see Retry-After"),
                },
            }
        },
        "/api/v1/comments/{comment_id}": {
            "get": {
                "summary": "The comment resource",
                "security": [{"siteKey": []}],
                "parameters": [
                    {
                        "name": "comment_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "pattern": COMMENT_ID_PATTERN},
                    }
                ],
                "responses": {"200": {"description": "The comment", "content": _json("CommentOut")}, **errors},
            }
        },
        "/api/v1/sites/{site_id}/threads/{thread_id}/comments": {
            "get": {
                "summary": "Published comments of a thread, oldest first (public)",
                "parameters": [
                    site_param,
                    {"name": "thread_id", "in": "path", "required": True, "schema": {"type": "string"}},
                    _cursor("cursor", COMMENT_ID_PATTERN),
                    limit_param,
                ],
                "responses": {
                    "200": {"description": "A page", "content": _json("ThreadPage")},
                    "304": {"description": "Not modified (If-None-Match)"},
                    "400": errors["400"],
                    "404": errors["404"],
                    "503": errors["503"],
                },
            }
        },
        "/api/v1/sites/{site_id}/events": {
            "get": {
                "summary": "The site's decision events after a cursor",
                "security": [{"siteKey": []}],
                "parameters": [
                    site_param,
                    _cursor("after", EVENT_CURSOR_PATTERN),
                    limit_param,
                ],
                "responses": {"200": {"description": "Events", "content": _json("EventPage")}, **errors},
            }
        },
        "/api/v1/sites/{site_id}/policy": {
            "get": {
                "summary": "The site's whole policy",
                "security": [{"siteKey": []}, {"adminToken": []}],
                "parameters": [site_param],
                "responses": {"200": {"description": "Policy", "content": _json("Policy")}, **errors},
            },
            "put": {
                "summary": "Replace the site's whole policy",
                "security": [{"siteKey": []}, {"adminToken": []}],
                "parameters": [site_param],
                "requestBody": {"required": True, "content": _json("Policy")},
                "responses": {
                    "200": {"description": "Policy", "content": _json("Policy")},
                    "413": _problem("Body over 1 MiB"),
                    "415": _problem("Not JSON"),
                    **errors,
                },
            },
        },
    }
    for fragment in fragments:
        paths.update(fragment.paths)
    return {
        "openapi": "3.1.0",
        "info": {"title": "commentgate", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": schemas["$defs"],
            "securitySchemes": {
                "siteKey": {"type": "http", "scheme": "bearer"},
                "adminToken": {"type": "http", "scheme": "bearer"},
                "moderatorToken": {"type": "http", "scheme": "bearer"},
            },
        },
    }


@bp.get("/api/v1/openapi.json")
def openapi_json() -> Response:
    return jsonify(document())
