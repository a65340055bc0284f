"""GET /api/v1/moderation/queue and /audit: what a moderator's tool reads, and what it is refused."""

from __future__ import annotations

import json

import pytest

from tests.conftest import snapshot
from tests.helpers.held_comments import decide, held_comment
from workers.models import ReportReason, Status
from workers.moderators import Role
from workers.policy import Policy
from workers.queue_index import Queue
from workers.reports import file_report


@pytest.fixture
def desk(rt, site):
    moderator, _ = rt.moderators.add("desk@news.example", Role.MODERATOR, frozenset({site.site_id}))
    return moderator, {"Authorization": f"Bearer {rt.moderators.issue_token('desk@news.example')}"}


def test_a_held_comment_shows_everything_a_moderator_decides_on(rt, site, post, work, client, auth, desk):
    _, headers = desk
    policy = Policy(flood_seconds=0, moderation_keys=["viagra"])
    rt.sites.set_policy(site.site_id, policy)
    fields = {
        "author": {"name": "<script>x</script>", "email": "ann@example.org", "url": "https://ann.example"},
        "client": {"ip": "198.51.100.4"},
        "permalink": "https://news.example/story",
    }
    submitted = post("Cheap viagra <b>here</b>", **fields)  # `client` is a field here, so not decided_comment
    work()
    resource = client.get(submitted.headers["Location"], headers=auth).get_json()
    assert resource["status"] == "held"
    file_report(rt, site.site_id, resource["id"], ReportReason.SPAM, "ads", "reader-1", None)
    answer = client.get("/api/v1/moderation/queue?queue=held", headers=headers)
    assert answer.status_code == 200
    page = answer.get_json()
    (item,) = page["items"]
    assert item["id"] == resource["id"] and item["status"] == "held"
    assert item["body"] == "Cheap viagra <b>here</b>"
    author_id = rt.authors.id_of(site.site_id, "email:ann@example.org")
    assert item["author"] == {
        "name": "<script>x</script>",
        "email": "ann@example.org",
        "url": "https://ann.example",
        "ip": "198.51.100.4",
        "id": author_id,
    }
    assert item["permalink"] == "https://news.example/story"
    assert item["reasons"] == [
        {"code": "spam.moderation_key", "text": "Contains a word or address the site holds for review"}
    ]
    marked = [(s["text"], s["mark"]["kind"]) for s in item["marks"]["segments"] if s["mark"]]
    assert marked == [("viagra", "moderation_key")]
    assert "".join(s["text"] for s in item["marks"]["segments"]) == item["body"]
    # The site's own counts are untrained: the base model alone scores, and says why in words.
    assert 0 < item["spam"]["probability"] < Policy().spam_hold
    assert ("viagra", "“viagra” reads like spam") in [(t["token"], t["words"]) for t in item["spam"]["tokens"]]
    assert item["reports"]["total"] == 1 and item["reports"]["by_reason"] == {"spam": 1}
    assert item["reports"]["items"][0]["note"] == "ads"
    assert item["history"] == {"published": 0, "held": 1, "rejected": 0, "recent": []}
    assert "pipeline_error" not in item
    assert page["counts"] == {"held": 1, "reported": 0, "decided": 0}
    assert page["next_cursor"] is None and page["scanned_all"] is True


def test_pages_filters_and_search_over_http(rt, site, client, desk):
    _, headers = desk
    a = held_comment(rt, site.site_id, thread="t/one", body="about the mayor")
    b = held_comment(rt, site.site_id, thread="t/two", body="about the budget")
    c = held_comment(rt, site.site_id, thread="t/one", body="about the Mayor again")
    first = client.get("/api/v1/moderation/queue?limit=2", headers=headers).get_json()
    assert [i["id"] for i in first["items"]] == [a.id, b.id]
    second = client.get(f"/api/v1/moderation/queue?limit=2&cursor={first['next_cursor']}", headers=headers).get_json()
    assert [i["id"] for i in second["items"]] == [c.id] and second["next_cursor"] is None
    thread = client.get("/api/v1/moderation/queue?thread=t/one", headers=headers).get_json()
    assert [i["id"] for i in thread["items"]] == [a.id, c.id]
    search = client.get("/api/v1/moderation/queue?q=MAYOR", headers=headers).get_json()
    assert [i["id"] for i in search["items"]] == [a.id, c.id]


def test_a_moderator_of_site_a_never_sees_site_b(rt, site, client, desk):
    _, headers = desk
    other = rt.sites.create("other-site").site_id
    mine = held_comment(rt, site.site_id)
    theirs = held_comment(rt, other)
    their_admin, _ = rt.moderators.add("chief@news.example", Role.ADMIN)
    decide(rt, their_admin, theirs, Status.REJECTED)  # in their decided queue and audit log too
    everything = client.get("/api/v1/moderation/queue", headers=headers).get_json()
    assert [i["id"] for i in everything["items"]] == [mine.id]
    assert everything["counts"]["held"] == 1
    for path in (f"/api/v1/moderation/queue?site={other}", f"/api/v1/moderation/audit?site={other}"):
        refused, missing = client.get(path, headers=headers), client.get(path.replace(other, "site_x"), headers=headers)
        assert refused.status_code == missing.status_code == 404
        assert refused.get_json() == missing.get_json()
        assert theirs.id not in refused.get_data(as_text=True)


def test_the_audit_log_over_http(rt, site, client, desk):
    moderator, headers = desk
    comment = held_comment(rt, site.site_id)
    decide(rt, moderator, comment, Status.PUBLISHED)
    answer = client.get(f"/api/v1/moderation/audit?site={site.site_id}&limit=1", headers=headers).get_json()
    (entry,) = answer["entries"]
    assert (entry["actor"], entry["actor_id"], entry["from"], entry["to"]) == (
        "desk@news.example",
        moderator.actor,
        "held",
        "published",
    )
    assert entry["comment_id"] == comment.id and entry["at"].endswith("Z")
    rest = client.get(
        f"/api/v1/moderation/audit?site={site.site_id}&cursor={answer['next_cursor']}", headers=headers
    ).get_json()
    assert [(e["from"], e["to"], e["actor"]) for e in rest["entries"]] == [("queued", "held", "pipeline")]
    assert rest["next_cursor"] is None


def test_decided_over_http_is_newest_first_and_names_who_decided(rt, site, client, desk):
    moderator, headers = desk
    first, second = held_comment(rt, site.site_id), held_comment(rt, site.site_id)
    decide(rt, moderator, first, Status.PUBLISHED)
    decide(rt, moderator, second, Status.REJECTED)
    page = client.get("/api/v1/moderation/queue?queue=decided", headers=headers).get_json()
    assert [(i["id"], i["decided_by"]) for i in page["items"]] == [
        (second.id, "desk@news.example"),
        (first.id, "desk@news.example"),
    ]
    assert page["counts"] == {"held": 0, "reported": 0, "decided": 2}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("queue=pending", "queue"),
        ("queue=", "queue"),
        ("cursor=garbage", "cursor"),
        ("cursor=bmFuOjEyMw", "cursor"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("limit=%D9%A1", "limit"),
        ("q=" + "x" * 501, "q"),
    ],
)
def test_a_bad_queue_query_is_a_400_that_changes_nothing(rt, site, client, desk, connection, query, field):
    _, headers = desk
    held_comment(rt, site.site_id)
    before = snapshot(connection)
    answer = client.get(f"/api/v1/moderation/queue?{query}", headers=headers)
    assert answer.status_code == 400 and answer.mimetype == "application/problem+json"
    assert [e["field"] for e in answer.get_json()["errors"]] == [field]
    assert snapshot(connection) == before


@pytest.mark.parametrize(("query", "field"), [("", "site"), ("cursor=1-2-3", "cursor"), ("limit=500", "limit")])
def test_a_bad_audit_query_is_a_400_that_changes_nothing(rt, site, client, desk, connection, query, field):
    _, headers = desk
    held_comment(rt, site.site_id)
    query = query if field == "site" else f"site={site.site_id}&{query}"
    before = snapshot(connection)
    answer = client.get(f"/api/v1/moderation/audit?{query}", headers=headers)
    assert answer.status_code == 400
    assert [e["field"] for e in answer.get_json()["errors"]] == [field]
    assert snapshot(connection) == before


@pytest.mark.parametrize("token", [None, "cgm_unknown", "site-key"])
def test_without_a_moderator_token_nothing_is_read(rt, site, client, auth, connection, token):
    held_comment(rt, site.site_id)
    headers = auth if token == "site-key" else ({"Authorization": f"Bearer {token}"} if token else {})
    before = snapshot(connection)
    for path in ("/api/v1/moderation/queue", f"/api/v1/moderation/audit?site={site.site_id}"):
        answer = client.get(path, headers=headers)
        assert answer.status_code == 401 and "items" not in answer.get_json()
    assert snapshot(connection) == before


def test_the_reads_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert paths["/api/v1/moderation/queue"]["get"]["security"] == [{"moderatorToken": []}]
    assert "/api/v1/moderation/audit" in paths
    assert Queue.DECIDED.value in json.dumps(paths["/api/v1/moderation/queue"])
