"""Bearer-key authentication: site keys, and the operator's admin token."""

from __future__ import annotations

import hashlib
import hmac

from flask import request

from workers.logs import add_log_context
from workers.moderators import Moderator
from workers.sites import KnownSite

from ..extensions import runtime
from .problems import ApiError, no_such_site


def _bearer() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _unauthorized() -> ApiError:
    return ApiError(
        401,
        "Unauthorized",
        "A valid site key is required: Authorization: Bearer <key>.",
        "unauthorized",
        headers={"WWW-Authenticate": 'Bearer realm="commentgate"'},
    )


def _site_or_401(known: KnownSite | None) -> KnownSite:
    if known is None:
        raise _unauthorized()
    add_log_context(site_id=known.site_id)
    return known


def require_known_site() -> KnownSite:
    """The site the request's key belongs to, with its current policy, or 401."""
    token = _bearer()
    return _site_or_401(runtime().site_cache.site_for_key(token) if token else None)


def held_site() -> tuple[KnownSite, bool]:
    """The key's site as this process holds it, not yet confirmed current (False), else read now (True); or 401.

    Whoever uses a held site confirms it before answering or writing (the admission script does).
    """
    token = _bearer()
    held = runtime().site_cache.held(token) if token else None
    return (_site_or_401(held), False) if held else (require_known_site(), True)


def reread_site() -> KnownSite:
    """The key's site read again from Redis (what this process held is no longer current), or 401."""
    token = _bearer()
    return _site_or_401(runtime().site_cache.read_again(token) if token else None)


def require_site() -> str:
    """The site id the request's key belongs to, or 401."""
    return require_known_site().site_id


def is_admin() -> bool:
    """True when the request carries the operator's admin token (compared as digests, in constant time)."""
    expected = runtime().settings.admin_token
    token = _bearer()
    if not expected or not token:
        return False
    return hmac.compare_digest(hashlib.sha256(token.encode()).digest(), hashlib.sha256(expected.encode()).digest())


def require_site_or_admin(site_id: str) -> None:
    """Allow the site's own key or the admin token; another site's key sees 404, as if the site did not exist."""
    if is_admin():
        if not runtime().sites.exists(site_id):
            raise no_such_site()
        return
    if require_site() != site_id:
        raise no_such_site()


def require_moderator() -> Moderator:
    """The moderator whose API token the request carries, or 401."""
    token = _bearer()
    moderator = runtime().moderators.by_token(token) if token else None
    if moderator is None:
        raise ApiError(
            401,
            "Unauthorized",
            "A valid moderator token is required: Authorization: Bearer <token> (`commentgate moderators token`).",
            "unauthorized",
            headers={"WWW-Authenticate": 'Bearer realm="commentgate moderation"'},
        )
    return moderator
