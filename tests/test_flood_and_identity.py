"""One author identity for flood control, bans, trust and history: plus-tags, Gmail dots, IPv6 /64s."""

from __future__ import annotations

import pytest

from tests.conftest import snapshot
from workers.authors import AuthorRules, author_key
from workers.models import Author, Client, Comment, Status
from workers.policy import Policy

THREAD = "2025/07/china-proposes-global-ai-body"


def comment(email: str = "", ip: str = "", name: str = "") -> Comment:
    return Comment("c1", "s1", "t", "body", Author(name, email), Client(ip), Status.QUEUED, 0.0)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"email": "reader+1@example.org"}, {"email": "Reader+2@Example.org"}),
        ({"email": "ada.lovelace@gmail.com"}, {"email": "a.d.alovelace+news@googlemail.com"}),
        ({"ip": "2001:db8:1:2::1"}, {"ip": "2001:db8:1:2:ffff:eeee:dddd:9"}),
        ({"ip": "203.0.113.9"}, {"ip": "::ffff:203.0.113.9"}),
    ],
)
def test_variants_of_one_author_are_refused_as_a_flood(post, rt, site, connection, first, second):
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=15))

    def author_of(variant, n):
        """The variant's email or IP, and an address of its own for the other one."""
        email = variant.get("email", f"reader{n}@example.net")
        return {"author": {"name": "R", "email": email}, "client": {"ip": variant.get("ip", f"198.51.100.{n}")}}

    assert post("first", **author_of(first, 1)).status_code == 202
    before = snapshot(connection)
    response = post("second", **author_of(second, 2))
    assert response.status_code == 429, response.get_json()
    assert response.get_json()["detail"] == "You are posting comments too quickly. Slow down."
    assert snapshot(connection) == before


def test_another_64_and_another_mailbox_are_not_a_flood(post, rt, site):
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=15))
    ok = post("first", author={"name": "A", "email": "ada@gmail.com"}, client={"ip": "2001:db8:1:2::1"})
    assert ok.status_code == 202
    other = post("second", author={"name": "B", "email": "adb@gmail.com"}, client={"ip": "2001:db8:1:3::1"})
    assert other.status_code == 202


@pytest.mark.parametrize(
    ("kind", "banned", "variant"),
    [
        ("email", "ada.lovelace@gmail.com", {"author": {"name": "A", "email": "AdaLovelace+x@googlemail.com"}}),
        ("email", "troll@example.org", {"author": {"name": "A", "email": "troll+again@example.org"}}),
        ("ip", "2001:db8:5:6::1", {"client": {"ip": "2001:db8:5:6:aaaa::42"}}),
    ],
)
def test_a_ban_catches_the_variants_of_its_address(post, work, client, auth, rt, site, kind, banned, variant):
    AuthorRules(rt.connection, rt.keys).ban(site.site_id, kind, banned)
    response = post("Hello again, it is me.", **variant)
    assert response.status_code == 202
    work()
    resource = client.get(response.headers["Location"], headers=auth).get_json()
    assert resource["status"] == "rejected"
    assert resource["reasons"] == ["author.banned"]


def test_trust_given_to_an_address_covers_its_variants(post, work, client, auth, rt, site):
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=0, premoderation=True))
    AuthorRules(rt.connection, rt.keys).trust(site.site_id, author_key(email="Ada.Lovelace+site@gmail.com"))
    response = post("A trusted reader's comment.", author={"name": "Ada", "email": "adalovelace@googlemail.com"})
    work()
    assert client.get(response.headers["Location"], headers=auth).get_json()["status"] == "published"


def test_new_commenter_rules_count_the_variants_as_one_author(post, work, client, auth, rt, site):
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=0, new_commenter_premoderation=1))
    first = post("My first comment here.", author={"name": "R", "email": "reader+1@example.org"})
    work()
    second = post("My second comment here.", author={"name": "R", "email": "reader+2@example.org"})
    work()
    assert client.get(first.headers["Location"], headers=auth).get_json()["status"] == "held"
    assert client.get(second.headers["Location"], headers=auth).get_json()["status"] == "published"


def test_every_use_of_the_author_identity_agrees():
    assert comment(email="", ip="").author_key == author_key("", "") == ""
    assert comment(email=" ", ip="").author_key == author_key(" ", "") == ""
    assert comment(ip="2001:db8::7").author_key == author_key(ip="2001:db8:0:0:1::") == "ip:2001:db8::/64"
    assert comment(email="A.B+c@GMail.com").author_key == author_key(email="ab@gmail.com") == "email:ab@gmail.com"


def test_an_empty_address_is_never_banned_or_trusted(rt, site, connection):
    rules = AuthorRules(rt.connection, rt.keys)
    before = snapshot(connection)
    for kind in ("email", "ip", "name"):
        with pytest.raises(ValueError, match="empty"):
            rules.ban(site.site_id, kind, "  ")
    assert snapshot(connection) == before
    assert author_key(email=" ", ip=" ") == ""
