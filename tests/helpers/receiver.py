"""A real HTTP webhook receiver for tests: verifies signatures and counts every delivery."""

from __future__ import annotations

import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from workers.webhooks import EVENT_ID_HEADER, SIGNATURE_HEADER, verify


class Receiver:
    def __init__(self, secret: str = "", status: int = 200, tls: ssl.SSLContext | None = None) -> None:
        self.secret = secret
        self.status = status
        self.deliveries: list[dict[str, Any]] = []  # every POST, as received
        self.bad_signatures = 0
        self.requests: list[tuple[dict[str, str], bytes]] = []  # every POST's headers and raw body
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                ok = verify(receiver.secret, body, self.headers.get(SIGNATURE_HEADER, ""))
                with receiver.lock:
                    receiver.requests.append((dict(self.headers.items()), body))
                    if ok:
                        event = json.loads(body)
                        event["_header_id"] = self.headers.get(EVENT_ID_HEADER)
                        receiver.deliveries.append(event)
                    else:
                        receiver.bad_signatures += 1
                self.send_response(receiver.status if ok else 400)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:  # HTTPS: the handshake happens as each connection is accepted
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/commentgate"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def event_ids(self) -> list[str]:
        with self.lock:
            return [d["id"] for d in self.deliveries]
