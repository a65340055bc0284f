"""Readers' reports on published comments: one per reporter per comment, kept on the comment."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

from redis import Redis
from redis.client import Pipeline

from .keys import Keys
from .models import ReportReason
from .store import decode


@dataclass(frozen=True)
class Report:
    """One reader's report: why, their note, and when. The reporter is kept only as a digest."""

    reason: ReportReason
    note: str
    at: float

    def as_dict(self) -> dict[str, object]:
        return {"reason": self.reason.value, "note": self.note, "at": self.at}


def parse_reports(raw: dict[bytes, bytes] | None) -> list[Report]:
    """The reports hash as read (reporter digest → JSON), oldest first."""
    reports = []
    for value in (raw or {}).values():
        data = json.loads(decode(value))
        reports.append(Report(reason=ReportReason(data["reason"]), note=data.get("note", ""), at=float(data["at"])))
    return sorted(reports, key=lambda r: r.at)


def count_by_reason(reports: list[Report]) -> dict[str, int]:
    """How many reports give each reason: what the comment resource shows."""
    counts = Counter(r.reason.value for r in reports)
    return {reason.value: counts[reason.value] for reason in ReportReason if counts[reason.value]}


class ReportStore:
    """Reads (and writes) a comment's reports."""

    def __init__(self, connection: Redis, keys: Keys | None = None) -> None:
        self.redis = connection
        self.keys = keys or Keys()

    def read(self, pipe: Pipeline, comment_id: str) -> None:
        """Queue a read of the comment's reports on `pipe`; `parse_reports` turns its result into reports."""
        pipe.hgetall(self.keys.reports(comment_id))

    def of(self, comment_id: str) -> list[Report]:
        return parse_reports(self.redis.hgetall(self.keys.reports(comment_id)))
