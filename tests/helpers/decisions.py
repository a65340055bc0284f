"""What the decision tests share: held comments to act on, moderators of a site, the site's model counts."""

from __future__ import annotations

from typing import Any

from workers.moderators import Moderator, Role
from workers.policy import Policy
from workers.runtime import Runtime


def premoderate(rt: Runtime, site_id: str) -> None:
    """Hold every comment the site sends, so each test has something to decide."""
    rt.sites.set_policy(site_id, Policy(flood_seconds=0, premoderation=True))


def held(post: Any, work: Any, body: str = "A fair point about the article.", **fields: Any) -> str:
    """Submit a comment to a premoderated site, run the pipeline, and return its id."""
    response = post(body, **fields)
    assert response.status_code == 202, response.get_json()
    work()
    return str(response.get_json()["id"])


def moderator_of(rt: Runtime, email: str, *sites: str, role: Role = Role.MODERATOR) -> Moderator:
    moderator, _ = rt.moderators.add(email, role, frozenset(sites), password="correct horse battery")
    return moderator


def model_docs(rt: Runtime, site_id: str) -> dict[str, int]:
    """How many comments the site's spam model counts as spam and as ham."""
    return rt.spam.trained(site_id)


def token_count(rt: Runtime, site_id: str, label: str, token: str) -> int:
    return int(rt.connection.hget(rt.keys.spam_tokens(site_id, label), token) or 0)
