"""Request and response bodies of API v1. The same models validate requests and make the OpenAPI document."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any
from urllib.parse import urlsplit

import email_validator
from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from workers.models import ReportReason
from workers.text import BIDI_CONTROLS, strip_bidi

# C0 and C1 control characters and DEL. The body (multi-line) keeps tab, LF and CR; a one-line field
# keeps none. Lone surrogates stand for bytes that were not UTF-8.
_CONTROL_IN_BODY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")

# Ids and cursors become parts of Redis key names and commands, so they are checked by pattern first:
# an id such as `<id>:audit` would otherwise name another key. Comment ids are lowercase letters and
# digits of bounded length (whatever alphabet the ids use within that); site ids add the underscore.
COMMENT_ID_PATTERN = r"^[0-9a-z]{1,64}$"
SITE_ID_PATTERN = r"^[0-9a-z_]{1,64}$"
# A Redis stream position, `<ms>` or `<ms>-<seq>`: ASCII digits that fit in 64 bits.
EVENT_CURSOR_PATTERN = r"^[0-9]{1,19}(-[0-9]{1,19})?$"


def _clean(value: str, control: re.Pattern[str]) -> str:
    if _SURROGATE.search(value):
        raise ValueError("is not valid UTF-8")
    if control.search(value):
        raise ValueError("contains control characters")
    return value


def _body_text(value: str) -> str:
    """Multi-line text: bidi controls are stripped later, by the pipeline, and noted in the evidence."""
    return _clean(value, _CONTROL_IN_BODY)


def _line(value: str) -> str:
    """Ids, addresses and URLs: a bidi control has no use there but to make one look like another."""
    _clean(value, _CONTROL_IN_LINE)
    if BIDI_CONTROLS.search(value):
        raise ValueError("contains bidirectional control characters")
    return value


def _name(value: str) -> str:
    """A reader's name: bidi controls are stripped, so a name cannot reverse itself or what follows it."""
    return strip_bidi(_clean(value, _CONTROL_IN_LINE))[0]


def is_comment_id(value: str) -> bool:
    """True for a string shaped like a comment id (whether or not such a comment exists)."""
    return re.fullmatch(COMMENT_ID_PATTERN, value) is not None


def _comment_id(value: str) -> str:
    if value and not is_comment_id(value):
        raise ValueError("is not a comment id")
    return value


# Most addresses are plain: an ASCII dot-atom before the @, a host name under a top-level domain of
# letters after it. One compiled pattern takes those, as email_validator would (it was about 60% of a
# submission's validation): the same ones accepted, normalized as it does (the domain in lowercase).
# Anything else, and every refusal with its message, is email_validator's own.
_PLAIN_EMAIL = re.compile(
    r"(?P<local>[A-Za-z0-9_+-]{1,64}(?:\.[A-Za-z0-9_+-]{1,64})*)@"
    r"(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})"
)


def _plain_email(value: str) -> str | None:
    """The normalized address when it is a plain one email_validator accepts, else None (ask it)."""
    plain = _PLAIN_EMAIL.fullmatch(value)
    if plain is None or len(value) > 254 or len(plain["local"]) > 64:
        return None
    domain = plain["domain"].lower()
    # Labels such as `ab--cd` (reserved unless Punycode) and special-use names: email_validator decides.
    if "--" in domain or any(domain == d or domain.endswith(f".{d}") for d in email_validator.SPECIAL_USE_DOMAIN_NAMES):
        return None
    return f"{plain['local']}@{domain}"


def _email(value: str) -> str:
    if not value:
        return value
    plain = _plain_email(value)
    if plain is not None:
        return plain
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"is not a valid email address ({exc})") from exc


def _http_url(value: str) -> str:
    if not value:
        return value
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http or https URL")
    return value


def _ip(value: str) -> str:
    if not value:
        return value
    try:
        return str(ipaddress.ip_address(value))
    except ValueError as exc:
        raise ValueError("is not an IP address") from exc


BodyText = Annotated[str, AfterValidator(_body_text)]
Line = Annotated[str, AfterValidator(_line)]
Name = Annotated[str, AfterValidator(_name)]
CommentId = Annotated[
    Line, Field(max_length=64, json_schema_extra={"pattern": COMMENT_ID_PATTERN}), AfterValidator(_comment_id)
]


# Lengths are WordPress's column sizes, so a WordPress site never sends what we would refuse.
class AuthorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[Name, Field(max_length=245)] = ""
    email: Annotated[Line, Field(max_length=100), AfterValidator(_email)] = ""
    url: Annotated[Line, Field(max_length=200), AfterValidator(_http_url)] = ""


class ClientIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ip: Annotated[Line, Field(max_length=45), AfterValidator(_ip)] = ""
    user_agent: Annotated[Line, Field(max_length=1000)] = ""
    referrer: Annotated[Line, Field(max_length=2000)] = ""


class CommentIn(BaseModel):
    """A comment as a site submits it."""

    model_config = ConfigDict(extra="forbid")

    thread_id: Annotated[Line, Field(min_length=1, max_length=500)]
    parent_id: CommentId | None = None
    author: AuthorIn = Field(default_factory=AuthorIn)
    body: Annotated[BodyText, Field(max_length=65525)]
    client: ClientIn = Field(default_factory=ClientIn)
    permalink: Annotated[Line, Field(max_length=2000), AfterValidator(_http_url)] = ""
    honeypot: Annotated[BodyText, Field(max_length=1000)] = ""  # a textarea in forms


class EvidenceOut(BaseModel):
    check: str
    action: str
    score: float | None
    reasons: list[str]
    details: dict[str, Any]


class ReportCounts(BaseModel):
    """A comment's open reports (dismissed ones are not counted): how many, and how many give each reason."""

    total: int
    by_reason: dict[str, int]


class CommentOut(BaseModel):
    """The comment resource."""

    id: str
    site_id: str
    thread_id: str
    parent_id: str | None
    status: str
    reasons: list[str]
    evidence: list[EvidenceOut]
    created_at: str
    decided_at: str | None
    reports: ReportCounts


class ReporterIn(BaseModel):
    """Who reported, as the site knows them: its own reader id, else the reader's IP (relayed, as for comments)."""

    model_config = ConfigDict(extra="forbid")

    # The length first, so an overlong value is refused in characters before the text is checked.
    id: Annotated[str, Field(max_length=200), AfterValidator(_line)] = ""
    ip: Annotated[Line, Field(max_length=45), AfterValidator(_ip)] = ""


class ReportIn(BaseModel):
    """A reader's report on a comment, as a site sends it."""

    model_config = ConfigDict(extra="forbid")

    reason: ReportReason
    note: Annotated[str, Field(max_length=1000), AfterValidator(_body_text)] = ""
    reporter: ReporterIn = Field(default_factory=ReporterIn)


class ReportFiled(BaseModel):
    """The answer to a report: the reporter's report (their first, on a repeat) and the comment's open reports."""

    comment_id: str
    reason: ReportReason
    note: str
    reported_at: str
    reports: ReportCounts


class Accepted(BaseModel):
    id: str
    status: str


class PublicAuthor(BaseModel):
    name: str
    url: str


class PublishedComment(BaseModel):
    id: str
    parent_id: str | None
    author: PublicAuthor
    body: str
    created_at: str


class ThreadPage(BaseModel):
    items: list[PublishedComment]
    next_cursor: str | None


class EventComment(BaseModel):
    id: str
    thread_id: str
    status: str
    reasons: list[str]


class EventOut(BaseModel):
    cursor: str
    id: str
    type: str
    created: float
    comment: EventComment


class EventPage(BaseModel):
    items: list[EventOut]
    next_after: str | None


class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None
