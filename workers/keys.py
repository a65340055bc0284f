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

    def author(self, site_id: str, author_key: str) -> str:
        return f"{self.prefix}:site:{site_id}:author:{author_key}"

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

    def webhook_streak(self, site_id: str) -> str:
        """Consecutive failed deliveries to a site's endpoint."""
        return f"{self.prefix}:site:{site_id}:webhook:failures"
