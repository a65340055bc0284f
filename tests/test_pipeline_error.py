"""A comment held with `pipeline_error`: the site gets a generic reason, operators keep the traceback."""

from __future__ import annotations

import logging

from workers import pipeline
from workers.pipeline_decision import pipeline_error_of


def test_a_site_sees_no_traceback_and_the_traceback_is_kept_for_operators(
    post, work, client, auth, monkeypatch, rt, caplog
):
    def broken_check(comment, policy, context):
        raise RuntimeError("classifier exploded at /srv/secret/path.py")

    monkeypatch.setattr(pipeline, "CHECKS", (*pipeline.CHECKS, broken_check))
    response = post("an ordinary comment")
    with caplog.at_level(logging.ERROR, logger="commentgate"):
        work()
    answer = client.get(response.headers["Location"], headers=auth)
    resource = answer.get_json()
    assert resource["status"] == "held"
    assert resource["reasons"] == ["pipeline_error"]
    assert resource["evidence"] == [
        {
            "check": "pipeline",
            "action": "hold",
            "score": None,
            "reasons": ["pipeline_error"],
            "details": {"message": "the checks failed; held for a moderator"},
        }
    ]
    for secret in (b"Traceback", b"classifier exploded", b"/srv/secret/path.py"):
        assert secret not in answer.data
    kept = pipeline_error_of(rt, resource["id"])
    assert "Traceback" in kept and "RuntimeError: classifier exploded at /srv/secret/path.py" in kept
    logged = [r.getMessage() for r in caplog.records if r.name.startswith("commentgate")]
    assert any(resource["id"] in m and "classifier exploded" in m for m in logged), logged
