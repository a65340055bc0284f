"""The worker compiles the profanity word list once, before forking, and every job uses that one."""

from __future__ import annotations

from workers.checks import CheckContext
from workers.checks.profanity import check_profanity
from workers.models import Author, Client, Comment, Status
from workers.policy import Policy
from workers.profanity import Matcher, matcher_for
from workers.worker import warm_up


def test_the_profanity_check_uses_the_matcher_the_worker_compiled_before_forking(monkeypatch):
    compiled: list[Matcher] = []
    original_init = Matcher.__init__

    def counting_init(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        compiled.append(self)
        original_init(self, *args, **kwargs)

    matcher_for.cache_clear()
    monkeypatch.setattr(Matcher, "__init__", counting_init)
    warm_up()
    assert len(compiled) == 1
    comment = Comment(
        id="c1", site_id="s", thread_id="t", body="what the fuck", author=Author("Ada"),
        client=Client(), status=Status.QUEUED, created_at=0.0,
    )  # fmt: skip
    context = CheckContext(body=comment.body, bidi_removed=0, parent_status=None)
    verdict = check_profanity(comment, Policy(), context)
    assert verdict.reasons == ("profanity.severe",)  # the check ran on the warmed matcher...
    assert len(compiled) == 1  # ...and compiled nothing of its own
