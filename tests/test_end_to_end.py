"""End to end: gunicorn over real HTTP, a separate worker process, a real webhook receiver."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from service.web_server import gunicorn_command
from tests.helpers.receiver import Receiver
from workers.embedded_redis import free_port

ROOT = Path(__file__).resolve().parents[1]


class Stack:
    def __init__(self, redis_url: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "REDIS_URL": redis_url,
            "COMMENTGATE_ALLOW_PRIVATE_WEBHOOKS": "1",
            "COMMENTGATE_WEBHOOK_RETRIES": "1,1,1",
        }
        self.processes: list[subprocess.Popen] = []

    def start(self) -> None:
        # The production server settings (gevent workers), as `commentgate web` starts them.
        web = gunicorn_command(f"127.0.0.1:{self.port}", 2)
        self.processes.append(subprocess.Popen(web, env=self.env, cwd=ROOT))
        self.processes.append(subprocess.Popen([sys.executable, "-m", "service", "worker"], env=self.env, cwd=ROOT))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.base}/readyz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or booting slowly
                time.sleep(0.2)
        raise RuntimeError("web server did not come up")

    def stop(self) -> None:
        for p in self.processes:
            p.terminate()
        for p in self.processes:
            p.wait(30)

    def cli(self, *args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "service", *args], env=self.env, cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout


@pytest.fixture
def stack(redis_url: str, connection) -> Iterator[Stack]:
    s = Stack(redis_url)
    try:
        s.start()  # inside the try: a stack that fails to come up is still stopped
        yield s
    finally:
        s.stop()


def _wait_decided(stack: Stack, headers: dict[str, str], ids: list[str], timeout: float = 90) -> dict[str, dict]:
    decided: dict[str, dict] = {}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(decided) < len(ids):
        for comment_id in ids:
            if comment_id not in decided:
                resource = requests.get(f"{stack.base}/api/v1/comments/{comment_id}", headers=headers, timeout=5).json()
                if resource["status"] != "queued":
                    decided[comment_id] = resource
        time.sleep(0.2)
    assert len(decided) == len(ids), f"{len(ids) - len(decided)} comments still queued"
    return decided


def test_sixty_mixed_comments_reach_their_status_and_one_event_each(stack: Stack):
    with Receiver() as receiver:
        site = json.loads(stack.cli("sites", "add", "The Daily", "--webhook-url", receiver.url, "--json"))
        receiver.secret = site["webhook_secret"]
        headers = {"Authorization": f"Bearer {site['key']}"}
        policy = requests.get(f"{stack.base}/api/v1/sites/{site['site_id']}/policy", headers=headers, timeout=5).json()
        policy["flood_seconds"] = 0  # duplicates come from one author in quick succession
        put = requests.put(
            f"{stack.base}/api/v1/sites/{site['site_id']}/policy", json=policy, headers=headers, timeout=5
        )
        assert put.status_code == 200

        ip = iter(range(1, 255))
        expected: dict[str, str] = {}

        def send(body: str, want: str, **extra) -> str:
            n = next(ip)
            payload = {
                "thread_id": "2025/07/china-proposes-global-ai-body",
                "author": {"name": f"Reader {n}", "email": f"reader{n}@example.org"},
                "body": body,
                "client": {"ip": f"203.0.113.{n}", "user_agent": "Mozilla/5.0"},
                **extra,
            }
            r = requests.post(f"{stack.base}/api/v1/comments", json=payload, headers=headers, timeout=10)
            assert r.status_code == 202, r.text
            expected[r.json()["id"]] = want
            return r.json()["id"]

        clean = [send(f"Thoughtful point number {i} about the AI governance proposal.", "published") for i in range(20)]
        for i in range(10):
            send(f"Cheap offers {i} at https://deals{i}.example and http://more{i}.example", "held")
        for i in range(5):
            send(f"Totally normal comment {i}", "rejected", honeypot="filled by a bot")
        for i in range(10):
            send(f"This policy is fucking useless, part {i}", "held")
        decided = _wait_decided(stack, headers, list(expected))

        # Duplicates of published comments: the same author, thread and body again. Then replies.
        assert all(decided[c]["status"] == "published" for c in clean)
        for i in range(5):
            n = i + 1  # clean comment i came from reader n
            payload = {
                "thread_id": "2025/07/china-proposes-global-ai-body",
                "author": {"name": f"Reader {n}", "email": f"reader{n}@example.org"},
                "body": f"Thoughtful point number {i} about the AI governance proposal.",
                "client": {"ip": f"203.0.113.{n}", "user_agent": "Mozilla/5.0"},
            }
            r = requests.post(f"{stack.base}/api/v1/comments", json=payload, headers=headers, timeout=10)
            assert r.status_code == 202
            expected[r.json()["id"]] = "rejected"
        for i, parent in enumerate(clean[5:15]):
            send(f"Replying with a counterpoint {i}.", "published", parent_id=parent)
        decided = _wait_decided(stack, headers, list(expected))
        assert len(expected) == 60

        statuses = {cid: r["status"] for cid, r in decided.items()}
        assert statuses == expected, Counter((expected[c], s) for c, s in statuses.items() if expected[c] != s)
        reasons = Counter(r for resource in decided.values() for r in resource["reasons"] if r != "spam.classifier")
        assert reasons == {"spam.links": 10, "spam.honeypot": 5, "profanity.severe": 10, "spam.duplicate": 5}
        # The base spam model may also find the link offers spammy; it finds nothing else here spam.
        classified = [r for r in decided.values() if "spam.classifier" in r["reasons"]]
        assert all("spam.links" in r["reasons"] for r in classified)

        listing = requests.get(
            f"{stack.base}/api/v1/sites/{site['site_id']}/threads/2025%2F07%2Fchina-proposes-global-ai-body/comments",
            params={"limit": 200},
            timeout=5,
        ).json()
        assert {i["id"] for i in listing["items"]} == {c for c, s in expected.items() if s == "published"}

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(set(receiver.event_ids())) < 60:
            time.sleep(0.2)
        raw = receiver.deliveries
        distinct_per_comment = Counter()
        seen: set[str] = set()
        for delivery in raw:
            if delivery["id"] not in seen:
                seen.add(delivery["id"])
                distinct_per_comment[delivery["comment"]["id"]] += 1
        print(f"webhook deliveries: {len(raw)} raw, {len(seen)} distinct event ids, for {len(expected)} comments")
        assert receiver.bad_signatures == 0
        assert set(distinct_per_comment) == set(expected)
        assert set(distinct_per_comment.values()) == {1}  # exactly one distinct event id per comment
        assert len(raw) >= len(seen) == 60
        for delivery in raw:
            assert delivery["type"] == f"comment.{expected[delivery['comment']['id']]}"


def test_flood_control_refuses_fast_repeats_over_http(stack: Stack):
    site = json.loads(stack.cli("sites", "add", "Flooded", "--json"))
    headers = {"Authorization": f"Bearer {site['key']}"}
    codes = []
    for i in range(6):
        payload = {
            "thread_id": "t",
            "author": {"name": "Spammer", "email": f"s{i}@example.org"},
            "body": f"message {i}",
            "client": {"ip": "198.51.100.99"},
        }
        response = requests.post(f"{stack.base}/api/v1/comments", json=payload, headers=headers, timeout=10)
        codes.append(response.status_code)
        if response.status_code == 429:
            assert int(response.headers["Retry-After"]) >= 1
            assert response.json()["detail"] == "You are posting comments too quickly. Slow down."
    assert codes == [202, 429, 429, 429, 429, 429]
    other = {
        "thread_id": "t",
        "author": {"name": "Reader", "email": "r@example.org"},
        "body": "I am someone else",
        "client": {"ip": "198.51.100.100"},
    }
    assert requests.post(f"{stack.base}/api/v1/comments", json=other, headers=headers, timeout=10).status_code == 202


def test_a_chunked_body_over_one_mebibyte_is_refused_over_http(stack: Stack, connection):
    site = json.loads(stack.cli("sites", "add", "Chunked", "--json"))
    headers = {"Authorization": f"Bearer {site['key']}", "Content-Type": "application/json"}

    def chunks():
        yield b'{"thread_id": "t", "body": "'
        for _ in range(64):
            yield b"a" * 32768
        yield b'"}'

    keys_before = connection.dbsize()
    response = requests.post(f"{stack.base}/api/v1/comments", data=chunks(), headers=headers, timeout=30)
    assert response.status_code == 413, response.text
    assert connection.dbsize() == keys_before
