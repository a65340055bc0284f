"""A moderator's rules about authors: ban by email, IP or name (optionally rejecting their held comments), trust."""

from __future__ import annotations

from dataclasses import dataclass

from .exceptions import UnknownSite
from .identity import ban_keys
from .models import Comment, Status
from .moderator_actions import visible
from .moderators import Moderator
from .queue_index import Queue
from .runtime import Runtime
from .store import decode
from .transitions import Applied, apply_transition

BANNED_CODE = "author.banned"
SCAN_PAGE = 1000  # held ids read per round trip when looking for a banned author's comments


@dataclass(frozen=True)
class BanOutcome:
    """The ban-list entry as stored (normalized), and the held comments rejected with it."""

    entry: str
    rejected: list[str]


def _site(rt: Runtime, moderator: Moderator, site_id: str) -> None:
    """Refuse a site the moderator may not moderate exactly as one that does not exist."""
    if not moderator.may_moderate(site_id) or not rt.sites.exists(site_id):
        raise UnknownSite(site_id)


def _comment(rt: Runtime, moderator: Moderator, site_id: str, comment_id: str) -> Comment:
    """The site's comment, if the moderator may see it (raises UnknownComment)."""
    visible(rt, moderator, comment_id)
    return rt.comments.get_for_site(site_id, comment_id)


def ban_value(comment: Comment, kind: str) -> str:
    """The comment's author's email, IP or name: what a ban taken from a comment bans."""
    values = {"email": comment.author.email, "ip": comment.client.ip, "name": comment.author.name}
    if kind not in values:
        raise ValueError(f"ban by one of {', '.join(values)}, not {kind!r}")
    return values[kind]


def ban_author(
    rt: Runtime, moderator: Moderator, site_id: str, kind: str, value: str, reject_held: bool = False
) -> BanOutcome:
    """Ban an author on the site; with `reject_held`, reject each of their held comments (`author.banned`)."""
    _site(rt, moderator, site_id)
    entry = rt.authors.ban(site_id, kind, value)
    rejected = []
    if reject_held:
        for comment_id in held_by(rt, site_id, entry):
            outcome = apply_transition(
                rt,
                comment_id,
                expected={Status.HELD},
                to=Status.REJECTED,
                actor=moderator.actor,
                reasons=(BANNED_CODE,),
                event_type="comment.rejected",
            )
            if isinstance(outcome, Applied):
                rejected.append(comment_id)
    return BanOutcome(entry=entry, rejected=rejected)


def ban_author_of(
    rt: Runtime, moderator: Moderator, site_id: str, comment_id: str, kind: str, reject_held: bool = False
) -> BanOutcome:
    """Ban the author of a comment by their email, IP or name as that comment gives it."""
    comment = _comment(rt, moderator, site_id, comment_id)
    return ban_author(rt, moderator, site_id, kind, ban_value(comment, kind), reject_held)


def unban_author(rt: Runtime, moderator: Moderator, site_id: str, kind: str, value: str) -> bool:
    """Lift a ban; False when there was none."""
    _site(rt, moderator, site_id)
    return rt.authors.unban(site_id, kind, value)


def trust_author(rt: Runtime, moderator: Moderator, site_id: str, comment_id: str) -> str:
    """Trust the author of a comment (they skip premoderation, never spam or profanity); their author id."""
    _site(rt, moderator, site_id)
    key = _comment(rt, moderator, site_id, comment_id).author_key
    if not key:
        raise ValueError("the comment's author gave no email or IP, so there is no one to trust")
    rt.authors.trust(site_id, key)
    return rt.authors.id_of(site_id, key)


def untrust_author(rt: Runtime, moderator: Moderator, site_id: str, comment_id: str) -> bool:
    """Stop trusting the author of a comment; False when they were not trusted."""
    _site(rt, moderator, site_id)
    key = _comment(rt, moderator, site_id, comment_id).author_key
    return rt.authors.untrust(site_id, key) if key else False


def held_by(rt: Runtime, site_id: str, entry: str) -> list[str]:
    """The site's held comments whose author a ban entry catches, compared as the author check compares.

    A scan of the held queue's authors a page at a time, not the author facet: the facet files an
    author under their email when they gave one, so it cannot find them by IP or name.
    """
    key = rt.keys.queue(site_id, Queue.HELD)
    found: list[str] = []
    start = 0
    while True:
        ids = [decode(i) for i in rt.connection.zrange(key, start, start + SCAN_PAGE - 1)]
        for comment_id, (email, ip, name) in zip(ids, rt.comments.identities(ids), strict=True):
            if entry in ban_keys(email, ip, name):
                found.append(comment_id)
        if len(ids) < SCAN_PAGE:
            return found
        start += SCAN_PAGE
