"""Each request's log lines name the site and comment it is about (workers/logs.py), and only those ids."""

from __future__ import annotations

import re

from flask import Flask, request

from workers.logs import add_log_context, clear_log_context

from .api.schemas import COMMENT_ID_PATTERN, SITE_ID_PATTERN


def _ids_in_path() -> dict[str, str]:
    """The path's comment and site ids, when shaped like ids (a path is the client's text, not ours to log)."""
    args = request.view_args or {}
    ids = {}
    for name, pattern in (("comment_id", COMMENT_ID_PATTERN), ("site_id", SITE_ID_PATTERN)):
        value = args.get(name)
        if isinstance(value, str) and re.fullmatch(pattern, value):
            ids[name] = value
    return ids


def init_app(app: Flask) -> None:
    """A fresh log context per request (a gevent connection's greenlet serves one request after another)."""

    @app.before_request
    def _open() -> None:
        clear_log_context()
        add_log_context(**_ids_in_path())

    @app.teardown_request
    def _close(_exc: BaseException | None) -> None:
        clear_log_context()
