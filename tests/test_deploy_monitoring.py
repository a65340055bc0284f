"""The compose file as Docker Compose reads it (Debian's docker-compose, no engine needed), how long each
service may take to stop, and the Prometheus scrape example and alert rules shipped with it."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import yaml
from gunicorn.config import Config

from service.web_server import gunicorn_command
from workers.config import Settings
from workers.queues import Queues

ROOT = Path(__file__).resolve().parents[1]
SECRETS = {
    "REDIS_PASSWORD": "f00dfeed",
    "COMMENTGATE_ADMIN_TOKEN": "admin-token",
    "COMMENTGATE_METRICS_TOKEN": "metrics-token",
}
# What the issue asks operators to be alerted on, by the metric each alert watches.
ALERTED = {
    "commentgate_comments_queued_oldest_age_seconds",  # oldest queued comment > 60 s
    'commentgate_queue_jobs{state="failed"}',  # failed jobs rising
    "commentgate_workers_alive",  # no live worker
    "commentgate_webhook_endpoints_paused",  # an endpoint paused
}


def compose_config(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`docker-compose [args] config` on the project's file, with only PATH and `env` in the environment."""
    command = [shutil.which("docker-compose") or "docker-compose", "--project-directory", str(ROOT), *args, "config"]
    environment = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root"), **(env or {})}
    return subprocess.run(command, env=environment, cwd=ROOT, capture_output=True, text=True, timeout=60)


def resolved(*args: str) -> dict:
    result = compose_config(*args, env=SECRETS)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def seconds(duration: str) -> int:
    """Compose's `1m30s` style durations, as written in the resolved file."""
    parts = re.fullmatch(r"(?:(\d+)m)?(?:(\d+)s)?", duration)
    assert parts and duration, duration
    return int(parts[1] or 0) * 60 + int(parts[2] or 0)


def test_docker_compose_accepts_the_file_with_and_without_the_monitoring_profile():
    assert set(resolved()["services"]) >= {"redis", "web", "worker"}
    assert set(resolved("--profile", "monitoring")["services"]) == {"redis", "web", "worker", "prometheus"}


def test_docker_compose_refuses_the_file_without_a_redis_password():
    result = compose_config(env={"COMMENTGATE_ADMIN_TOKEN": "admin-token"})
    assert result.returncode != 0
    assert "set REDIS_PASSWORD" in result.stderr


def test_the_web_has_longer_to_stop_than_gunicorn_takes_to_drain():
    web = resolved()["services"]["web"]
    assert web.get("stop_signal", "SIGTERM") == "SIGTERM"  # gunicorn's graceful stop (SIGQUIT/SIGINT are quick)
    assert web["command"][:2] == ["commentgate", "web"]
    # The gunicorn command `commentgate web` runs, read as gunicorn reads it (its defaults, then the options).
    config = Config()
    for name, value in vars(config.parser().parse_args(gunicorn_command("0.0.0.0:8000", 4)[3:])).items():
        if value is not None and name != "args":
            config.set(name.lower(), value)
    assert config.graceful_timeout > 0
    assert seconds(web["stop_grace_period"]) > config.graceful_timeout


def test_the_worker_has_longer_to_stop_than_any_job_may_run(connection):
    worker = resolved()["services"]["worker"]
    assert worker.get("stop_signal", "SIGTERM") == "SIGTERM"  # RQ's warm stop (a second one is a cold stop)
    # The worker's own settings, as its environment gives them, and the jobs it would run with them.
    settings = Settings.from_env({k: str(v) for k, v in worker["environment"].items()})
    queues = Queues(connection, settings)
    timeouts = [queues.enqueue_moderation("c1").timeout, queues.enqueue_delivery("e1").timeout]
    assert all(isinstance(t, int) for t in timeouts), timeouts
    assert seconds(worker["stop_grace_period"]) > max(timeouts)  # type: ignore[type-var]


def test_the_scrape_example_reaches_the_web_service_with_its_token():
    services = resolved("--profile", "monitoring")["services"]
    scrape = yaml.safe_load((ROOT / "deploy/prometheus.yml").read_text())
    (job,) = scrape["scrape_configs"]
    (target,) = job["static_configs"][0]["targets"]
    host, _, port = target.partition(":")
    web = services["web"]
    assert host == "web" and f"0.0.0.0:{port}" in web["command"]  # the service name and the port it binds
    assert job["metrics_path"] == "/metrics" == web["labels"]["prometheus.io/path"]
    assert web["labels"]["prometheus.io/port"] == port
    # Prometheus sends the same token the web checks.
    prometheus = services["prometheus"]
    token_variable = "COMMENTGATE_METRICS_TOKEN"
    assert token_variable in web["environment"] and token_variable in prometheus["environment"]
    assert job["authorization"]["credentials_file"] in prometheus["command"][0]
    # Its configuration and rules are the repository's files, where the configuration looks for them.
    mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in prometheus["volumes"] if ":/etc/" in volume}
    assert Path(mounts["/etc/prometheus/prometheus.yml"]) == ROOT / "deploy/prometheus.yml"
    (rules,) = scrape["rule_files"]
    assert Path(mounts[rules]) == ROOT / "deploy/alerts.yml"
    assert prometheus["ports"] == ["127.0.0.1:9090:9090/tcp"]  # Prometheus has no login: this host only


def test_the_prometheus_start_script_hands_it_the_token_in_a_file_only_it_reads(tmp_path):
    prometheus = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["prometheus"]
    assert prometheus["entrypoint"] == ["/bin/sh", "-c"]
    (script,) = prometheus["command"]
    # What compose hands the shell (`$$` is a literal `$`), with the data directory and the server swapped
    # for a scratch directory and a stand-in that prints its arguments.
    script = script.replace("$$", "$").replace("/bin/prometheus", "echo")
    script = script.replace("/prometheus/metrics-token", f"{tmp_path}/metrics-token")
    env = {"PATH": os.environ["PATH"], "COMMENTGATE_METRICS_TOKEN": "s3cret-token"}
    result = subprocess.run(["/bin/sh", "-c", script], env=env, capture_output=True, text=True, check=True)
    assert "--config.file=/etc/prometheus/prometheus.yml" in result.stdout
    assert "s3cret-token" not in result.stdout  # not on the server's command line
    token = tmp_path / "metrics-token"
    assert token.read_text() == "s3cret-token"
    assert stat.S_IMODE(token.stat().st_mode) == 0o600


def test_every_alert_asked_for_is_in_the_rules_and_in_the_docs_as_written():
    groups = yaml.safe_load((ROOT / "deploy/alerts.yml").read_text())["groups"]
    rules = [rule for group in groups for rule in group["rules"]]
    expressions = " ".join(rule["expr"] for rule in rules)
    assert all(metric in expressions for metric in ALERTED), expressions
    docs = (ROOT / "docs/operations.md").read_text()
    section = docs.split("\n## Alerts\n", 1)[1].split("\n## ", 1)[0]
    for rule in rules:
        assert rule["alert"] in section and rule["expr"] in section, rule["alert"]
        assert rule["labels"]["severity"] in {"page", "ticket"} and rule["annotations"]["summary"]
    # Only the figures commentgate exports, and Prometheus's own `up` for the scrape.
    bare = re.sub(r"\{[^}]*\}|\[[^]]*\]", "", expressions)  # label matchers and ranges hold no metric
    names = set(re.findall(r"\b[a-z_:][a-z0-9_:]*\b(?!\s*\()", bare))  # not functions (`delta(`)
    assert all(name.startswith("commentgate_") or name == "up" for name in names), names
