"""Log lines as one JSON object each (or text, for a terminal), carrying the comment, job and site they are about.

What a line is about lives in a context variable: a web request, a job or a work horse sets it once
(`logging_about`, `add_log_context`), and a filter on the handler copies it onto every record, from
our loggers, Flask's, RQ's and gunicorn's alike. Only ids go there; bodies, e-mails, IPs, keys and
secrets are never logged.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType
from typing import IO, TYPE_CHECKING

from pythonjsonlogger.json import JsonFormatter

if TYPE_CHECKING:
    from rq.job import Job

LOG_FORMATS = ("json", "text")
# What a line can be about, in the order text lines show them.
CONTEXT_FIELDS = ("site_id", "comment_id", "event_id", "job_id")

_EMPTY: Mapping[str, str] = MappingProxyType({})
_context: ContextVar[Mapping[str, str]] = ContextVar("commentgate_log_context", default=_EMPTY)


def log_context() -> Mapping[str, str]:
    """What the current request or job is about (read-only)."""
    return _context.get()


@contextmanager
def logging_about(**fields: str | None) -> Iterator[None]:
    """Every line logged within the block carries these ids; what was set before is back after it."""
    token = _context.set(_merged(fields))
    try:
        yield
    finally:
        _context.reset(token)


def add_log_context(**fields: str | None) -> None:
    """Add ids learnt along the way (the site, once the comment is read) until the enclosing scope ends."""
    _context.set(_merged(fields))


def clear_log_context() -> None:
    """Forget what the last job was about (a worker's main loop, between jobs)."""
    _context.set(_EMPTY)


def _merged(fields: Mapping[str, str | None]) -> Mapping[str, str]:
    unknown = set(fields) - set(CONTEXT_FIELDS)
    if unknown:
        raise ValueError(f"not a log context field: {sorted(unknown)}")
    return MappingProxyType({**_context.get(), **{k: v for k, v in fields.items() if v}})


# Job functions whose first argument names what the job is about.
_JOB_SUBJECTS = {"workers.jobs.moderate_comment": "comment_id", "workers.jobs.deliver_webhook": "event_id"}


def job_context(job: Job) -> dict[str, str]:
    """The ids a job is about, from the job itself (no Redis read): its id, its comment or event, its site."""
    fields = {"job_id": job.id}
    try:
        subject = _JOB_SUBJECTS.get(job.func_name or "")
        args = job.args
    except Exception:  # a job that cannot be unpickled is still logged, by its id
        return fields
    if subject and args:
        fields[subject] = str(args[0])
    site_id = job.meta.get("site_id")
    if site_id:
        fields["site_id"] = str(site_id)
    return fields


class ContextFilter(logging.Filter):
    """Copy the current context's ids onto each record (without overwriting what the call gave)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in _context.get().items():
            if not hasattr(record, name):
                setattr(record, name, value)
        # Not imported here: gunicorn's master logs through this filter before it forks gevent workers,
        # and RQ imports ssl, which gevent must patch before anything imports it. No RQ, no job.
        rq_job = sys.modules.get("rq.job")
        if not hasattr(record, "job_id") and rq_job is not None:
            job = rq_job.get_current_job()  # inside an RQ job, whichever worker class runs it
            if job is not None:
                record.job_id = job.id
        return True


class TextFormatter(logging.Formatter):
    """`time level logger message key=value…`: for people reading a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        ids = " ".join(f"{name}={getattr(record, name)}" for name in CONTEXT_FIELDS if hasattr(record, name))
        if not ids:
            return line
        first, newline, rest = line.partition("\n")  # after the message, before a traceback
        return f"{first} {ids}{newline}{rest}"


def formatter(log_format: str) -> logging.Formatter:
    """The formatter for `json` (one object a line) or `text`; anything else is refused, naming the choices."""
    if log_format == "json":
        # `time`: ISO 8601 in UTC with microseconds, first; then level, logger, message and the ids.
        return JsonFormatter(
            "%(levelname)s %(name)s %(message)s",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",
        )
    if log_format == "text":
        return TextFormatter()
    raise ValueError(f"COMMENTGATE_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}")


def handler(log_format: str, stream: IO[str] | None = None) -> logging.Handler:
    """A stream handler (stderr by default) with the format and the context filter."""
    made = logging.StreamHandler(stream or sys.stderr)
    made.setFormatter(formatter(log_format))
    made.addFilter(ContextFilter())
    made.set_name("commentgate")
    return made


def configure_logging(log_format: str, level: int = logging.INFO, stream: IO[str] | None = None) -> None:
    """The process's root logger writes through one commentgate handler; called by entry points only.

    RQ and Flask add handlers of their own only when none is found up the logger tree, so theirs
    go through this one too.
    """
    made = handler(log_format, stream)  # first: a bad format is refused before anything changes
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "commentgate"]:
        root.removeHandler(old)
    root.addHandler(made)
    root.setLevel(level)
    # Python's warnings (gevent's, a library's deprecations) as log lines too, not bare text on stderr.
    logging.captureWarnings(True)


def restyle(logger: logging.Logger, log_format: str) -> None:
    """Give a logger's own handlers (gunicorn's, which do not propagate) the format and the context filter."""
    for existing in logger.handlers:
        existing.setFormatter(formatter(log_format))
        if not any(isinstance(f, ContextFilter) for f in existing.filters):
            existing.addFilter(ContextFilter())
