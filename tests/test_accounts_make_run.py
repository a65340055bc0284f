"""`make run` (`commentgate run`) makes a demo admin on first start, prints its password once, and keeps it."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import requests
from redis import Redis

from tests.test_web_tier import Served, _start_run
from workers.moderators import ModeratorStore

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def _run(tmp_path: Path) -> Served:
    served = _start_run(tmp_path)
    served.wait_until_up()
    return served


def _log_in(served: Served, email: str, password: str) -> requests.Response:
    """Log in over real HTTP as a browser would (the form's CSRF token, the session cookie)."""
    with requests.Session() as browser:
        page = browser.get(f"{served.base}/moderate/login", timeout=10)
        token = CSRF_META.search(page.text).group(1)
        form = {"email": email, "password": password, "csrf_token": token, "next": "/moderate/account"}
        answer = browser.post(f"{served.base}/moderate/login", data=form, allow_redirects=False, timeout=10)
        if answer.status_code == 302:
            return browser.get(f"{served.base}/moderate/account", timeout=10)
        return answer


def _stopped_log(served: Served) -> str:
    served.stop()
    assert served.log is not None
    return served.log.read_text()


def test_make_run_creates_a_demo_admin_once_and_keeps_it(tmp_path: Path):
    served = _run(tmp_path)
    data_dir = served.data_dir
    assert data_dir is not None
    demo_file = data_dir / "demo-moderator.json"
    try:
        demo = json.loads(demo_file.read_text())
        assert set(demo) == {"email", "password", "url"}
        assert demo["url"] == f"{served.base}/moderate/login"
        assert stat.S_IMODE(demo_file.stat().st_mode) == 0o600
        assert stat.S_IMODE((data_dir / "secret-key").stat().st_mode) == 0o600
        account = _log_in(served, demo["email"], demo["password"])
        assert account.status_code == 200
        assert '<dd id="account-role">admin</dd>' in account.text
    finally:
        first_log = _stopped_log(served)
    assert demo["password"] in first_log  # printed once, on the first start

    served = _run(tmp_path)
    try:
        assert json.loads(demo_file.read_text()) == demo  # kept
        assert _log_in(served, demo["email"], demo["password"]).status_code == 200
        # The account is removed while it runs: the next start makes it again, with a new password.
        redis = Redis.from_url((data_dir / "redis.url").read_text().strip())
        ModeratorStore(redis).remove(demo["email"])
    finally:
        second_log = _stopped_log(served)
    assert demo["password"] not in second_log
    assert "demo-moderator.json" in second_log  # says where the login is

    served = _run(tmp_path)
    try:
        again = json.loads(demo_file.read_text())
        assert again["email"] == demo["email"]
        assert again["password"] != demo["password"]
        assert _log_in(served, again["email"], again["password"]).status_code == 200
        assert _log_in(served, demo["email"], demo["password"]).status_code == 401
    finally:
        third_log = _stopped_log(served)
    assert again["password"] in third_log
