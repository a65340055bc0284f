"""Misbehaving HTTP endpoints on raw sockets: one streams an endless body, one trickles its answer."""

from __future__ import annotations

import socket
import threading
import time

ENDLESS_CAP = 64 * 1024 * 1024  # the endless endpoint gives up here, so a client that reads it all is seen


class RawEndpoint:
    """Accepts connections on 127.0.0.1 and answers each with `behaviour`; records what happened."""

    def __init__(self, behaviour: str) -> None:
        self.behaviour = behaviour
        self.sent = 0  # bytes written to the last client
        self.cut_off = threading.Event()  # the client closed the connection before the answer was complete
        self.done = threading.Event()  # the answer was written to the end (or to the cap)
        self.connections = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def port(self) -> int:
        return int(self.listener.getsockname()[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def __enter__(self) -> RawEndpoint:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.listener.close()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                request += chunk
            try:
                if self.behaviour == "endless":
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n")
                    chunk = b"x" * 65536
                    while self.sent < ENDLESS_CAP:
                        conn.sendall(chunk)
                        self.sent += len(chunk)
                else:  # a byte every half second: each read gets data long before any per-read timeout
                    for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n":
                        conn.sendall(bytes([byte]))
                        self.sent += 1
                        time.sleep(0.5)
            except OSError:
                self.cut_off.set()
                return
            self.done.set()
