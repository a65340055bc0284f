"""One problem+json responder (RFC 9457) for every API error; the rest of the app answers plain errors."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

from flask import Blueprint, Flask, Response, current_app, request
from pydantic import ValidationError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from workers.exceptions import (
    Backlogged,
    Flooding,
    IdempotencyConflict,
    IdempotencyInFlight,
    InvalidField,
    QueueFull,
    RateLimited,
    RetryLater,
    SiteChanged,
    UnknownComment,
    UnknownSite,
)

PROBLEM_TYPE = "https://commentgate.dev/problems/"
API_PREFIX = "/api/"
RETRY_AFTER_REDIS = 5  # seconds a client is asked to wait while the comment store is unreachable


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


def no_such_site() -> ApiError:
    """The one answer for a site that does not exist, could not, or is another site's."""
    return ApiError(404, "Not found", "No such site.", "not-found")


def unsupported_media_type(*accepted: str) -> ApiError:
    return ApiError(415, "Unsupported media type", f"Send {' or '.join(accepted)}.", "unsupported-media-type")


def _problem_for(exc: HTTPException) -> Response:
    code = exc.code or 500
    return ApiError(code, exc.name, exc.description or exc.name, exc.name.lower().replace(" ", "-")).response


def _redis_down(exc: Exception) -> Response:
    current_app.logger.error("Redis unavailable: %s", exc)
    return ApiError(
        503,
        "Service unavailable",
        "The comment store is unreachable; nothing was stored. Try again shortly.",
        "unavailable",
        headers={"Retry-After": str(RETRY_AFTER_REDIS)},
    ).response


def _retry_later(status: int, title: str, slug: str) -> Callable[[RetryLater], Response]:
    def respond(exc: RetryLater) -> Response:
        headers = {"Retry-After": str(exc.retry_after)}
        return ApiError(status, title, str(exc), slug, headers=headers).response

    return respond


def init_blueprint(bp: Blueprint) -> None:
    """Register the responders on an API blueprint: every error its routes raise is problem+json."""
    bp.register_error_handler(ApiError, lambda exc: exc.response)
    bp.register_error_handler(
        UnknownComment, lambda _: ApiError(404, "Not found", "No such comment.", "not-found").response
    )
    bp.register_error_handler(UnknownSite, lambda _: no_such_site().response)
    bp.register_error_handler(
        InvalidField, lambda exc: invalid([{"field": exc.field, "message": exc.message}]).response
    )
    bp.register_error_handler(
        IdempotencyConflict,
        lambda exc: ApiError(422, "Idempotency-Key reused", str(exc), "idempotency-conflict").response,
    )
    # Refusals that change nothing and say when to try again.
    bp.register_error_handler(IdempotencyInFlight, _retry_later(409, "Request in progress", "idempotency-in-flight"))
    bp.register_error_handler(Flooding, _retry_later(429, "Too many comments", "flood"))
    bp.register_error_handler(RateLimited, _retry_later(429, "Rate limit reached", "rate-limited"))
    bp.register_error_handler(QueueFull, _retry_later(503, "Moderation queue full", "queue-full"))
    bp.register_error_handler(Backlogged, _retry_later(503, "Moderation backlogged", "backlogged"))
    # Only when a site's key or policy changed again each time its submission read it anew.
    bp.register_error_handler(SiteChanged, _retry_later(503, "Site changed", "site-changed"))
    bp.register_error_handler(RedisConnectionError, _redis_down)
    bp.register_error_handler(RedisTimeoutError, _redis_down)
    bp.register_error_handler(HTTPException, _problem_for)


def init_app(app: Flask) -> None:
    """Errors outside the API's routes: by path, since an unrouted request belongs to no blueprint."""

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> HTTPException | Response:
        # A path under /api/ that matches no route (404, 405) is still the API's: problem+json.
        return _problem_for(exc) if request.path.startswith(API_PREFIX) else exc

    @app.errorhandler(RedisConnectionError)
    @app.errorhandler(RedisTimeoutError)
    def _store_down(exc: Exception) -> HTTPException | Response:
        if request.path.startswith(API_PREFIX):
            return _redis_down(exc)
        current_app.logger.error("Redis unavailable: %s", exc)
        return ServiceUnavailable(retry_after=RETRY_AFTER_REDIS)
