"""Named domain errors, raised by the store and the jobs and mapped to HTTP by the service."""


class CommentgateError(Exception):
    """Base of every domain error."""


class UnknownSite(CommentgateError):
    """No site with that id."""


class UnknownComment(CommentgateError):
    """No comment with that id for that site."""


class IdempotencyConflict(CommentgateError):
    """The same Idempotency-Key was used with a different request body."""


class RetryLater(CommentgateError):
    """A refusal that changed nothing and says when to try again (`retry_after` seconds)."""

    retry_after: int


class SiteChanged(RetryLater):
    """The site's key or policy changed since this process read them: read them again and decide again."""

    def __init__(self) -> None:
        super().__init__(
            "The site's key or policy changed while the comment was being accepted; nothing was stored. Send it again."
        )
        self.retry_after = 1


class IdempotencyInFlight(RetryLater):
    """A request with the same Idempotency-Key is still being accepted; retry shortly."""

    def __init__(self) -> None:
        super().__init__("A request with this Idempotency-Key is still in progress. Retry shortly.")
        self.retry_after = 1


class Flooding(RetryLater):
    """The same IP or email posted within the site's flood window."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("You are posting comments too quickly. Slow down.")
        self.retry_after = retry_after


class RateLimited(RetryLater):
    """The site sent comments faster than its token bucket allows."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "This site has sent comments faster than its rate limit (submit_burst, submit_rate_per_second) "
            "allows; nothing was stored. Retry after Retry-After seconds."
        )
        self.retry_after = retry_after


class QueueFull(RetryLater):
    """The site has as many comments waiting for moderation as its policy allows."""

    def __init__(self, queued: int, retry_after: int) -> None:
        super().__init__(
            f"This site has {queued} comments waiting for moderation, its limit (max_queued_comments); "
            "nothing was stored. Retry after Retry-After seconds."
        )
        self.retry_after = retry_after


class Backlogged(RetryLater):
    """The oldest queued comment has waited past the backpressure limit: workers are not keeping up."""

    def __init__(self, limit_seconds: int, retry_after: int) -> None:
        super().__init__(
            f"Comments are waiting more than {limit_seconds} seconds for moderation; nothing was stored. "
            "Keep the comment and send it again after Retry-After seconds."
        )
        self.retry_after = retry_after


class UnsafeWebhookUrl(CommentgateError):
    """A webhook URL resolves to a private, loopback or link-local address, or is not http(s)."""


class NoWebhook(CommentgateError):
    """The site has no webhook URL (so no secret to rotate)."""


class InvalidField(CommentgateError):
    """A field that is well-formed but wrong given what is stored (a parent that does not exist)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class WorkHorseKilled(CommentgateError):
    """The process running a job died from a signal (the OOM killer, a SIGKILL) before the job ended."""
