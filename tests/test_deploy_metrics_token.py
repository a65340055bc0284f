"""The compose file publishes the web's port, so /metrics there needs its token: compose refuses to run without."""

from __future__ import annotations

import pytest

from tests.test_deploy_monitoring import ROOT, SECRETS, compose_config, resolved

REQUIRED_TOKEN = "${COMMENTGATE_METRICS_TOKEN:?set COMMENTGATE_METRICS_TOKEN}"


@pytest.mark.parametrize("profile", [(), ("--profile", "monitoring")], ids=["default", "monitoring"])
def test_docker_compose_refuses_the_file_without_a_metrics_token(profile: tuple[str, ...]):
    without = {k: v for k, v in SECRETS.items() if k != "COMMENTGATE_METRICS_TOKEN"}
    result = compose_config(*profile, env=without)
    assert result.returncode != 0
    assert "set COMMENTGATE_METRICS_TOKEN" in result.stderr


def test_the_web_and_prometheus_get_the_token_given():
    services = resolved("--profile", "monitoring")["services"]
    token = SECRETS["COMMENTGATE_METRICS_TOKEN"]
    assert services["web"]["environment"]["COMMENTGATE_METRICS_TOKEN"] == token
    assert services["prometheus"]["environment"]["COMMENTGATE_METRICS_TOKEN"] == token


def test_the_header_says_how_to_make_the_token():
    header = (ROOT / "docker-compose.yml").read_text().split("\nservices:", 1)[0]
    assert "COMMENTGATE_METRICS_TOKEN=$(openssl rand -hex 32)" in header
    assert REQUIRED_TOKEN in (ROOT / "docker-compose.yml").read_text()
