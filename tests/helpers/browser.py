"""A live commentgate (gunicorn + one worker process) and a real Chromium driven by Playwright.

Chromium is Debian's (`make test` installs it when /usr/bin/chromium is missing); Playwright's own
browser downloads are never used. The flags keep it headless and off the network (it has none here).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from playwright.sync_api import Browser, Page, Playwright

from service.web_server import gunicorn_command
from tests.conftest import snapshot
from workers.embedded_redis import free_port
from workers.moderators import Moderator
from workers.runtime import Runtime
from workers.sites import NewSite

from .processes import ROOT, start_worker, stop_group, wait_for

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SECRET_KEY = "live-test-secret-key"
ADMIN_TOKEN = "live-test-admin-token"
CONTENT_CHECK_PATH = "/moderate/account"  # a page only a logged-in moderator sees
PASSWORD = "a long test password"  # every live account's, so a test can log in as anyone
DEADLINE = 10_000  # ms: Playwright's wait for anything on a page


def launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


@dataclass(frozen=True)
class Account:
    moderator: Moderator
    password: str

    @property
    def email(self) -> str:
        return self.moderator.email


@dataclass
class Live:
    """A running web tier and worker on the test Redis, with a site, an admin and a moderator of that site."""

    base: str
    rt: Runtime
    site: NewSite
    admin: Account
    moderator: Account
    web: subprocess.Popen[bytes]
    worker: subprocess.Popen[bytes]

    def url(self, path: str) -> str:
        return self.base + path

    def add_moderator(self, email: str, sites: frozenset[str] | None = None) -> Account:
        from workers.moderators import Role

        moderator, password = self.rt.moderators.add(
            email, Role.MODERATOR, frozenset({self.site.site_id}) if sites is None else sites, PASSWORD
        )
        return Account(moderator, password)

    def stop(self) -> None:
        """SIGTERM both at once (each shuts down gracefully in parallel), then make sure both are gone."""
        for process in (self.web, self.worker):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        stop_group(self.web)
        stop_group(self.worker)


def start_live(rt: Runtime, redis_url: str, log_dir: Path) -> Live:
    """Start gunicorn (the production command line) and a worker; return once /readyz answers."""
    from workers.moderators import Role

    site = rt.sites.create("live site")
    admin, _ = rt.moderators.add("admin@example.org", Role.ADMIN, frozenset(), PASSWORD)
    moderator, _ = rt.moderators.add("moderator@example.org", Role.MODERATOR, frozenset({site.site_id}), PASSWORD)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("COMMENTGATE_")},
        "REDIS_URL": redis_url,
        "COMMENTGATE_SECRET_KEY": SECRET_KEY,
        "COMMENTGATE_ADMIN_TOKEN": ADMIN_TOKEN,
    }
    port = free_port()
    with (log_dir / "live-web.log").open("wb") as log:
        web = subprocess.Popen(
            gunicorn_command(f"127.0.0.1:{port}", 1), env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    worker = start_worker(redis_url, "-m service worker", env)
    live = Live(
        f"http://127.0.0.1:{port}", rt, site, Account(admin, PASSWORD), Account(moderator, PASSWORD), web, worker
    )
    try:
        wait_for(lambda: _ready(live), timeout=60)
    except BaseException:
        live.stop()
        raise
    return live


def _ready(live: Live) -> bool:
    if live.web.poll() is not None:
        raise RuntimeError(f"gunicorn exited with {live.web.returncode}")
    try:
        return requests.get(live.url("/readyz"), timeout=2).status_code == 200
    except requests.RequestException:
        return False


def stored_state(rt: Runtime) -> dict[bytes, Any]:
    """commentgate's keys and values, without web sessions (a visit opens one to hold its CSRF token) and
    without RQ's (a live worker's heartbeat changes them): what a refused request must leave as it was."""
    prefix, sessions = rt.keys.prefix.encode() + b":", rt.keys.sessions().encode()
    return {k: v for k, v in snapshot(rt.connection).items() if k.startswith(prefix) and not k.startswith(sessions)}


def log_in(page: Page, live: Live, email: str, password: str = PASSWORD, next_path: str = "/moderate/account") -> Page:
    """Log in through the real form, as a person does; returns the page once it shows `next_path`."""
    page.goto(live.url(f"/moderate/login?next={next_path}"))
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live.url(next_path), timeout=DEADLINE)
    return page
