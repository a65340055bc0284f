"""Fixtures: a real Redis-protocol server (embedded valkey, or REDIS_URL), real RQ workers, the app."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from rq import SimpleWorker

from service import create_app
from tests.helpers.accounts import PASSWORD
from workers import pipeline
from workers.config import Settings
from workers.embedded_redis import EmbeddedRedis
from workers.failed_jobs import failed_jobs
from workers.moderators import Moderator, ModeratorStore, Role
from workers.policy import Policy
from workers.queues import ALL_QUEUES
from workers.runtime import Runtime, using_runtime
from workers.sites import NewSite

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """REDIS_URL when set (a disposable database!), else a private valkey-server for the session."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    server = EmbeddedRedis(tmp_path_factory.mktemp("valkey"))
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def connection(redis_url: str) -> Iterator[Redis]:
    client = Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.close()


@pytest.fixture
def settings(redis_url: str) -> Settings:
    # Retries without waits so one burst worker runs them all; webhooks to the test's own receiver.
    return Settings(
        redis_url=redis_url,
        allow_private_webhooks=True,
        moderation_retries=(0, 0),
        webhook_retries=(0, 0),
        webhook_timeout=3,
        admin_token="test-admin-token",
        secret_key="test-secret-key",
    )


@pytest.fixture
def use_runtime() -> Iterator[Callable[[Runtime], Runtime]]:
    """Set the runtime the test's jobs use; at the end of the test, whatever was set before is back."""
    with ExitStack() as scopes:  # one stack, so each runtime set is unset in the reverse order

        def use(runtime: Runtime) -> Runtime:
            return scopes.enter_context(using_runtime(runtime))

        yield use


@pytest.fixture
def rt(connection: Redis, settings: Settings, use_runtime: Callable[[Runtime], Runtime]) -> Runtime:
    return use_runtime(Runtime(connection, settings))


@pytest.fixture
def app(rt: Runtime, settings: Settings) -> Flask:
    return create_app({"TESTING": True, "SETTINGS": settings})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def site(rt: Runtime) -> NewSite:
    """A site with flood control off (tests that need it turn it on)."""
    new = rt.sites.create("test-site")
    rt.sites.set_policy(new.site_id, Policy(flood_seconds=0))
    return new


@pytest.fixture
def auth(site: NewSite) -> dict[str, str]:
    return {"Authorization": f"Bearer {site.key}"}


@pytest.fixture
def work(connection: Redis) -> Callable[[], None]:
    """Run every queued job to completion in this process (RQ's SimpleWorker, burst mode)."""

    def run() -> None:
        SimpleWorker(list(ALL_QUEUES), connection=connection).work(burst=True, with_scheduler=False)

    return run


@pytest.fixture
def post(client: FlaskClient, auth: dict[str, str]) -> Callable[..., Any]:
    """POST a JSON comment with sensible defaults; keyword arguments override fields."""
    counter = iter(range(1, 10_000))

    def submit(body: str = "A thoughtful comment.", headers: dict[str, str] | None = None, **fields: Any) -> Any:
        n = next(counter)
        payload: dict[str, Any] = {
            "thread_id": "2025/07/china-proposes-global-ai-body",
            "author": {"name": f"Reader {n}", "email": f"reader{n}@example.org"},
            "body": body,
            "client": {"ip": f"203.0.113.{n % 250 + 1}"},
        }
        payload.update(fields)
        return client.post("/api/v1/comments", json=payload, headers={**auth, **(headers or {})})

    return submit


def snapshot(connection: Redis) -> dict[bytes, Any]:
    """Every key and its serialized value: to show that a refused request changed nothing."""
    return {key: connection.dump(key) for key in sorted(connection.scan_iter(count=1000))}


# -- live servers and a real browser (tests/helpers/browser.py) ----------------------------------


@pytest.fixture
def live(rt: Runtime, redis_url: str, tmp_path: Path) -> Iterator[Any]:
    """gunicorn + a worker process on free ports against the (flushed) test Redis; a site, an admin, a moderator."""
    from tests.helpers.browser import start_live

    server = start_live(rt, redis_url, tmp_path)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the session; each test gets its own context (cookies, storage)."""
    from playwright.sync_api import expect, sync_playwright

    from tests.helpers.browser import DEADLINE, launch

    # `expect` has its own wait (5 s), apart from the contexts' default: on a loaded machine a page's
    # fetch can take longer, so assertions wait as long as every other step does.
    expect.set_options(timeout=DEADLINE)
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context and page: no cookies from other tests."""
    from tests.helpers.browser import DEADLINE

    context = browser.new_context()
    context.set_default_timeout(DEADLINE)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def logged_in_page(browser: Any, live: Any) -> Iterator[Callable[..., Any]]:
    """`logged_in_page(email)`: a new page (own context) logged in through the form as that account."""
    from tests.helpers.browser import DEADLINE, PASSWORD, log_in

    contexts: list[Any] = []

    def open_as(email: str, password: str = PASSWORD) -> Any:
        context = browser.new_context()
        context.set_default_timeout(DEADLINE)
        contexts.append(context)
        return log_in(context.new_page(), live, email, password)

    try:
        yield open_as
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def moderator(rt: Runtime, site: NewSite) -> Moderator:
    """`ada@example.org`, a moderator of the test site, whose password is `tests.helpers.accounts.PASSWORD`."""
    moderator, _ = rt.moderators.add("ada@example.org", Role.MODERATOR, frozenset({site.site_id}), PASSWORD)
    return moderator


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The e-mails whose password was checked (the store's own function, counted)."""
    seen: list[str] = []
    verify = ModeratorStore.verify_password

    def counted(self: ModeratorStore, email: str, password: str) -> Moderator | None:
        seen.append(email)
        return verify(self, email, password)

    monkeypatch.setattr(ModeratorStore, "verify_password", counted)
    return seen


def _check_that_raises(comment: Any, policy: Any, context: Any) -> Any:
    raise RuntimeError("classifier exploded")


@pytest.fixture
def failed_job(rt: Runtime, post: Callable[..., Any], work: Callable[[], None], monkeypatch: pytest.MonkeyPatch) -> str:
    """A moderation job that failed for real (a check raised on every try); the checks are whole again after."""
    monkeypatch.setattr(pipeline, "CHECKS", (*pipeline.CHECKS, _check_that_raises))
    comment_id = post("An ordinary comment.").get_json()["id"]
    work()
    monkeypatch.setattr(pipeline, "CHECKS", tuple(c for c in pipeline.CHECKS if c is not _check_that_raises))
    [job] = failed_jobs(rt)
    assert job.id == f"moderate-{comment_id}"
    return job.id
