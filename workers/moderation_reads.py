"""What the pipeline reads to decide a comment, in two round trips: the comment and its site, then the context."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass

from .checks import CheckContext
from .checks.authors import ban_keys
from .exceptions import UnknownSite
from .models import Comment, Status
from .policy import Policy, stored_policy
from .runtime import Runtime
from .store import comment_from_hash, decode, decode_hash
from .text import strip_bidi

SITE_FIELDS = ("id", "policy", "webhook_url")  # what a decision reads of its site's hash (every site has all three)


@dataclass(frozen=True)
class SiteRead:
    """The site's fields a decision needs, as read (`found` False when the site is gone)."""

    site_id: str
    found: bool
    policy: str
    webhook_url: str

    def checked(self) -> tuple[Policy, str]:
        """The site's policy and webhook URL ("" for none); UnknownSite when the site is gone."""
        if not self.found:
            raise UnknownSite(self.site_id)
        return stored_policy(self.policy or None), self.webhook_url


@dataclass(frozen=True)
class Started:
    """A try counted on the comment, and what was read with it: the comment, and its site's if the job named it."""

    attempts: int | None
    comment: Comment | None
    site: SiteRead | None


def start_try(rt: Runtime, comment_id: str, site_id: str | None = None) -> Started:
    """Count a try on the queued comment and read it, with its site's policy and webhook URL: one round trip.

    `site_id` is the site the job was queued for (its meta); without it, or for another site, the
    site is read by `read_site` once the comment names it. The count comes first, so a try whose
    work horse dies later is counted all the same.
    """
    with rt.connection.pipeline(transaction=False) as pipe:
        rt.comments.queue_count_try(pipe, comment_id, Status.QUEUED)
        pipe.hgetall(rt.keys.comment(comment_id))
        if site_id:
            pipe.hmget(rt.keys.site(site_id), list(SITE_FIELDS))
        results = pipe.execute()
    attempts, raw = results[0], results[1]
    comment = comment_from_hash(decode_hash(raw)) if raw else None
    site = _site_read(site_id, results[2]) if site_id else None
    if comment is not None and site is not None and site.site_id != comment.site_id:
        site = None
    return Started(int(attempts) if attempts is not None else None, comment, site)


def read_site(rt: Runtime, site_id: str) -> SiteRead:
    """The site's fields a decision needs, read on their own (a job queued without its site)."""
    return _site_read(site_id, rt.connection.hmget(rt.keys.site(site_id), list(SITE_FIELDS)))


def _site_read(site_id: str, values: list[bytes | None]) -> SiteRead:
    _, policy, webhook_url = (decode(v) for v in values)
    found = any(v is not None for v in values)
    return SiteRead(site_id=site_id, found=found, policy=policy, webhook_url=webhook_url)


def duplicate_digest(comment: Comment, body: str) -> str:
    normalized = " ".join(unicodedata.normalize("NFKC", body).casefold().split())
    material = "\x1f".join((comment.thread_id, comment.author_key, normalized))
    return hashlib.sha256(material.encode()).hexdigest()


def gather_context(rt: Runtime, comment: Comment, policy: Policy) -> CheckContext:
    """Everything the checks read from Redis, the spam model's counts included, fetched in one round trip."""
    body, bidi_removed = strip_bidi(comment.body)
    candidates = ban_keys(comment)
    # With no email and no IP there is no author to repeat themselves: anonymous readers posting the
    # same words ("Great article!") are different people, so the duplicate window is not claimed.
    check_duplicates = bool(policy.duplicate_seconds and comment.author_key)
    site_id = comment.site_id
    with rt.connection.pipeline(transaction=False) as pipe:
        if check_duplicates:
            digest = duplicate_digest(comment, body)
            rt.comments.claim_duplicate(pipe, site_id, digest, comment.id, policy.duplicate_seconds)
        rt.comments.read_status(pipe, comment.parent_id) if comment.parent_id else pipe.echo("")
        rt.authors.read_banned(pipe, site_id, candidates) if candidates else pipe.echo("")
        rt.authors.read_trusted(pipe, site_id, comment.author_key)
        author_id = rt.authors.id_of(site_id, comment.author_key)
        rt.authors.read_history(pipe, site_id, author_id) if author_id else pipe.echo("")
        rt.spam.queue_counts(pipe, site_id, body)
        results = pipe.execute()
    if check_duplicates:
        owner = decode(results[1])
        results = results[2:]
    else:
        owner = comment.id
    parent_raw, banned_flags, trusted, history = results[:4]
    published, held, rejected = (int(n or 0) for n in history) if isinstance(history, list) else (0, 0, 0)
    banned = frozenset(c for c, hit in zip(candidates, banned_flags or [], strict=False) if hit)
    return CheckContext(
        body=body,
        bidi_removed=bidi_removed,
        parent_status=Status(decode(parent_raw)) if parent_raw else None,
        banned=banned,
        trusted=bool(trusted) and bool(comment.author_key),
        prior_comments=published + held + rejected,
        prior_published=published,
        duplicate_of=owner if owner and owner != comment.id else None,
        spam=rt.spam.score(
            comment.site_id,
            body,
            policy.spam_min_training,
            author_url=comment.author.url,
            use_base=policy.spam_base_model,
            counts=list(results[4:]),
        ),
    )
