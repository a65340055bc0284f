"""The deployment files: no Docker engine runs here, so check what they say against the code."""

from __future__ import annotations

import importlib
import tomllib
from pathlib import Path

import yaml
from click.testing import CliRunner

from service.cli import main

ROOT = Path(__file__).resolve().parents[1]
# `:?` makes compose refuse to start when the variable is unset or empty: no Redis without a password.
REQUIRED_PASSWORD = "${REDIS_PASSWORD:?set REDIS_PASSWORD}"


def test_compose_runs_redis_with_aof_and_web_and_workers_against_it():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"redis", "web", "worker", "prometheus"}
    assert services["prometheus"]["profiles"] == ["monitoring"]  # only with `--profile monitoring`
    assert "--appendonly yes" in services["redis"]["command"][-1]
    assert "/data" in services["redis"]["volumes"][0]
    for name in ("web", "worker"):
        assert services[name]["environment"]["REDIS_URL"] == f"redis://:{REQUIRED_PASSWORD}@redis:6379/0"
        assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy"
    assert "scale" not in yaml.safe_dump(services["worker"])  # scaled from the command line
    assert services["worker"]["command"] == ["commentgate", "worker"]


def test_compose_commands_are_real_cli_commands():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    built = [name for name, service in compose["services"].items() if "build" in service]
    assert built == ["web", "worker"]  # every service run from this package's image
    for name in built:
        program, *args = compose["services"][name]["command"]
        # The console script the image's `pip install .` puts on PATH, and the click group it runs.
        module, _, attribute = scripts[program].partition(":")
        assert getattr(importlib.import_module(module), attribute) is main
        result = CliRunner().invoke(main, [args[0], "--help"])
        assert result.exit_code == 0, result.output
        for option in (a for a in args[1:] if a.startswith("--")):
            assert option in result.output


def test_dockerfile_copies_what_the_package_needs():
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    copied = {part for line in lines if line.startswith("COPY") for part in line.split()[1:-1]}
    assert {"pyproject.toml", "README.md", "service", "workers"} <= copied
    assert all((ROOT / path).exists() for path in copied)
    assert any(line.startswith("USER ") and "root" not in line for line in lines)


def test_compose_redis_requires_a_password_and_never_evicts():
    redis = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["redis"]
    # The start script feeds `requirepass` from REDIS_PASSWORD on the server's stdin (never argv):
    # tests/test_deploy_redis_password.py runs it.
    assert redis["environment"]["REDIS_PASSWORD"] == REQUIRED_PASSWORD
    assert "--maxmemory-policy noeviction" in redis["command"][-1]
    # The health check authenticates from the environment (not its command line) and needs a PONG:
    # an unauthenticated PING answers NOAUTH.
    assert redis["environment"]["REDISCLI_AUTH"] == REQUIRED_PASSWORD
    assert "grep -q PONG" in redis["healthcheck"]["test"][1]
    assert "ports" not in redis  # reachable only from the compose network


def test_web_is_served_by_the_shared_gunicorn_command():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert compose["services"]["web"]["command"][:2] == ["commentgate", "web"]
    assert 'CMD ["commentgate", "web"' in dockerfile
