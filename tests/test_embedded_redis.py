"""The embedded server (`make run`, the tests) is private: a password, a 0700 directory, 0600 files."""

from __future__ import annotations

import socket
import stat
import time
from pathlib import Path

import pytest
from redis import Redis

from workers.embedded_redis import EmbeddedRedis


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def server(tmp_path: Path):
    embedded = EmbeddedRedis(tmp_path / "redis")
    embedded.start()
    try:
        yield embedded
    finally:
        embedded.stop()


def test_an_unauthenticated_client_is_refused_and_writes_nothing(server):
    # What any local user can do: connect and send a command, here as raw RESP.
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as stranger:
        stranger.sendall(b"*3\r\n$3\r\nSET\r\n$7\r\nplanted\r\n$1\r\nx\r\n")
        reply = stranger.recv(200)
    assert reply.startswith(b"-NOAUTH"), reply
    owner = Redis.from_url(server.url)
    assert owner.ping()
    assert owner.exists("planted") == 0


def test_a_wrong_password_is_refused(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as stranger:
        stranger.sendall(b"*2\r\n$4\r\nAUTH\r\n$5\r\nguess\r\n")
        reply = stranger.recv(200)
    assert reply.startswith(b"-WRONGPASS"), reply


def test_data_directory_is_0700_and_its_files_0600(server):
    owner = Redis.from_url(server.url)
    owner.hset("cg:site:x", mapping={"webhook_secret": "s3cret"})
    owner.execute_command("BGREWRITEAOF")  # writes a base file as well as the increment
    # Listed once the rewrite is over: its temporary files come and go while it runs.
    deadline = time.monotonic() + 30
    while any(owner.info("persistence")[f] for f in ("aof_rewrite_in_progress", "aof_rewrite_scheduled")):
        assert time.monotonic() < deadline, "the AOF rewrite did not finish in 30 s"
        time.sleep(0.05)
    assert _mode(server.data_dir) == 0o700
    files = [p for p in server.data_dir.rglob("*") if p.is_file()]
    assert files, "the AOF should be on disk"
    for path in files:
        assert _mode(path) & 0o077 == 0, f"{path} is {oct(_mode(path))}"


def test_an_existing_open_directory_is_closed_on_start(tmp_path):
    data_dir = tmp_path / "redis"
    data_dir.mkdir(mode=0o755)
    data_dir.chmod(0o755)
    embedded = EmbeddedRedis(data_dir)
    embedded.start()
    try:
        assert _mode(data_dir) == 0o700
    finally:
        embedded.stop()


def test_the_password_is_not_on_the_command_line(server):
    # /proc/<pid>/cmdline is readable by every local user.
    cmdline = Path(f"/proc/{server.process.pid}/cmdline").read_bytes()
    assert server.password.encode() not in cmdline


def test_restart_keeps_the_password_and_the_data(server):
    Redis.from_url(server.url).set("kept", "1")
    url = server.url
    server.restart()
    assert server.url == url
    assert Redis.from_url(url).get("kept") == b"1"
