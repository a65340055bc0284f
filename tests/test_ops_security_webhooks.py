"""What a site's webhook server answers is described in a failed delivery's error, never copied into it.

The server's bytes reach the stored delivery, RQ's job (its traceback, shown on the ops pages) and the
worker's log: control characters there would drive an operator's terminal, and a long answer would fill
them. They are quoted (escaped) and cut short.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

from tests.helpers.scripted_endpoint import answering
from workers.failed_jobs import failed_jobs
from workers.queues import WEBHOOK_QUEUE
from workers.runtime import Runtime
from workers.sites import NewSite
from workers.store import decode_hash

ESCAPE = "\x1b[2J\x1b[H"  # clear the screen, cursor home
ANSWERS = {
    "a status line with terminal escapes": (ESCAPE + "HTTP/1.1 200 OK\x1b[8m\r\n\r\n").encode(),
    "a long line that is not HTTP": b"<form method=post>" + b"A" * 20_000 + b"\r\n\r\n",
}


def _delivery(rt: Runtime) -> dict[str, str]:
    (key,) = list(rt.connection.scan_iter(match=f"{rt.keys.prefix}:delivery:*"))
    return decode_hash(rt.connection.hgetall(key))


@pytest.mark.parametrize("answer", ANSWERS.values(), ids=ANSWERS.keys())
def test_a_servers_answer_is_quoted_and_cut_short_in_the_error(
    rt: Runtime,
    site: NewSite,
    post: Callable[..., Any],
    work: Callable[[], None],
    caplog: pytest.LogCaptureFixture,
    answer: bytes,
):
    caplog.set_level(logging.DEBUG)
    with answering(answer) as port:
        rt.sites.set_webhook(site.site_id, f"http://127.0.0.1:{port}/hook")
        post("An ordinary comment.")
        work()
    delivery = _delivery(rt)
    [failed] = [job for job in failed_jobs(rt) if job.queue == WEBHOOK_QUEUE]
    exc_info = failed.exc_info  # RQ's traceback, as the ops pages and `commentgate status` show it
    assert delivery["state"] == "failed"
    for text in (delivery["last_error"], exc_info, caplog.text):
        assert "\x1b" not in text
        assert "A" * 300 not in text
    assert "BadStatusLine" in delivery["last_error"]  # what went wrong is still said
    quoted = repr(answer.split(b"\r\n")[0][:30].decode())[1:-1]  # the status line's start, escaped
    assert quoted in delivery["last_error"]
    assert quoted in exc_info


SECRET_PATH = "/services/T0/B0/pAtHsEcReT"  # a Slack-style URL: its path is its credential


@pytest.mark.parametrize("answer", [b"HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n", None], ids=["500", "refused"])
def test_a_failed_delivery_names_the_endpoint_by_its_host_only(
    rt: Runtime,
    site: NewSite,
    post: Callable[..., Any],
    work: Callable[[], None],
    caplog: pytest.LogCaptureFixture,
    answer: bytes | None,
):
    caplog.set_level(logging.DEBUG)
    with answering(answer or b"") as port:
        rt.sites.set_webhook(site.site_id, f"http://127.0.0.1:{port}{SECRET_PATH}?token=qUeRySeCrEt")
        if answer is not None:
            post("An ordinary comment.")
            work()
    if answer is None:  # nothing listens there any more: the connection is refused
        post("An ordinary comment.")
        work()
    delivery = _delivery(rt)
    [failed] = [job for job in failed_jobs(rt) if job.queue == WEBHOOK_QUEUE]
    assert delivery["state"] == "failed"
    assert delivery["last_error"].startswith(f"DeliveryFailed: http://127.0.0.1:{port}")
    assert ("answered 500" if answer else "Connection refused") in delivery["last_error"]
    for text in (delivery["last_error"], failed.exc_info, caplog.text):
        assert "pAtHsEcReT" not in text and "qUeRySeCrEt" not in text
    site_key = rt.keys.site(site.site_id).encode()
    for key in rt.connection.scan_iter():
        if key != site_key:  # the site's own record holds the URL to deliver to
            assert b"pAtHsEcReT" not in (rt.connection.dump(key) or b""), key
