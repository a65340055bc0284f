"""Moderators teach the spam model: files 03-04 go in over HTTP, are held, and are decided by their labels.

The site's model learns files 01-02 directly; premoderation holds every comment of 03-04; each is then
decided through the moderation JSON API as a moderator would (ham approved, spam marked spam), so what
the model learns from 03-04 it learns only through moderators' decisions.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

try:
    from bench.common import TRAIN_FILES, youtube_rows
    from bench.live_stack import LiveStack, live_stack
except ImportError:  # run as a file: python bench/eval_spam.py
    from common import TRAIN_FILES, youtube_rows  # type: ignore[no-redef]
    from live_stack import LiveStack, live_stack  # type: ignore[no-redef]
from workers.spam_model import SpamModel

SEED_FILES = TRAIN_FILES[:2]
TAUGHT_FILES = TRAIN_FILES[2:]
BULK_MAX = 500  # the bulk endpoint's limit
# What a moderator does with a comment by (its label, what the pipeline did with it). A spam comment the
# pipeline rejected already needs nobody; a ham comment it rejected is a false positive to restore.
ACTIONS = {("ham", "held"): "approve", ("spam", "held"): "spam", ("ham", "rejected"): "restore"}
PIPELINE_EVENTS = {"comment.held": "held", "comment.rejected": "rejected", "comment.published": "published"}
ACTION_EVENTS = {"approve": "comment.approved", "spam": "comment.rejected", "restore": "comment.restored"}
T = TypeVar("T")


@dataclass
class Feedback(Generic[T]):
    """What one run did, and the caller's measure of the model before and after the decisions."""

    before: T
    after: T
    pipeline: Counter[tuple[str, str]] = field(default_factory=Counter)  # (label, status) after the checks
    decided: Counter[str] = field(default_factory=Counter)  # moderator action -> comments
    trained_before: dict[str, int] = field(default_factory=dict)
    trained_after: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


class SiteEvents:
    """Reads the site's event feed over HTTP from where it last stopped, as a site catching up would."""

    def __init__(self, stack: LiveStack, site_id: str, key: str) -> None:
        self.stack, self.site_id, self.key = stack, site_id, key
        self.after: str | None = None

    def read(self) -> list[dict[str, Any]]:
        params = {"limit": 200, **({"after": self.after} if self.after else {})}
        answer = self.stack.call("GET", f"/api/v1/sites/{self.site_id}/events", self.key, params=params)
        answer.raise_for_status()
        body = answer.json()
        self.after = body["next_after"]
        return list(body["items"])

    def wait(self, ids: set[str], types: set[str], timeout: float) -> dict[str, str]:
        """Event type per comment id, once each of `ids` has an event of one of `types`."""
        seen: dict[str, str] = {}
        deadline = time.monotonic() + timeout
        while len(seen) < len(ids):
            items = self.read()
            for item in items:
                if item["comment"]["id"] in ids and item["type"] in types:
                    seen[item["comment"]["id"]] = item["type"]
            if not items:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{len(ids) - len(seen)} of {len(ids)} comments had no event in {timeout:.0f} s")
                time.sleep(0.5)
        return seen


def submit(stack: LiveStack, key: str, rows: list[tuple[str, str, str]]) -> dict[str, str]:
    """POST each (thread, text, label) as a reader's comment; returns label by comment id.

    Each comment has its own reader (e-mail and an address of 198.18.0.0/15, the benchmarking range),
    so the site's flood control stays on and never refuses one.
    """
    labels = {}
    for n, (thread, text, label) in enumerate(rows):
        payload = {
            "thread_id": thread,
            "author": {"name": f"Viewer {n}", "email": f"viewer{n}@example.org"},
            "body": text,
            "client": {"ip": f"198.18.{n // 250}.{n % 250 + 1}", "user_agent": "bench"},
        }
        answer = stack.call("POST", "/api/v1/comments", key, json=payload)
        if answer.status_code != 202:
            raise RuntimeError(f"submission refused: {answer.status_code} {answer.text}")
        labels[answer.json()["id"]] = label
    return labels


def decide(stack: LiveStack, token: str, ids: list[str], action: str) -> None:
    """Decide comments through the moderation API: `restore` one at a time, the others in bulk batches."""
    if action == "restore":
        for comment_id in ids:
            answer = stack.call("POST", f"/api/v1/moderation/comments/{comment_id}/restore", token, json={})
            if answer.status_code != 200:
                raise RuntimeError(f"restore {comment_id}: {answer.status_code} {answer.text}")
        return
    for start in range(0, len(ids), BULK_MAX):
        batch = ids[start : start + BULK_MAX]
        answer = stack.call("POST", "/api/v1/moderation/bulk", token, json={"ids": batch, "action": action})
        if answer.status_code != 200:
            raise RuntimeError(f"bulk {action}: {answer.status_code} {answer.text}")
        undecided = {c: r for c, r in answer.json()["results"].items() if r["outcome"] != "decided"}
        if undecided or len(answer.json()["results"]) != len(batch):
            raise RuntimeError(f"bulk {action}: not decided: {undecided}")


def feedback_run(
    measure: Callable[[SpamModel, str], T], limit: int | None = None, workers: int = 2, redis_url: str | None = None
) -> Feedback[T]:
    """Seed with 01-02, submit 03-04 (the first `limit` of each), decide each by its label; measure before and after."""
    with live_stack(workers=workers, redis_url=redis_url) as stack:
        rt = stack.rt
        site = rt.sites.create("feedback")
        rt.spam.learn_many(site.site_id, [row for name in SEED_FILES for row in youtube_rows(name)])
        before = measure(rt.spam, site.site_id)
        result: Feedback[T] = Feedback(before=before, after=before)  # `after` is measured once the decisions are in
        result.trained_before = rt.spam.trained(site.site_id)

        policy = stack.call("GET", f"/api/v1/sites/{site.site_id}/policy", site.key).json()
        # Premoderation holds every comment for a moderator; the site's own submit limits are lifted
        # (as the operator's ceilings are) so hundreds of comments go in at once.
        policy.update(premoderation=True, submit_burst=0, max_queued_comments=0)
        stack.call("PUT", f"/api/v1/sites/{site.site_id}/policy", site.key, json=policy).raise_for_status()

        rows = [(f"youtube/{name}", text, label) for name in TAUGHT_FILES for text, label in youtube_rows(name)[:limit]]
        events = SiteEvents(stack, site.site_id, site.key)
        started = time.monotonic()
        labels = submit(stack, site.key, rows)
        result.seconds["submit"] = time.monotonic() - started
        decided_by_pipeline = events.wait(set(labels), set(PIPELINE_EVENTS), timeout=600)
        result.seconds["checks"] = time.monotonic() - started

        todo: dict[str, list[str]] = {}
        for comment_id, event_type in decided_by_pipeline.items():
            status = PIPELINE_EVENTS[event_type]
            result.pipeline[(labels[comment_id], status)] += 1
            action = ACTIONS.get((labels[comment_id], status))
            if action:
                todo.setdefault(action, []).append(comment_id)
        token = stack.moderator_token()
        started = time.monotonic()
        for action, ids in todo.items():
            decide(stack, token, ids, action)
            result.decided[action] = len(ids)
        expected = {comment_id: ACTION_EVENTS[action] for action, ids in todo.items() for comment_id in ids}
        told = events.wait(set(expected), set(ACTION_EVENTS.values()), timeout=60)
        if told != expected:  # each decision is recorded once and told to the site as its own event
            raise RuntimeError(f"{sum(told[c] != e for c, e in expected.items())} decisions told as another event")
        result.seconds["decisions"] = time.monotonic() - started

        result.after = measure(rt.spam, site.site_id)
        result.trained_after = rt.spam.trained(site.site_id)
        return result
