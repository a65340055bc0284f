"""The compose file's Redis gets its password without putting it on a command line (`ps` shows every
process's arguments to every user of the host): its start script runs here against a real valkey-server."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from redis import Redis
from redis.exceptions import AuthenticationError
from redis.exceptions import ConnectionError as RedisConnectionError

from workers.embedded_redis import free_port, valkey_binary

ROOT = Path(__file__).resolve().parents[1]
REQUIRED_PASSWORD = "${REDIS_PASSWORD:?set REDIS_PASSWORD}"
PASSWORD = "f00dfeedc0ffee0123456789abcdef"


def redis_service() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["redis"]


def test_no_command_line_of_the_redis_service_names_the_password():
    redis = redis_service()
    *words, script = redis["command"]
    assert not any("PASSWORD" in word or "requirepass" in word for word in words), words
    # Only the here-document (the server's standard input, its configuration) names the password.
    head, _, stdin = script.partition("<<EOF")
    assert "PASSWORD" not in head and "requirepass" not in head, head
    assert "requirepass $$REDIS_PASSWORD" in stdin
    health = " ".join(redis["healthcheck"]["test"])
    assert "PASSWORD" not in health and " -a " not in health, health  # valkey-cli reads REDISCLI_AUTH
    # Compose still refuses to start without a password: the script reads it from this variable.
    assert redis["environment"]["REDIS_PASSWORD"] == REQUIRED_PASSWORD


def test_the_start_script_serves_with_the_password_and_keeps_it_off_argv(tmp_path):
    redis = redis_service()
    shell, flag, script = redis["command"]
    assert (shell, flag) == ("sh", "-c")
    # What compose hands the shell: `$$` is a literal `$`. The image's entry point (which drops to the
    # valkey user) is a pass-through here, and the server listens on a free local port in a scratch dir.
    port = free_port()
    script = script.replace("$$", "$").replace("<<", f"--port {port} --bind 127.0.0.1 --dir {tmp_path} <<", 1)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "docker-entrypoint.sh").write_text('#!/bin/sh\nexec "$@"\n')
    (bin_dir / "docker-entrypoint.sh").chmod(0o700)
    (bin_dir / "valkey-server").symlink_to(valkey_binary())
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "REDIS_PASSWORD": PASSWORD}
    server = subprocess.Popen([shell, flag, script], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL)
    try:
        client = Redis(host="127.0.0.1", port=port, password=PASSWORD)

        deadline = time.monotonic() + 20
        while True:
            try:
                assert client.ping()
                break
            except RedisConnectionError:
                assert server.poll() is None, "the start script exited"
                assert time.monotonic() < deadline, "valkey-server did not answer"
                time.sleep(0.05)  # polling a condition with a deadline, not waiting a fixed time
        anonymous = Redis(host="127.0.0.1", port=port)
        with pytest.raises(AuthenticationError):  # NOAUTH, or HELLO refused before AUTH
            anonymous.ping()
        assert client.config_get("appendonly") == {"appendonly": "yes"}
        assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
        # The shell exec'd the server: one process, and its command line has no password.
        cmdline = Path(f"/proc/{server.pid}/cmdline").read_bytes()
        assert b"valkey-server" in cmdline
        assert PASSWORD.encode() not in cmdline
        client.close()
        anonymous.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
