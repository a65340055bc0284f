"""Signed webhook delivery, and the refusal of URLs that point inside the operator's network."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import socket
import ssl
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from http.client import HTTPException
from urllib.parse import unquote, urlsplit, urlunsplit

import certifi
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import HTTPError, ProtocolError

from .addresses import is_public
from .exceptions import UnsafeWebhookUrl

SIGNATURE_HEADER = "Commentgate-Signature"
EVENT_ID_HEADER = "Commentgate-Event-Id"
SIGNATURE_TOLERANCE = 300  # receivers reject a timestamp older than five minutes
RESPONSE_READ_LIMIT = 4096  # bytes of an answer read at most: only its status matters
QUOTED_LIMIT = 200  # characters of an exception's text kept in a failure's description


class DeliveryFailed(Exception):
    """The site's endpoint did not accept the event (non-2xx, timeout, refused); the message names only its host."""


def describe_failure(exc: BaseException) -> str:
    """The exception's type and its text quoted as Python writes a string (control characters escaped), cut short.

    Its text may be the peer's own bytes (a status line that is not HTTP): they go to the stored delivery,
    RQ's traceback and the log, so they are described there, never copied.
    """
    text = str(exc)
    quoted = repr(text[:QUOTED_LIMIT]) + ("…" if len(text) > QUOTED_LIMIT else "")
    return f"{type(exc).__name__}: {quoted}"


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


def redact_url(url: str) -> str:
    """The URL as logs and stored errors may show it: no user or password, no query values."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rpartition("@")[2]
    query = "&".join(f"{pair.partition('=')[0]}=***" for pair in parts.query.split("&")) if parts.query else ""
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


@dataclass(frozen=True)
class WebhookTarget:
    """A checked webhook URL: where to connect (the addresses that were checked) and what to say."""

    scheme: str
    hostname: str  # for TLS: SNI and the certificate's name
    port: int
    host_header: str
    path: str
    addresses: tuple[str, ...]
    authorization: str | None  # HTTP Basic from credentials in the URL, as browsers and requests do
    # scheme://host[:port], what errors and logs name the endpoint by: a URL's path can be its secret
    # (`/services/T0/B0/<token>`), and errors reach RQ's tracebacks, the log and the ops pages.
    endpoint: str


def resolve(host: str, port: int) -> list[str]:
    """The host's addresses as the resolver answers now (an IP literal answers itself)."""
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def check_webhook_url(url: str, allow_private: bool) -> WebhookTarget:
    """Resolve once and refuse non-http(s) URLs and non-public addresses (IPv4 ones inside IPv6 included).

    The delivery connects to the addresses returned here, never resolving again, so a DNS answer
    that changes between check and connect cannot lead inside the network.
    """
    safe = redact_url(url)
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        hostname = (parts.hostname or "").encode("idna").decode("ascii")
    except (ValueError, UnicodeError) as exc:
        raise UnsafeWebhookUrl(f"webhook URL is not valid: {safe!r}") from exc
    if parts.scheme not in ("http", "https") or not hostname:
        raise UnsafeWebhookUrl(f"webhook URL must be http(s) with a host: {safe!r}")
    try:
        addresses = resolve(hostname, port)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeWebhookUrl(f"webhook host does not resolve: {hostname}") from exc
    if not allow_private:
        for address in addresses:
            if not is_public(address):
                raise UnsafeWebhookUrl(f"webhook host {hostname} resolves to a non-public address {address}")
    authorization = None
    if parts.username is not None:
        userinfo = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        authorization = "Basic " + base64.b64encode(userinfo.encode()).decode()
    return WebhookTarget(
        scheme=parts.scheme,
        hostname=hostname,
        port=port,
        host_header=parts.netloc.rpartition("@")[2],
        path=(parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
        addresses=tuple(addresses),
        authorization=authorization,
        endpoint=f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}",
    )


def tls_context() -> ssl.SSLContext:
    """Certificates are verified against certifi's CA bundle, as requests does."""
    return ssl.create_default_context(cafile=certifi.where())


def _connection(target: WebhookTarget, address: str, timeout: float) -> HTTPConnection:
    if target.scheme == "https":
        # Connect to the checked address, but speak TLS to the name: SNI and certificate check use it.
        return HTTPSConnection(
            address,
            target.port,
            timeout=timeout,
            server_hostname=target.hostname,
            assert_hostname=target.hostname,
            ssl_context=tls_context(),
        )
    return HTTPConnection(address, target.port, timeout=timeout)


def _shut(connection: HTTPConnection) -> None:
    """Called by the deadline's timer: a blocked read returns at once, however the peer trickles."""
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def post_event(target: WebhookTarget, secrets: Sequence[str], event_id: str, body: bytes, timeout: float) -> int:
    """POST one signed event to the checked addresses within `timeout` seconds in all; the answer's status.

    A socket timeout restarts at each chunk, so a peer sending a byte a second would never trip it:
    a timer shuts the socket when the whole call's time is up. Of the answer only the status and at
    most RESPONSE_READ_LIMIT bytes are read. Redirects are not followed, so a 3xx cannot lead inside
    the network.
    """
    headers = {
        "Host": target.host_header,
        "Content-Type": "application/json",
        "User-Agent": "commentgate-webhooks/1",
        "Connection": "close",
        EVENT_ID_HEADER: event_id,
        SIGNATURE_HEADER: signature_header(secrets, body),
    }
    if target.authorization:
        headers["Authorization"] = target.authorization
    deadline = time.monotonic() + timeout
    failure = "no address to connect to"
    for address in target.addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        connection = _connection(target, address, remaining)
        timer = threading.Timer(remaining, _shut, args=(connection,))
        timer.start()
        try:
            try:
                connection.connect()
            except OSError as exc:  # refused or unreachable: try the next checked address
                failure = describe_failure(exc)
                continue
            connection.request("POST", target.path, body=body, headers=headers, preload_content=False)
            response = connection.getresponse()
            with contextlib.suppress(OSError, HTTPException, ProtocolError):
                # Read a little so a small answer is taken whole; the rest is dropped with the connection.
                response.read(RESPONSE_READ_LIMIT, decode_content=False)
            return response.status
        except (OSError, HTTPException, HTTPError) as exc:
            # `from None`: a chained cause would put the exception's own text, the peer's bytes, in the traceback.
            if time.monotonic() >= deadline - 0.01 or not timer.is_alive():
                raise DeliveryFailed(f"{target.endpoint}: no complete answer within {timeout:g} s") from None
            raise DeliveryFailed(f"{target.endpoint}: {describe_failure(exc)}") from None
        finally:
            timer.cancel()
            connection.close()
    if time.monotonic() >= deadline:
        raise DeliveryFailed(f"{target.endpoint}: no connection within {timeout:g} s")
    raise DeliveryFailed(f"{target.endpoint}: {failure}")
