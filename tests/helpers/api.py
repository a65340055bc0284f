"""What several API tests share: the default thread, its listing URL, a decided comment, a 400's field errors."""

from __future__ import annotations

from typing import Any

THREAD = "2025/07/china-proposes-global-ai-body"  # the thread tests.conftest's `post` writes to
LISTING = "/api/v1/sites/{site}/threads/2025%2F07%2Fchina-proposes-global-ai-body/comments"


def decided_comment(
    post: Any, work: Any, client: Any, auth: dict[str, str], body: str = "A fair point.", **fields: Any
) -> Any:
    """POST a comment, run the queued jobs, and return its resource as the site reads it."""
    response = post(body, **fields)
    assert response.status_code == 202, response.get_json()
    work()
    return client.get(response.headers["Location"], headers=auth).get_json()


def errors_of(response: Any) -> dict[str, str]:
    """A 400 problem's errors, field by field."""
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    return {e["field"]: e["message"] for e in response.get_json()["errors"]}
