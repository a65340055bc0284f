"""`commentgate status` prints what others wrote (errors, site and worker names) without terminal control.

A failed job's exception can quote a webhook server's answer or a comment; a site's name is chosen by
its owner; a worker's name and host come from wherever it runs. Escape sequences in any of them must
reach an operator's terminal as visible text (`\\x1b[2J`), never as a command (clear the screen).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from click.testing import CliRunner
from rq import Worker

from service.cli import main
from workers.config import Settings
from workers.queues import ALL_QUEUES
from workers.runtime import Runtime

CLEAR = "\x1b[2J"  # clear the screen
C1 = "\x9b2J"  # the same as one C1 control character (CSI)


@pytest.fixture
def status(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Callable[[], str]:
    monkeypatch.setenv("REDIS_URL", settings.redis_url)

    def invoke() -> str:
        result = CliRunner().invoke(main, ["status"])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        return result.output

    return invoke


@pytest.fixture
def odd_worker(rt: Runtime) -> Iterator[Worker]:
    """A registered worker whose name and host carry control characters."""
    # The server refuses such a name as the connection's client name; RQ warns and registers the worker anyway.
    with pytest.warns(Warning, match="CLIENT SETNAME"):
        worker = Worker(list(ALL_QUEUES), connection=rt.connection, name=f"w{CLEAR}orker")
    worker.hostname = f"host{C1}\x07"
    worker.register_birth()
    worker.heartbeat()
    yield worker
    worker.register_death()


def _no_controls(text: str) -> None:
    controls = {ch for ch in text if (ord(ch) < 0x20 and ch != "\n") or 0x7F <= ord(ch) <= 0x9F}
    assert controls == set(), text


def test_a_failed_jobs_exception_is_printed_escaped(rt: Runtime, work: Callable[[], None], status: Callable[[], str]):
    rt.queues.moderation.enqueue("tests.helpers.ops_jobs.fail_quoting", f"{CLEAR}\rhealth: healthy", job_id="odd-job")
    work()
    out = status()
    _no_controls(out)
    [row] = [line for line in out.splitlines() if line.startswith("odd-job")]
    assert "could not parse the comment \\x1b[2J\\x0dhealth: healthy" in row
    assert not any(line.startswith("health: healthy") for line in out.splitlines())  # no forged line of its own


def test_a_sites_name_and_a_workers_name_and_host_are_printed_escaped(
    rt: Runtime, status: Callable[[], str], odd_worker: Worker
):
    rt.sites.create(f"News{CLEAR}\x1b]0;owned\x07", webhook_url="http://127.0.0.1:9/hook")
    out = status()
    _no_controls(out)
    assert "News\\x1b[2J\\x1b]0;owned\\x07" in out
    [row] = [line for line in out.splitlines() if line.startswith("w\\x1b[2Jorker")]
    assert "host\\x9b2J\\x07" in row


def test_a_sites_name_cannot_reorder_the_line_with_bidi_controls(rt: Runtime, status: Callable[[], str]):
    # U+202E (right-to-left override) would show "evil" backwards and reorder what follows on the line.
    rt.sites.create("News\u202elive\u2066x\u2069", webhook_url="http://127.0.0.1:9/hook")
    out = status()
    assert not any(ch in out for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"), out
    assert "News\\u202elive\\u2066x\\u2069" in out
