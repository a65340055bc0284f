"""A TLS endpoint in front of the test's Redis-protocol server, as a managed Redis (or stunnel) puts one.

The embedded valkey-server is built without TLS ("Missing implement of connection type tls"), so the
tests terminate TLS here, with OpenSSL through Python's ssl module and a certificate from a throwaway
CA, and pass the bytes on to the server unchanged. Clients speak real TLS and verify the certificate.
"""

from __future__ import annotations

import contextlib
import functools
import selectors
import socket
import ssl
import subprocess
import threading
from pathlib import Path


def make_certificates(directory: Path, name: str = "Test CA") -> tuple[str, str, str]:
    """A throwaway CA and a server certificate it signed for 127.0.0.1 and localhost: (ca, cert, key) paths."""
    directory.mkdir(parents=True, exist_ok=True)
    ca, ca_key = directory / "ca.pem", directory / "ca.key"
    cert, key, csr = directory / "server.pem", directory / "server.key", directory / "server.csr"
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run = functools.partial(subprocess.run, check=True, capture_output=True)
    run(["openssl", "req", "-x509", *ec, "-keyout", ca_key, "-out", ca, "-days", "2", "-subj", f"/CN={name}"])
    run(["openssl", "req", *ec, "-keyout", key, "-out", csr, "-subj", "/CN=localhost"])
    (directory / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    sign = ["openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", cert]
    run([*sign, "-days", "2", "-extfile", directory / "san.ext"])
    return str(ca), str(cert), str(key)


class TlsProxy:
    """Accept TLS on 127.0.0.1:<port>; pass each connection's bytes to and from 127.0.0.1:<target_port>."""

    def __init__(self, target_port: int, cert: str, key: str) -> None:
        self.target_port = target_port
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.handshakes = 0  # TLS sessions set up: a client really spoke TLS
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> TlsProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopped.set()
        self.listener.close()
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.close()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                raw, _ = self.listener.accept()
            except OSError:
                return  # closed: stopping
            threading.Thread(target=self._serve, args=(raw,), daemon=True).start()

    def _serve(self, raw: socket.socket) -> None:
        try:
            client = self.context.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            raw.close()
            return
        upstream = socket.create_connection(("127.0.0.1", self.target_port))
        with self._lock:
            self.handshakes += 1
            self._open.update((client, upstream))
        # One thread per connection reads and writes both sides: an SSL socket must not be read and
        # written from two threads at once.
        with selectors.DefaultSelector() as selector, client, upstream:
            selector.register(client, selectors.EVENT_READ, upstream)
            selector.register(upstream, selectors.EVENT_READ, client)
            with contextlib.suppress(OSError):
                while not self._stopped.is_set():
                    for ready, _ in selector.select(timeout=0.5):
                        source, sink = ready.fileobj, ready.data
                        assert isinstance(source, socket.socket)
                        data = source.recv(65536)
                        if not data:
                            return
                        # TLS may hold decrypted bytes that select() cannot see.
                        while isinstance(source, ssl.SSLSocket) and source.pending():
                            data += source.recv(source.pending())
                        sink.sendall(data)
        with self._lock:
            self._open.difference_update((client, upstream))
