"""One problem+json responder (RFC 9457) for every API error."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

from flask import Flask, Response, request
from pydantic import ValidationError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from werkzeug.exceptions import HTTPException

from workers.exceptions import (
    Flooding,
    IdempotencyConflict,
    IdempotencyInFlight,
    InvalidField,
    QueueFull,
    RateLimited,
    RetryLater,
    UnknownComment,
    UnknownSite,
)

PROBLEM_TYPE = "https://commentgate.dev/problems/"


class ApiError(Exception):
    """A problem response: raised by views, or built by the responders for domain errors."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        slug: str,
        errors: list[dict[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        body: dict[str, object] = {"type": PROBLEM_TYPE + slug, "title": title, "status": status, "detail": detail}
        if errors is not None:
            body["errors"] = errors
        self.response = Response(json.dumps(body), status=status, mimetype="application/problem+json")
        for name, value in (headers or {}).items():
            self.response.headers[name] = value


def field_errors(exc: ValidationError, names: Mapping[str, str] | None = None) -> list[dict[str, str]]:
    """pydantic's errors as `{field, message}` with dotted field names (or a form's own names)."""
    out = []
    for err in exc.errors(include_url=False):
        dotted = ".".join(str(p) for p in err["loc"]) or "body"
        message = err["msg"].removeprefix("Value error, ")
        out.append({"field": (names or {}).get(dotted, dotted), "message": message})
    return out


def invalid(errors: list[dict[str, str]]) -> ApiError:
    return ApiError(400, "Invalid comment", "One or more fields are invalid.", "invalid", errors)


def init_app(app: Flask) -> None:
    """Register the responders; under /api every error is problem+json."""

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        return exc.response

    @app.errorhandler(UnknownComment)
    def _unknown_comment(exc: UnknownComment) -> Response:
        return ApiError(404, "Not found", "No such comment.", "not-found").response

    @app.errorhandler(UnknownSite)
    def _unknown_site(exc: UnknownSite) -> Response:
        return ApiError(404, "Not found", "No such site.", "not-found").response

    @app.errorhandler(InvalidField)
    def _invalid_field(exc: InvalidField) -> Response:
        return invalid([{"field": exc.field, "message": exc.message}]).response

    @app.errorhandler(IdempotencyConflict)
    def _conflict(exc: IdempotencyConflict) -> Response:
        return ApiError(422, "Idempotency-Key reused", str(exc), "idempotency-conflict").response

    def _retry_later(status: int, title: str, slug: str) -> Callable[[RetryLater], Response]:
        def respond(exc: RetryLater) -> Response:
            headers = {"Retry-After": str(exc.retry_after)}
            return ApiError(status, title, str(exc), slug, headers=headers).response

        return respond

    # Refusals that change nothing and say when to try again.
    app.register_error_handler(IdempotencyInFlight, _retry_later(409, "Request in progress", "idempotency-in-flight"))
    app.register_error_handler(Flooding, _retry_later(429, "Too many comments", "flood"))
    app.register_error_handler(RateLimited, _retry_later(429, "Rate limit reached", "rate-limited"))
    app.register_error_handler(QueueFull, _retry_later(503, "Moderation queue full", "queue-full"))

    @app.errorhandler(RedisConnectionError)
    @app.errorhandler(RedisTimeoutError)
    def _redis_down(exc: Exception) -> Response:
        app.logger.error("Redis unavailable: %s", exc)
        return ApiError(
            503,
            "Service unavailable",
            "The comment store is unreachable; nothing was stored. Try again shortly.",
            "unavailable",
            headers={"Retry-After": "5"},
        ).response

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> HTTPException | Response:
        if not request.path.startswith("/api/"):
            return exc
        code = exc.code or 500
        return ApiError(code, exc.name, exc.description or exc.name, exc.name.lower().replace(" ", "-")).response
