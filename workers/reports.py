"""Readers' reports: one per reporter per comment, kept on the comment; enough of them hold it for a moderator."""

from __future__ import annotations

import json
import time
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

STORED_NOTES_MAX = 1000  # past this many open reports, a report is still counted but stored without its note
LATEST_KEPT = 10  # the latest reports a moderator is shown; the rest are counted

# One report, atomically, in time and memory that do not grow with the comment's reports: the comment
# must still be published or held; a reporter already on file (open or dismissed) gets their first
# report back; a published comment enters the reported queue and its facets at the time of its first
# open report. Counts by reason and the latest few reports are kept beside the reports, so nothing
# reads them whole. `counted` is how many were filed since the comment was last decided (reports a
# moderator already weighed, approving or restoring it, stay shown but no longer count toward the
# threshold): it starts again from 0 when the comment's `decided_at` differs from the one it counts from.
# Every outcome but `gone` and `refused` returns it, so a retried report can still hold the comment.
# KEYS: comment, open reports, dismissed reports, counts, latest, reported queue, then its facets.
# ARGV: reporter digest, report JSON, the same without its note, report time, comment id, reason,
#       stored-notes bound, latest kept.
FILE_REPORT = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'gone'} end
if status ~= 'published' and status ~= 'held' then return {'refused', status} end
local decided = redis.call('HGET', KEYS[1], 'decided_at') or ''
if redis.call('HGET', KEYS[4], 'decided_at') ~= decided then
  redis.call('HSET', KEYS[4], 'decided_at', decided, 'counted', 0)
end
local first = redis.call('HGET', KEYS[2], ARGV[1]) or redis.call('HGET', KEYS[3], ARGV[1])
if first then return {'exists', status, redis.call('HGET', KEYS[4], 'counted'), first} end
if redis.call('HLEN', KEYS[2]) < tonumber(ARGV[7]) then
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
else
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
end
redis.call('HINCRBY', KEYS[4], 'total', 1)
redis.call('HINCRBY', KEYS[4], 'reason:' .. ARGV[6], 1)
local counted = redis.call('HINCRBY', KEYS[4], 'counted', 1)
redis.call('LPUSH', KEYS[5], ARGV[2])
redis.call('LTRIM', KEYS[5], 0, tonumber(ARGV[8]) - 1)
if status == 'published' then
  redis.call('ZADD', KEYS[6], 'NX', ARGV[4], ARGV[5])
  local since = redis.call('ZSCORE', KEYS[6], ARGV[5])
  for i = 7, #KEYS do redis.call('ZADD', KEYS[i], since, ARGV[5]) end
end
return {'filed', status, tostring(counted)}
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
    their first one); `held` True when this report found the site's threshold reached and held the comment."""

    created: bool
    report: Report
    held: bool


def parse_report(value: bytes | str) -> Report:
    data = json.loads(decode(value))
    return Report(reason=ReportReason(data["reason"]), note=data.get("note", ""), at=float(data["at"]))


def parse_reports(raw: dict[bytes, bytes] | None) -> list[Report]:
    """The reports hash as read (reporter digest → JSON), oldest first."""
    return sorted((parse_report(value) for value in (raw or {}).values()), key=lambda r: r.at)


@dataclass(frozen=True)
class ReportCounts:
    """A comment's open reports counted: how many, and how many give each reason."""

    total: int
    by_reason: dict[str, int]

    @classmethod
    def from_hash(cls, raw: dict[bytes, bytes] | None) -> ReportCounts:
        """The counts hash as read (`total`, `reason:<reason>`, …); an absent hash is no reports."""
        fields = {decode(k): int(v) for k, v in (raw or {}).items() if decode(k) != "decided_at"}
        by_reason = {r.value: fields.get(f"reason:{r.value}", 0) for r in ReportReason}
        return cls(total=fields.get("total", 0), by_reason={k: n for k, n in by_reason.items() if n})

    def as_dict(self) -> dict[str, object]:
        return {"total": self.total, "by_reason": dict(self.by_reason)}


def parse_latest(raw: list[bytes] | None) -> list[Report]:
    """The latest-reports list as read (newest first), oldest first."""
    return [parse_report(value) for value in reversed(raw or [])]


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
        """Queue two reads on `pipe`: the counts (`ReportCounts.from_hash`) and the latest few (`parse_latest`)."""
        pipe.hgetall(self.keys.report_counts(comment_id))
        pipe.lrange(self.keys.reports_latest(comment_id), 0, LATEST_KEPT - 1)

    def counts(self, comment_id: str) -> ReportCounts:
        """The comment's open reports counted: one small hash, however many reports there are."""
        return ReportCounts.from_hash(self.redis.hgetall(self.keys.report_counts(comment_id)))

    def of(self, comment_id: str) -> list[Report]:
        """Every open report of the comment (not dismissed), oldest first: reads them all, so not for requests."""
        return parse_reports(self.redis.hgetall(self.keys.reports(comment_id)))

    def dismissed(self, comment_id: str) -> list[Report]:
        """The comment's dismissed reports, oldest first."""
        return parse_reports(self.redis.hgetall(self.keys.reports_dismissed(comment_id)))

    def file(self, comment: Comment, digest: str, report: Report, facet_keys: list[str]) -> tuple[str, list[str]]:
        """Run the report script: its outcome (`gone`, `refused`, `exists`, `filed`) and the values that go with it."""
        k = self.keys
        keys = [
            k.comment(comment.id),
            k.reports(comment.id),
            k.reports_dismissed(comment.id),
            k.report_counts(comment.id),
            k.reports_latest(comment.id),
            k.queue(comment.site_id, Queue.REPORTED),
            *facet_keys,
        ]
        without_note = Report(reason=report.reason, note="", at=report.at)
        args = [digest, report.to_json(), without_note.to_json(), repr(report.at), comment.id, report.reason.value]
        result = self._file(keys=keys, args=[*args, STORED_NOTES_MAX, LATEST_KEPT])
        code, *values = (decode(v) for v in result)
        return code, values

    def still_past(self, pipe: Pipeline, comment_id: str, threshold: int) -> bool:
        """Whether the reports counted since the comment's last decision still reach `threshold` (pipe WATCHing)."""
        decided = decode(pipe.hget(self.keys.comment(comment_id), "decided_at")) or ""
        counted, since = pipe.hmget(self.keys.report_counts(comment_id), "counted", "decided_at")
        return since is not None and decode(since) == decided and int(counted or 0) >= threshold


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
    code, values = rt.reports.file(comment, digest, report, facet_keys)
    if code == "gone":
        raise UnknownComment(comment_id)
    if code == "refused":
        raise NotReportable(comment_id, Status(values[0]))
    created = code == "filed"
    if not created:
        report = parse_report(values[2])
    status, counted = Status(values[0]), int(values[1] or 0)
    if status is not Status.PUBLISHED or threshold == 0 or counted < threshold:
        return FiledReport(created=created, report=report, held=False)
    # Tried on a repeat too: a report whose hold failed (its process died, its connection dropped)
    # is retried by the site, and the retry must hold. A compare-and-set from published that WATCHes
    # the counts and checks them again: of two reports past the threshold at once, one holds it, and
    # reports dismissed meanwhile hold nothing.
    outcome = apply_transition(
        rt,
        comment_id,
        expected={Status.PUBLISHED},
        to=Status.HELD,
        actor=REPORTS_ACTOR,
        reasons=(THRESHOLD_REASON,),
        event_type="comment.held",
        watch=(rt.keys.report_counts(comment_id),),
        still_wanted=lambda pipe, _: rt.reports.still_past(pipe, comment_id, threshold),
    )
    return FiledReport(created=created, report=report, held=isinstance(outcome, Applied))


def dismiss_reports(rt: Runtime, moderator: Moderator, comment_id: str) -> Decided | Conflict:
    """Dismiss a published comment's open reports (kept, no longer counted); it leaves the reported queue."""
    comment = rt.comments.get(comment_id)
    if comment is None or not moderator.may_moderate(comment.site_id):
        raise UnknownComment(comment_id)
    author_id = rt.authors.id_of(comment.site_id, comment.author_key)
    every_reason = [r.value for r in ReportReason]
    facets = rt.comments.queues.facets(comment.thread_id, every_reason, author_id)
    k = rt.keys
    comment_key, open_key, dismissed_key = k.comment(comment_id), k.reports(comment_id), k.reports_dismissed(comment_id)
    with rt.connection.pipeline() as pipe:
        while True:
            try:
                # WATCH both: a report or a decision arriving meanwhile makes this run again.
                pipe.watch(comment_key, open_key)
                status = decode(pipe.hget(comment_key, "status"))
                if not status:
                    raise UnknownComment(comment_id)
                if status != Status.PUBLISHED or not pipe.exists(open_key):
                    last = pipe.lindex(k.audit(comment_id), -1)
                    pipe.reset()
                    return _conflict(rt, comment_id, Status(status), last)
                # The first dismissal moves the reports whole (RENAME); a later one merges them in.
                earlier = pipe.exists(dismissed_key)
                reports = pipe.hgetall(open_key) if earlier else None
                pipe.multi()
                if reports:
                    pipe.hset(dismissed_key, mapping=reports)
                    pipe.delete(open_key)
                else:
                    pipe.rename(open_key, dismissed_key)
                pipe.delete(k.report_counts(comment_id), k.reports_latest(comment_id))
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
