"""A much-reported comment: each report, the comment resource and a queue page read a bounded amount."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from redis import Redis

from tests.helpers.accounts import log_in
from tests.helpers.api import decided_comment
from tests.helpers.decisions import moderator_of
from tests.test_moderate_pages import articles
from workers.models import ReportReason, Status
from workers.moderators import Role
from workers.policy import Policy
from workers.reports import STORED_NOTES_MAX, file_report

PASSWORD = "a long test password"
READERS = 2000
NOTE = "n" * 1000  # the longest note a reader may send: 2,000 of them are 2 MB
BOUND = 100_000  # bytes: what one request may read from Redis, whatever the number of reports


def redis_cost(connection: Redis, request: Callable[[], Any]) -> tuple[Any, int, int]:
    """Run `request`; the bytes Redis sent meanwhile, and how many HVALS (a whole hash read) it ran."""

    def stats() -> tuple[int, int]:
        sent = int(connection.info("stats")["total_net_output_bytes"])
        commands = connection.info("commandstats")
        return sent, int(commands.get("cmdstat_hvals", {}).get("calls", 0))

    sent, hvals = stats()
    result = request()
    after_sent, after_hvals = stats()
    return result, after_sent - sent, after_hvals - hvals


def test_a_comment_with_thousands_of_reports_costs_each_request_a_bounded_read(
    rt, site, post, work, client, auth, connection
):
    published = decided_comment(post, work, client, auth)
    comment_id = published["id"]
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=0, report_hold_threshold=0))
    for i in range(READERS):  # through the real report script, as that many distinct readers would
        file_report(rt, site.site_id, comment_id, ReportReason.ABUSE, NOTE, f"reader-{i}", None)
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=0, report_hold_threshold=1000))
    token = rt.moderators.issue_token(moderator_of(rt, "ada@example.org", site.site_id).email)

    posted, posted_bytes, posted_hvals = redis_cost(
        connection,
        lambda: client.post(
            f"/api/v1/comments/{comment_id}/reports",
            json={"reason": "spam", "note": NOTE, "reporter": {"id": "one-more-reader"}},
            headers=auth,
        ),
    )
    resource, resource_bytes, _ = redis_cost(
        connection, lambda: client.get(f"/api/v1/comments/{comment_id}", headers=auth)
    )
    page, page_bytes, _ = redis_cost(
        connection,
        lambda: client.get("/api/v1/moderation/queue?queue=held&limit=1", headers={"Authorization": f"Bearer {token}"}),
    )

    counts = {"total": READERS + 1, "by_reason": {"spam": 1, "abuse": READERS}}
    assert posted.status_code == 202 and posted.get_json()["reports"] == counts
    assert rt.comments.status_of(comment_id) is Status.HELD  # past the threshold, as before
    assert resource.get_json()["reports"] == counts
    (item,) = page.get_json()["items"]
    reports = item["reports"]
    assert (reports["total"], reports["by_reason"]) == (READERS + 1, {"spam": 1, "abuse": READERS})
    assert len(reports["items"]) == 10 and reports["items"][-1]["reason"] == "spam"  # the latest few, newest last
    assert len(json.dumps(page.get_json())) < BOUND
    stored = rt.reports.of(comment_id)  # the 1,000 first keep their notes; the rest are counted
    assert len(stored) == READERS + 1 and sum(1 for r in stored if r.note) == STORED_NOTES_MAX
    assert posted_hvals == 0  # the threshold is checked on a count, not by reading every report
    assert posted_bytes < BOUND and resource_bytes < BOUND and page_bytes < BOUND


def test_the_desk_shows_the_total_and_the_latest_ten_reports(rt, site, post, work, client, auth, app):
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=0, report_hold_threshold=0))
    comment_id = decided_comment(post, work, client, auth)["id"]
    for i in range(12):
        file_report(rt, site.site_id, comment_id, ReportReason.SPAM, f"note {i}", f"reader-{i}", None)
    rt.moderators.add("ana@example.org", Role.MODERATOR, frozenset({site.site_id}), PASSWORD)
    desk = log_in(app.test_client(), "ana@example.org", PASSWORD)

    item = articles(desk.get("/moderate/?queue=reported").get_data(as_text=True))[comment_id]

    assert "12 reports, the latest 10 shown" in item
    assert re.findall(r"<q>(note \d+)</q>", item) == [f"note {i}" for i in range(2, 12)]
