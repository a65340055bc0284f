"""Reading a submission from JSON or from WordPress's comment form (plus Akismet's fields)."""

from __future__ import annotations

import json
from contextlib import AbstractContextManager, nullcontext
from typing import Any
from urllib.parse import parse_qsl

from flask import current_app, request
from gevent import Timeout, monkey

from ..extensions import runtime
from .problems import ApiError, unsupported_media_type

# WordPress comment-form and Akismet names -> our dotted field names.
FORM_FIELDS = {
    "comment_post_ID": "thread_id",
    "comment_parent": "parent_id",
    "author": "author.name",
    "email": "author.email",
    "url": "author.url",
    "comment": "body",
    "user_ip": "client.ip",
    "user_agent": "client.user_agent",
    "referrer": "client.referrer",
    "permalink": "permalink",
    "honeypot": "honeypot",
    "ak_hp_textarea": "honeypot",  # Akismet's own honeypot field
}
FORM_NAMES = {dotted: name for name, dotted in FORM_FIELDS.items() if name != "ak_hp_textarea"}

JSON_TYPES = ("application/json",)
FORM_TYPE = "application/x-www-form-urlencoded"


def _unparseable(detail: str) -> ApiError:
    return ApiError(400, "Unparseable body", detail, "unparseable", [{"field": "body", "message": detail}])


def _nest(flat: dict[str, str]) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for dotted, value in flat.items():
        head, _, tail = dotted.partition(".")
        if tail:
            nested.setdefault(head, {})[tail] = value
        else:
            nested[head] = value
    return nested


def _too_slow(seconds: int) -> ApiError:
    return ApiError(
        408,
        "Request Timeout",
        f"The request body did not arrive within {seconds} s; nothing was stored. Send it again.",
        "request-timeout",
        headers={"Connection": "close"},
    )


def _body_deadline() -> AbstractContextManager[object]:
    """A deadline for the whole body read: gevent's, where sockets are gevent's (`commentgate web`).

    The gevent worker bounds a request's line and headers, not its body, so without this one client
    that trickles bodies holds its connections for as long as it likes. Elsewhere (the test client,
    a threaded server) there is no greenlet to interrupt and no deadline.
    """
    seconds = runtime().settings.body_timeout
    if seconds <= 0 or not monkey.is_module_patched("socket"):
        return nullcontext()
    return Timeout(seconds, _too_slow(seconds))


def read_body() -> bytes:
    """The whole body, at most MAX_CONTENT_LENGTH bytes within BODY_TIMEOUT; 413 past the size, 408 past the time.

    Werkzeug refuses an oversized Content-Length before reading, but a chunked body is only cut at
    the limit; one more read past the limit raises its 413 (a body of exactly the limit is refused).
    """
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    with _body_deadline():
        raw = request.get_data(cache=False)
        if request.content_length is None and len(raw) >= limit:
            request.stream.read(1)
    return raw


def read_submission() -> tuple[dict[str, Any], bool]:
    """The request body as a dict shaped like CommentIn, and whether it came as a form.

    Bytes that are not UTF-8 are kept as lone surrogates so validation can name the field they are in.
    """
    mimetype = request.mimetype
    is_json = mimetype in JSON_TYPES or mimetype.endswith("+json")
    if not is_json and mimetype != FORM_TYPE:
        raise unsupported_media_type(*JSON_TYPES, FORM_TYPE)
    raw = read_body()
    text = raw.decode("utf-8", errors="surrogateescape")
    if is_json:
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise _unparseable(f"The body is not valid JSON: {exc}") from exc
        except RecursionError as exc:
            raise _unparseable("The body is not valid JSON: it is nested too deeply.") from exc
        if not isinstance(data, dict):
            raise _unparseable("The body must be a JSON object.")
        return data, False
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=False, errors="surrogateescape")
    except ValueError as exc:
        raise _unparseable(f"The form body cannot be parsed: {exc}") from exc
    flat = {FORM_FIELDS[name]: value for name, value in pairs if name in FORM_FIELDS}
    if flat.get("parent_id") in ("", "0"):  # WordPress sends comment_parent=0 for a top-level comment
        flat.pop("parent_id")
    return _nest(flat), True
