"""The moderation reads' JSON shapes, as the OpenAPI document describes them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from .schemas import EvidenceOut


class ReasonOut(BaseModel):
    code: str
    text: str  # the code in words


class QueueAuthorOut(BaseModel):
    """The author as a moderator sees them: personal data included; `id` is their pseudonymous id."""

    name: str
    email: str
    url: str
    ip: str
    id: str


class MarkOut(BaseModel):
    kind: str
    label: str


class SegmentOut(BaseModel):
    text: str
    mark: MarkOut | None


class MarksOut(BaseModel):
    """The body cut into segments with the evidence marked; `summary` when there were more matches than marks."""

    segments: list[SegmentOut]
    summary: str | None
    matches: int


class SpamOut(BaseModel):
    probability: float | None
    tokens: list[Any]


class ReportOut(BaseModel):
    reason: str
    note: str
    at: str | None


class ReportsOut(BaseModel):
    total: int
    by_reason: dict[str, int]
    items: list[ReportOut]


class RecentOut(BaseModel):
    id: str
    status: str
    created_at: str | None
    excerpt: str


class HistoryOut(BaseModel):
    published: int
    held: int
    rejected: int
    recent: list[RecentOut]


class QueueItemOut(BaseModel):
    id: str
    site_id: str
    thread_id: str
    status: str
    created_at: str | None
    decided_at: str | None
    decided_by: str | None
    body: str
    author: QueueAuthorOut
    permalink: str
    reasons: list[ReasonOut]
    evidence: list[EvidenceOut]
    marks: MarksOut
    spam: SpamOut
    reports: ReportsOut
    history: HistoryOut
    pipeline_error: str | None = None


class QueueCountsOut(BaseModel):
    held: int
    reported: int
    decided: int


class QueuePageOut(BaseModel):
    items: list[QueueItemOut]
    next_cursor: str | None
    scanned_all: bool
    counts: QueueCountsOut


class AuditEntryOut(BaseModel):
    id: str
    at: str | None
    actor: str
    actor_id: str
    from_: str = Field(alias="from")
    to: str
    reasons: list[str]
    comment_id: str
    thread_id: str
    author_id: str
    event_id: str
    note: str | None = None


class AuditPageOut(BaseModel):
    entries: list[AuditEntryOut]
    next_cursor: str | None
    scanned_all: bool
