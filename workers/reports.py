"""Readers' reports: one per reporter per comment, kept on the comment; enough of them hold it for a moderator."""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from redis import Redis
from redis.client import Pipeline
from redis.exceptions import WatchError

from .decision_outcomes import Conflict, Decided
from .exceptions import CommentgateError, UnknownComment
from .identity import normalize_ip
from .keys import Keys
from .models import Comment, ReportReason, Status
from .moderators import Moderator
from .queue_index import Queue
from .store import decode

if TYPE_CHECKING:
    from .runtime import Runtime  # the runtime imports this module

THRESHOLD_REASON = "reports.threshold"
DISMISSED_REASON = "reports.dismissed"
REPORTS_ACTOR = "reports"  # the audit actor of a hold by readers' reports: neither the pipeline nor a person
REPORTABLE = (Status.PUBLISHED, Status.HELD)

# One report, atomically: the comment must still be published or held; a reporter already on file
# (open or dismissed) gets their first report back; a published comment enters the reported queue
# and its facets at the time of its first open report. Returns how many of a published comment's
# open reports were filed since it was last decided: reports a moderator already weighed (approving the comment
# or restoring it) stay on it, shown, but no longer count toward the threshold. The count stops at
# the threshold (at most 1,000), so a much-reported comment is not read whole for every report.
# KEYS: comment, open reports, dismissed reports, reported queue, then its facets.
# ARGV: reporter digest, report JSON, report time, comment id, the threshold (0: never, nothing counted).
FILE_REPORT = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'gone'} end
if status ~= 'published' and status ~= 'held' then return {'refused', status} end
local first = redis.call('HGET', KEYS[2], ARGV[1]) or redis.call('HGET', KEYS[3], ARGV[1])
if first then return {'exists', status, first} end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if status == 'published' then
  redis.call('ZADD', KEYS[4], 'NX', ARGV[3], ARGV[4])
  local since = redis.call('ZSCORE', KEYS[4], ARGV[4])
  for i = 5, #KEYS do redis.call('ZADD', KEYS[i], since, ARGV[4]) end
end
local threshold = tonumber(ARGV[5])
local open = 0
if status == 'published' and threshold > 0 then
  local decided = tonumber(redis.call('HGET', KEYS[1], 'decided_at') or '0') or 0
  for _, value in ipairs(redis.call('HVALS', KEYS[2])) do
    if tonumber(cjson.decode(value)['at']) >= decided then open = open + 1 end
    if open >= threshold then break end
  end
end
return {'filed', status, tostring(open)}
"""


class NotReportable(CommentgateError):
    """The comment is not published or held (still queued, or rejected): readers cannot report it."""

    def __init__(self, comment_id: str, status: Status) -> None:
        super().__init__(f"comment {comment_id} is {status.value}")
        self.status = status


@dataclass(frozen=True)
class Report:
    """One reader's report: why, their note, and when. The reporter is kept only as a digest."""

    reason: ReportReason
    note: str
    at: float

    def as_dict(self) -> dict[str, object]:
        return {"reason": self.reason.value, "note": self.note, "at": self.at}

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), separators=(",", ":"))


@dataclass(frozen=True)
class FiledReport:
    """What a report came to: `created` False when the reporter had reported before (`report` is then
    their first one); `held` True when this report reached the site's threshold and held the comment."""

    created: bool
    report: Report
    held: bool


def parse_report(value: bytes | str) -> Report:
    data = json.loads(decode(value))
    return Report(reason=ReportReason(data["reason"]), note=data.get("note", ""), at=float(data["at"]))


def parse_reports(raw: dict[bytes, bytes] | None) -> list[Report]:
    """The reports hash as read (reporter digest → JSON), oldest first."""
    return sorted((parse_report(value) for value in (raw or {}).values()), key=lambda r: r.at)


def count_by_reason(reports: list[Report]) -> dict[str, int]:
    """How many reports give each reason: what the comment resource shows."""
    counts = Counter(r.reason.value for r in reports)
    return {reason.value: counts[reason.value] for reason in ReportReason if counts[reason.value]}


def reporter_key(reporter_id: str | None, reporter_ip: str | None) -> str:
    """Who reported, before it is hashed: the site's reader id, else the normalized IP, else one anonymous reader.

    Reports without an identity count once per comment: otherwise anyone could hold any comment by
    sending the threshold's number of anonymous reports.
    """
    if reporter_id:
        return f"reporter-id:{reporter_id}"
    if reporter_ip and (ip := normalize_ip(reporter_ip)):
        return f"reporter-ip:{ip}"
    return "reporter:anonymous"


class ReportStore:
    """Reads and writes a comment's reports: open ones (counted) and dismissed ones (kept for history)."""

    def __init__(self, connection: Redis, keys: Keys | None = None) -> None:
        self.redis = connection
        self.keys = keys or Keys()
        self._file = connection.register_script(FILE_REPORT)  # EVALSHA: the script is sent once

    def read(self, pipe: Pipeline, comment_id: str) -> None:
        """Queue a read of the comment's open reports on `pipe`; `parse_reports` turns its result into reports."""
        pipe.hgetall(self.keys.reports(comment_id))

    def of(self, comment_id: str) -> list[Report]:
        """The comment's open reports (not dismissed), oldest first."""
        return parse_reports(self.redis.hgetall(self.keys.reports(comment_id)))

    def dismissed(self, comment_id: str) -> list[Report]:
        """The comment's dismissed reports, oldest first."""
        return parse_reports(self.redis.hgetall(self.keys.reports_dismissed(comment_id)))

    def file(
        self, comment: Comment, digest: str, report: Report, facet_keys: list[str], threshold: int
    ) -> tuple[str, list[str]]:
        """Run the report script: its outcome (`gone`, `refused`, `exists`, `filed`) and the values that go with it."""
        k = self.keys
        keys = [
            k.comment(comment.id),
            k.reports(comment.id),
            k.reports_dismissed(comment.id),
            k.queue(comment.site_id, Queue.REPORTED),
            *facet_keys,
        ]
        result = self._file(keys=keys, args=[digest, report.to_json(), repr(report.at), comment.id, threshold])
        code, *values = (decode(v) for v in result)
        return code, values


def file_report(
    rt: Runtime,
    site_id: str,
    comment_id: str,
    reason: ReportReason,
    note: str,
    reporter_id: str | None,
    reporter_ip: str | None,
) -> FiledReport:
    """A reader's report on the site's comment; at the policy's threshold of reporters, the comment is held."""
    # Here, not at the top: transitions imports the runtime, which imports this module.
    from .transitions import Applied, apply_transition

    comment = rt.comments.get_for_site(site_id, comment_id)
    if comment.status not in REPORTABLE:  # refused before anything is written; the script checks again
        raise NotReportable(comment_id, comment.status)
    author_id = rt.authors.id_of(site_id, comment.author_key)
    digest = rt.authors.id_of(site_id, reporter_key(reporter_id, reporter_ip))
    report = Report(reason=reason, note=note, at=time.time())
    facets = rt.comments.queues.facets(comment.thread_id, [reason.value], author_id)
    facet_keys = [rt.keys.queue_facet(site_id, Queue.REPORTED, facet, value) for facet, value in facets]
    threshold = rt.sites.policy(site_id).report_hold_threshold
    code, values = rt.reports.file(comment, digest, report, facet_keys, threshold)
    if code == "gone":
        raise UnknownComment(comment_id)
    if code == "refused":
        raise NotReportable(comment_id, Status(values[0]))
    if code == "exists":
        return FiledReport(created=False, report=parse_report(values[1]), held=False)
    status, open_reports = Status(values[0]), int(values[1])
    if status is not Status.PUBLISHED or threshold == 0 or open_reports < threshold:
        return FiledReport(created=True, report=report, held=False)
    # A compare-and-set from published: of two reports past the threshold at once, one holds it.
    outcome = apply_transition(
        rt,
        comment_id,
        expected={Status.PUBLISHED},
        to=Status.HELD,
        actor=REPORTS_ACTOR,
        reasons=(THRESHOLD_REASON,),
        event_type="comment.held",
    )
    return FiledReport(created=True, report=report, held=isinstance(outcome, Applied))


def dismiss_reports(rt: Runtime, moderator: Moderator, comment_id: str) -> Decided | Conflict:
    """Dismiss a published comment's open reports (kept, no longer counted); it leaves the reported queue."""
    comment = rt.comments.get(comment_id)
    if comment is None or not moderator.may_moderate(comment.site_id):
        raise UnknownComment(comment_id)
    author_id = rt.authors.id_of(comment.site_id, comment.author_key)
    every_reason = [r.value for r in ReportReason]
    facets = rt.comments.queues.facets(comment.thread_id, every_reason, author_id)
    comment_key, open_key = rt.keys.comment(comment_id), rt.keys.reports(comment_id)
    with rt.connection.pipeline() as pipe:
        while True:
            try:
                # WATCH both: a report or a decision arriving meanwhile makes this run again.
                pipe.watch(comment_key, open_key)
                status = decode(pipe.hget(comment_key, "status"))
                reports = pipe.hgetall(open_key)
                if not status:
                    raise UnknownComment(comment_id)
                if status != Status.PUBLISHED or not reports:
                    last = pipe.lindex(rt.keys.audit(comment_id), -1)
                    pipe.reset()
                    return _conflict(rt, comment_id, Status(status), last)
                pipe.multi()
                pipe.hset(rt.keys.reports_dismissed(comment_id), mapping=reports)
                pipe.delete(open_key)
                rt.comments.queues.remove(pipe, comment.site_id, Queue.REPORTED, comment_id, facets)
                rt.comments.add_audit_entry(
                    pipe,
                    comment,
                    {
                        "at": time.time(),
                        "actor": moderator.actor,
                        "from": Status.PUBLISHED.value,
                        "to": Status.PUBLISHED.value,
                        "reasons": [DISMISSED_REASON],
                        "event_id": None,  # the site is told nothing: the comment stays as it was
                    },
                    author_id,
                )
                pipe.execute()
                return Decided(comment_id=comment_id, status=Status.PUBLISHED, event_id=None)
            except WatchError:
                continue


def _conflict(rt: Runtime, comment_id: str, status: Status, last_entry: bytes | None) -> Conflict:
    """Nothing to dismiss: where the comment stands, and who acted on it last (from its audit list)."""
    if last_entry is None:
        return Conflict(comment_id=comment_id, status=status, decided_by=None, decided_at=None)
    entry = json.loads(last_entry)
    return Conflict(
        comment_id=comment_id,
        status=status,
        decided_by=rt.moderators.display_name(entry["actor"]),
        decided_at=entry["at"],
    )
