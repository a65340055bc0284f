"""The threshold hold: tried whenever a report finds the count at the threshold, and only while it still is."""

from __future__ import annotations

from typing import Any

import pytest
import redis

from tests.helpers.api import decided_comment
from tests.helpers.decisions import moderator_of
from workers import transitions
from workers.decision_outcomes import Decided
from workers.models import ReportReason, Status
from workers.policy import Policy
from workers.reports import dismiss_reports, file_report


@pytest.fixture
def published_id(rt, site, post, work, client, auth) -> str:
    """A published comment on a site whose threshold is two readers."""
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=0, report_hold_threshold=2))
    resource = decided_comment(post, work, client, auth)
    assert resource["status"] == "published"
    return str(resource["id"])


def test_a_report_retried_after_its_hold_failed_holds_the_comment(rt, site, published_id, monkeypatch):
    file_report(rt, site.site_id, published_id, ReportReason.ABUSE, "", "reader-1", None)
    real = transitions.apply_transition
    calls = []

    def reset_once(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:  # the connection drops (or the process dies) after the report is saved
            raise redis.exceptions.ConnectionError("connection reset")
        return real(*args, **kwargs)

    monkeypatch.setattr(transitions, "apply_transition", reset_once)
    with pytest.raises(redis.exceptions.ConnectionError):
        file_report(rt, site.site_id, published_id, ReportReason.ABUSE, "", "reader-2", None)
    again = file_report(rt, site.site_id, published_id, ReportReason.ABUSE, "", "reader-2", None)  # the site retries

    assert again.created is False and again.held is True
    assert rt.comments.status_of(published_id) is Status.HELD
    assert rt.comments.audit(published_id)[-1]["reasons"] == ["reports.threshold"]


def test_reports_dismissed_before_the_hold_lands_leave_the_comment_published(rt, site, published_id, monkeypatch):
    bob = moderator_of(rt, "bob@example.org", site.site_id)
    file_report(rt, site.site_id, published_id, ReportReason.ABUSE, "", "reader-1", None)
    real = transitions.apply_transition

    def dismissed_first(*args: Any, **kwargs: Any) -> Any:
        assert isinstance(dismiss_reports(rt, bob, published_id), Decided)  # between the count and the hold
        return real(*args, **kwargs)

    monkeypatch.setattr(transitions, "apply_transition", dismissed_first)
    filed = file_report(rt, site.site_id, published_id, ReportReason.ABUSE, "", "reader-2", None)

    assert filed.created is True and filed.held is False
    assert rt.comments.status_of(published_id) is Status.PUBLISHED
    assert rt.reports.of(published_id) == []
    assert "reports.threshold" not in [r for entry in rt.comments.audit(published_id) for r in entry["reasons"]]
