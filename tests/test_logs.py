"""Logs: one JSON object a line from web and workers (gunicorn's and RQ's too), every line about a comment
carrying its ids, and no body, e-mail, IP or secret anywhere; `text` for a terminal."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from click.testing import CliRunner

from service.cli import main
from service.web_server import gunicorn_command
from tests.helpers.processes import ROOT, stop_group, wait_for
from tests.helpers.receiver import Receiver
from workers.config import Settings
from workers.embedded_redis import free_port
from workers.logs import configure_logging, handler, log_context, logging_about

# What a reader sent: none of it may reach a log line.
MARKERS = {
    "body": "Body-7f3a of a comment nobody should read in a log",
    "name": "Name-7f3a",
    "email": "email-7f3a@example.org",
    "ip": "203.0.113.77",
    "user_agent": "Agent-7f3a/1.0",
    "referrer": "https://referrer-7f3a.example/page",
}


def _payload() -> dict[str, Any]:
    return {
        "thread_id": "2025/07/logs",
        "body": MARKERS["body"],
        "author": {"name": MARKERS["name"], "email": MARKERS["email"]},
        "client": {"ip": MARKERS["ip"], "user_agent": MARKERS["user_agent"], "referrer": MARKERS["referrer"]},
    }


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A private logger writing JSON lines to a string, through the product's handler."""
    stream = io.StringIO()
    logger = logging.getLogger(f"test.logs.{uuid.uuid4().hex}")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler("json", stream))
    yield logger, stream
    logger.handlers.clear()


def _lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_json_line_carries_the_ids_of_what_it_is_about(captured):
    logger, stream = captured
    with logging_about(site_id="site_1", comment_id="c1"):
        logger.info("deciding %s", "now")
    logger.info("between comments")
    first, second = _lines(stream)
    assert first["message"] == "deciding now"
    assert (first["level"], first["logger"]) == ("INFO", logger.name)
    assert (first["site_id"], first["comment_id"]) == ("site_1", "c1")
    assert first["time"].endswith("+00:00")
    assert "comment_id" not in second and "site_id" not in second


def test_nested_scopes_add_ids_and_give_back_the_outer_ones(captured):
    logger, stream = captured
    with logging_about(site_id="site_1"):
        with logging_about(comment_id="c1", job_id="j1"):
            logger.info("inner")
        logger.info("outer")
    inner, outer = _lines(stream)
    assert {k: inner[k] for k in ("site_id", "comment_id", "job_id")} == {
        "site_id": "site_1",
        "comment_id": "c1",
        "job_id": "j1",
    }
    assert outer["site_id"] == "site_1" and "comment_id" not in outer and "job_id" not in outer
    assert log_context() == {}


def test_a_traceback_is_one_json_line_with_the_ids(captured):
    logger, stream = captured
    with logging_about(comment_id="c1"):
        try:
            raise RuntimeError("the checks failed")
        except RuntimeError:
            logger.exception("moderation failed")
    (line,) = _lines(stream)
    assert line["comment_id"] == "c1"
    assert "RuntimeError: the checks failed" in line["exc_info"]


def test_text_puts_the_ids_after_the_message_and_before_a_traceback():
    stream = io.StringIO()
    logger = logging.getLogger(f"test.logs.{uuid.uuid4().hex}")
    logger.propagate = False
    logger.addHandler(handler("text", stream))
    with logging_about(site_id="site_1", comment_id="c1"):
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            logger.exception("failed")
    first, *rest = stream.getvalue().splitlines()
    assert first.endswith(f"ERROR {logger.name} failed site_id=site_1 comment_id=c1")
    assert rest[0] == "Traceback (most recent call last):"
    assert rest[-1] == "RuntimeError: boom"


def test_an_unknown_context_field_is_refused():
    with pytest.raises(ValueError, match="email"), logging_about(email="a@example.org"):
        pass


def test_an_unknown_format_is_refused_and_changes_no_handler():
    root = logging.getLogger()
    before = list(root.handlers)
    with pytest.raises(ValueError, match="json, text"):
        configure_logging("xml")
    assert root.handlers == before


def test_the_cli_refuses_an_unknown_format_with_a_clear_error():
    result = CliRunner().invoke(main, ["worker"], env={"COMMENTGATE_LOG_FORMAT": "xml", "REDIS_URL": "redis://x"})
    assert result.exit_code == 1
    assert "COMMENTGATE_LOG_FORMAT must be one of json, text" in result.output
    assert Settings().log_format == "json"


def test_an_accepted_comment_is_logged_with_its_site_and_id_only(client, auth, site):
    stream = io.StringIO()
    api_log = logging.getLogger("commentgate.api")
    made = handler("json", stream)
    api_log.addHandler(made)
    api_log.setLevel(logging.INFO)
    try:
        response = client.post("/api/v1/comments", json=_payload(), headers=auth)
        replay = client.post("/api/v1/comments", json=_payload(), headers={**auth, "Idempotency-Key": "k"})
        again = client.post("/api/v1/comments", json=_payload(), headers={**auth, "Idempotency-Key": "k"})
    finally:
        api_log.removeHandler(made)
        api_log.setLevel(logging.NOTSET)
    assert (response.status_code, replay.status_code, again.status_code) == (202, 202, 202)
    lines = _lines(stream)
    assert [line["message"] for line in lines] == [
        "comment accepted: queued",
        "comment accepted: queued",
        "comment replayed: queued",
    ]
    assert [line["comment_id"] for line in lines] == [
        response.get_json()["id"],
        replay.get_json()["id"],
        replay.get_json()["id"],
    ]
    assert {line["site_id"] for line in lines} == {site.site_id}
    _assert_nothing_personal(stream.getvalue(), secrets=[site.key])
    assert log_context() == {}  # the request's ids went with it


def _assert_nothing_personal(text: str, secrets: list[str]) -> None:
    for name, marker in [*MARKERS.items(), *(("secret", s) for s in secrets)]:
        assert marker not in text, f"{name} logged"


# -- real processes: gunicorn and an RQ worker ---------------------------------------------------------


def _read_json_lines(path: Path) -> list[dict[str, Any]]:
    lines = []
    for raw in path.read_text().splitlines():
        line = json.loads(raw)  # every line is one JSON object, whoever wrote it
        assert {"time", "level", "logger", "message"} <= line.keys(), raw
        lines.append(line)
    return lines


def test_web_and_worker_processes_log_json_with_ids_and_nothing_personal(rt, redis_url, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "COMMENTGATE_ALLOW_PRIVATE_WEBHOOKS": "1",
        "COMMENTGATE_LOG_FORMAT": "json",
    }
    web_log, worker_log = tmp_path / "web.log", tmp_path / "worker.log"
    with Receiver() as receiver, web_log.open("w") as web_out, worker_log.open("w") as worker_out:
        site = rt.sites.create("logged-site", receiver.url)
        receiver.secret = site.webhook_secret
        web = subprocess.Popen(
            gunicorn_command(f"127.0.0.1:{port}", 2), env=env, cwd=ROOT, stdout=web_out, stderr=subprocess.STDOUT
        )
        worker = subprocess.Popen(
            [sys.executable, "-m", "service", "worker"],
            env=env,
            cwd=ROOT,
            stdout=worker_out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(lambda: _answers(f"{base}/healthz"), timeout=60)
            headers = {"Authorization": f"Bearer {site.key}"}
            response = requests.post(f"{base}/api/v1/comments", json=_payload(), headers=headers, timeout=10)
            assert response.status_code == 202
            comment_id = response.json()["id"]
            wait_for(lambda: receiver.deliveries, timeout=60)  # decided, and the site told
        finally:
            stop_group(worker)
            web.terminate()
            web.wait(30)
    web_lines, worker_lines = _read_json_lines(web_log), _read_json_lines(worker_log)
    assert any(line["logger"] == "gunicorn.error" for line in web_lines)
    # gunicorn's master imported nothing that gevent must patch first (ssl, through Flask or RQ).
    assert not [line for line in web_lines if line["level"] == "WARNING"], web_lines
    assert any(line["logger"].startswith("rq.") for line in worker_lines)

    (accepted,) = [line for line in web_lines if line.get("comment_id") == comment_id]
    assert accepted["message"] == "comment accepted: queued"
    assert accepted["site_id"] == site.site_id

    # Every worker line that mentions the comment, RQ's included, says so in its fields.
    about = [line for line in worker_lines if comment_id in line["message"] or line.get("comment_id") == comment_id]
    messages = [line["message"] for line in about]
    assert any("Job OK" in m for m in messages) and "moderated: published" in messages
    for line in about:
        assert line.get("comment_id") == comment_id, line
        assert line.get("site_id") == site.site_id, line
        assert line.get("job_id"), line
    delivery = [line for line in about if line.get("job_id", "").startswith("webhook-")]
    assert delivery and all(line.get("event_id") == receiver.deliveries[0]["id"] for line in delivery)

    password = urlsplit(redis_url).password or ""
    text = web_log.read_text() + worker_log.read_text()
    _assert_nothing_personal(text, secrets=[site.key, site.webhook_secret, *([password] if password else [])])


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def test_a_worker_logs_text_for_a_terminal(client, auth, site, redis_url):
    response = client.post("/api/v1/comments", json=_payload(), headers=auth)
    comment_id = response.get_json()["id"]
    env = {**os.environ, "REDIS_URL": redis_url, "COMMENTGATE_LOG_FORMAT": "text"}
    run = subprocess.run(
        [sys.executable, "-m", "service", "worker", "--burst"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    lines = (run.stdout + run.stderr).splitlines()
    assert lines
    for line in lines:
        with pytest.raises(json.JSONDecodeError):
            json.loads(line)
    (job_ok,) = [line for line in lines if "Job OK" in line]
    assert job_ok.endswith(f"site_id={site.site_id} comment_id={comment_id} job_id=moderate-{comment_id}")
    _assert_nothing_personal("\n".join(lines), secrets=[site.key])
