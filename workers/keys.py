"""Every Redis key commentgate uses, in one place, under one prefix."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Keys:
    """Key names. RQ's own keys live under `rq:`; ours under `prefix`."""

    prefix: str = "cg"

    def comment(self, comment_id: str) -> str:
        return f"{self.prefix}:comment:{comment_id}"

    def audit(self, comment_id: str) -> str:
        return f"{self.prefix}:comment:{comment_id}:audit"

    def queued(self) -> str:
        """Sorted set of comments not yet decided, scored by submit time: the sweeper's view."""
        return f"{self.prefix}:queued"

    def sites(self) -> str:
        return f"{self.prefix}:sites"

    def site(self, site_id: str) -> str:
        return f"{self.prefix}:site:{site_id}"

    def site_generation(self, site_id: str) -> str:
        """A token written anew with every change to the site's hash: what web processes check their copy by."""
        return f"{self.prefix}:site:{site_id}:generation"

    def site_key(self, key_hash: str) -> str:
        return f"{self.prefix}:sitekey:{key_hash}"

    def thread(self, site_id: str, thread_id: str) -> str:
        return f"{self.prefix}:site:{site_id}:thread:{thread_id}"

    def held(self, site_id: str) -> str:
        return f"{self.prefix}:site:{site_id}:held"

    def events(self, site_id: str) -> str:
        return f"{self.prefix}:site:{site_id}:events"

    def flood(self, site_id: str, identity_entry: str) -> str:
        """The flood window of one author identity (`ip:…` or `email:…`, normalized)."""
        return f"{self.prefix}:site:{site_id}:flood:{identity_entry}"

    def submit_bucket(self, site_id: str) -> str:
        """The site's token bucket for submissions: tokens left and when they were counted."""
        return f"{self.prefix}:site:{site_id}:bucket"

    def site_queued(self, site_id: str) -> str:
        """The site's comments not yet decided: what its cap on queued comments counts."""
        return f"{self.prefix}:site:{site_id}:queued"

    def idempotency(self, site_id: str, key: str) -> str:
        return f"{self.prefix}:site:{site_id}:idem:{key}"

    def duplicate(self, site_id: str, digest: str) -> str:
        return f"{self.prefix}:site:{site_id}:dup:{digest}"

    def banned(self, site_id: str) -> str:
        return f"{self.prefix}:site:{site_id}:banned"

    def trusted(self, site_id: str) -> str:
        return f"{self.prefix}:site:{site_id}:trusted"

    def spam_tokens(self, site_id: str, label: str) -> str:
        return f"{self.prefix}:site:{site_id}:spam:tokens:{label}"

    def spam_docs(self, site_id: str) -> str:
        return f"{self.prefix}:site:{site_id}:spam:docs"

    def delivery(self, event_id: str) -> str:
        return f"{self.prefix}:delivery:{event_id}"

    def pending_deliveries(self) -> str:
        """Deliveries not yet delivered, failed or skipped, by the time of their event: for the sweeper."""
        return f"{self.prefix}:webhooks:pending"

    def failed_deliveries(self) -> str:
        return f"{self.prefix}:webhooks:failed"

    def paused_endpoints(self) -> str:
        """Set of site ids whose webhook endpoint is paused after failing too often in a row."""
        return f"{self.prefix}:webhooks:paused"

    def waiting_deliveries(self, site_id: str) -> str:
        """Sorted set of a paused endpoint's deliveries, by the time of their event: what resuming queues."""
        return f"{self.prefix}:site:{site_id}:webhook:waiting"

    def resuming_deliveries(self, site_id: str, resume: str) -> str:
        """One resume's deliveries, the waiting set renamed: only that resume reads and empties it."""
        return f"{self.prefix}:site:{site_id}:webhook:resuming:{resume}"

    def resumes(self, site_id: str) -> str:
        """Sorted set of the site's resuming sets not yet emptied, by start time: a later resume finishes them."""
        return f"{self.prefix}:site:{site_id}:webhook:resumes"

    def metrics(self) -> str:
        """Hash of the figures workers and transactions produce (workers/metrics.py), read by `/metrics`."""
        return f"{self.prefix}:metrics"

    def decisions_minute(self, minute: int) -> str:
        """Hash of one minute's decisions by status (minute = unix seconds // 60), for the ops page's chart."""
        return f"{self.prefix}:metrics:minute:{minute}"

    def webhook_streak(self, site_id: str) -> str:
        """Consecutive failed deliveries to a site's endpoint."""
        return f"{self.prefix}:site:{site_id}:webhook:failures"

    # -- the moderators' side --------------------------------------------------------

    def queue(self, site_id: str, queue: str) -> str:
        """A review queue of one site (`held`, `reported`, `decided`): comment ids scored by when they entered it."""
        if queue == "held":
            return self.held(site_id)
        return f"{self.prefix}:site:{site_id}:queue:{queue}"

    def queue_facet(self, site_id: str, queue: str, facet: str, value: str) -> str:
        """The part of a review queue with one thread, reason or author id: what filters read."""
        return f"{self.prefix}:site:{site_id}:queue:{queue}:{facet}:{value}"

    def site_audit(self, site_id: str) -> str:
        """Stream of every status change on the site's comments, by the pipeline or a person."""
        return f"{self.prefix}:site:{site_id}:audit"

    def author_id_secret(self) -> str:
        """The key that turns an author's identity into the pseudonymous id audit entries carry."""
        return f"{self.prefix}:author-id-secret"

    def author_statuses(self, site_id: str, author_id: str) -> str:
        """Hash of an author's comments counted by status (published, held, rejected)."""
        return f"{self.prefix}:site:{site_id}:authorid:{author_id}:statuses"

    def author_comments(self, site_id: str, author_id: str) -> str:
        """Sorted set of an author's decided comments by submit time: their history."""
        return f"{self.prefix}:site:{site_id}:authorid:{author_id}:comments"

    def reports(self, comment_id: str) -> str:
        """Hash of a comment's reports: reporter identity → the report as JSON."""
        return f"{self.prefix}:comment:{comment_id}:reports"

    def reports_dismissed(self, comment_id: str) -> str:
        """Hash of a comment's dismissed reports, as `reports`: kept for history, no longer counted."""
        return f"{self.prefix}:comment:{comment_id}:reports:dismissed"

    def report_keys(self, comment_id: str) -> tuple[str, ...]:
        """Every key a comment's reports are kept in: they expire, or stay, with the comment."""
        return (
            self.reports(comment_id),
            self.reports_dismissed(comment_id),
            self.report_counts(comment_id),
            self.reports_latest(comment_id),
        )

    def report_counts(self, comment_id: str) -> str:
        """Hash of a comment's open reports counted: `total`, `reason:<reason>`, and `counted` since `decided_at`."""
        return f"{self.prefix}:comment:{comment_id}:reports:counts"

    def reports_latest(self, comment_id: str) -> str:
        """List of a comment's latest open reports as JSON, newest first, capped: what a moderator is shown."""
        return f"{self.prefix}:comment:{comment_id}:reports:latest"

    def moderators(self) -> str:
        """Hash of moderator e-mail (normalized) → moderator id."""
        return f"{self.prefix}:moderators"

    def moderator(self, moderator_id: str) -> str:
        return f"{self.prefix}:moderator:{moderator_id}"

    def moderator_token(self, token_hash: str) -> str:
        """A moderator's API token, by its SHA-256: the moderator id."""
        return f"{self.prefix}:modtoken:{token_hash}"

    def login_failures(self, kind: str, value: str) -> str:
        """Failed logins counted per account or per IP, expiring with the lockout window."""
        return f"{self.prefix}:login-failures:{kind}:{value}"

    def sessions(self) -> str:
        """The prefix of server-side web sessions."""
        return f"{self.prefix}:session:"
