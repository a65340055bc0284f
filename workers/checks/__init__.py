"""The moderation checks, run in order by the pipeline. Each is a small, pure function."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..models import Comment, Status, Verdict
from ..policy import Policy
from ..spam_model import SpamScore


@dataclass(frozen=True)
class CheckContext:
    """What the checks need from the store, read by the pipeline beforehand so checks stay pure."""

    body: str  # the body with bidi controls stripped: what is scored and published
    bidi_removed: int = 0
    parent_status: Status | None = None
    banned: frozenset[str] = frozenset()
    trusted: bool = False
    prior_comments: int = 0  # the author's earlier comments, decided (published, held or rejected now)
    prior_published: int = 0  # of those, published now (approved by the checks or by a moderator)
    duplicate_of: str | None = None
    spam: SpamScore | None = None


class Check(Protocol):
    """A check takes the comment, the site's policy and the context, and returns a verdict."""

    def __call__(self, comment: Comment, policy: Policy, context: CheckContext) -> Verdict: ...
