"""Signed webhook delivery, and the refusal of URLs that point inside the operator's network."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import socket
import time
from collections.abc import Sequence
from urllib.parse import urlsplit

import requests

from .exceptions import UnsafeWebhookUrl

SIGNATURE_HEADER = "Commentgate-Signature"
EVENT_ID_HEADER = "Commentgate-Event-Id"
SIGNATURE_TOLERANCE = 300  # receivers reject a timestamp older than five minutes


def _mac(secret: str, body: bytes, timestamp: int) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secrets: Sequence[str], body: bytes, timestamp: int | None = None) -> str:
    """`t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`, one `v1=` per secret (two while a rotation overlaps)."""
    t = int(time.time()) if timestamp is None else timestamp
    return ",".join([f"t={t}", *(f"v1={_mac(secret, body, t)}" for secret in secrets)])


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The signature header for one secret."""
    return signature_header((secret,), body, timestamp)


def verify(secret: str, body: bytes, header: str, now: float | None = None) -> bool:
    """What a receiver does: accept if any `v1=` matches (constant-time), refuse a stale or missing timestamp."""
    pairs = [p.strip().split("=", 1) for p in header.split(",")]
    try:
        (t,) = [int(value) for name, value in pairs if name == "t"]  # exactly one timestamp
    except ValueError:  # none, several, not a number, or a part without "="
        return False
    if abs((now or time.time()) - t) > SIGNATURE_TOLERANCE:
        return False
    expected = _mac(secret, body, t)
    # Compare with every v1 (no early exit), so the time taken does not tell which one matched.
    matches = [hmac.compare_digest(expected, value) for name, value in pairs if name == "v1"]
    return any(matches)


def check_webhook_url(url: str, allow_private: bool) -> None:
    """Refuse non-http(s) URLs and hosts resolving to private, loopback, link-local or reserved addresses."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeWebhookUrl(f"webhook URL must be http(s) with a host: {url!r}")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise UnsafeWebhookUrl(f"webhook host does not resolve: {parts.hostname}") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise UnsafeWebhookUrl(f"webhook host {parts.hostname} resolves to a non-public address {address}")


def post_event(url: str, secrets: Sequence[str], event_id: str, body: bytes, timeout: float) -> requests.Response:
    """POST one signed event; redirects are not followed, so a 3xx cannot lead inside the network."""
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "commentgate-webhooks/1",
        EVENT_ID_HEADER: event_id,
        SIGNATURE_HEADER: signature_header(secrets, body),
    }
    return requests.post(url, data=body, headers=headers, timeout=timeout, allow_redirects=False)
