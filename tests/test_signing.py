"""Webhook signatures as a receiver checks them with its own HMAC code, not ours."""

from __future__ import annotations

import hashlib
import hmac
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from workers.webhooks import EVENT_ID_HEADER, SIGNATURE_HEADER, check_webhook_url, post_event, sign, verify

SECRET = "whsec_known"
BODY = b'{"id":"evt_1","type":"comment.published"}'
T = 1700000000
# HMAC-SHA256 of b"1700000000." + BODY under SECRET, from `openssl dgst -sha256 -hmac whsec_known`.
KNOWN_V1 = "e6d99244b3a652f42f26c958d69ae9102c631a15c1ac08cad02004791f9f40f9"


def receiver_mac(secret: str, t: str, body: bytes) -> str:
    """What a site's receiver computes, written from the documented format alone."""
    return hmac.new(secret.encode(), t.encode() + b"." + body, hashlib.sha256).hexdigest()


def test_signature_known_answer():
    assert receiver_mac(SECRET, str(T), BODY) == KNOWN_V1
    assert sign(SECRET, BODY, T) == f"t={T},v1={KNOWN_V1}"


def test_a_changed_timestamp_fails_verification():
    header = sign(SECRET, BODY, T)
    assert verify(SECRET, BODY, header, now=T)
    for moved in (T + 1, T - 1, T + 60):
        forged = header.replace(f"t={T}", f"t={moved}")
        assert not verify(SECRET, BODY, forged, now=T), moved


def test_a_delivered_event_verifies_with_the_receivers_own_code():
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            received.append({"body": body, "headers": dict(self.headers)})
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
        status = post_event(check_webhook_url(url, allow_private=True), [SECRET], "evt_1", BODY, timeout=5)
    finally:
        server.shutdown()
        server.server_close()
    assert status == 204
    [delivery] = received
    assert delivery["body"] == BODY
    assert delivery["headers"][EVENT_ID_HEADER] == "evt_1"
    parts = dict(p.split("=", 1) for p in delivery["headers"][SIGNATURE_HEADER].split(","))
    assert set(parts) == {"t", "v1"}
    assert hmac.compare_digest(parts["v1"], receiver_mac(SECRET, parts["t"], delivery["body"]))
