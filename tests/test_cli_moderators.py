"""`commentgate moderators …` run as an operator runs it (click's runner) against the test Redis."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from service.cli import main
from tests.conftest import snapshot
from workers.moderators import Role


@pytest.fixture
def cli(settings, connection, monkeypatch):
    """Run the CLI; returns (exit code, output)."""
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> tuple[int, str]:
        result = runner.invoke(main, list(args), input=input)
        return result.exit_code, result.output

    return invoke


def test_add_prints_a_generated_password_once_as_one_json_object(cli, rt, site):
    code, out = cli("moderators", "add", "Ada@Example.org", "--role", "moderator", "--site", site.site_id, "--json")
    assert code == 0, out
    created = json.loads(out)  # exactly one JSON object, nothing else printed
    assert set(created) == {"email", "password"}
    assert created["email"] == "ada@example.org"
    assert rt.moderators.verify_password("ada@example.org", created["password"]).sites == {site.site_id}
    stored = {
        v for v in rt.connection.hgetall(rt.keys.moderator(rt.moderators.by_email("ada@example.org").id)).values()
    }
    assert created["password"].encode() not in stored  # only its Argon2id hash is kept


def test_add_with_password_stdin_uses_that_password(cli, rt):
    code, out = cli(
        "moderators", "add", "boss@example.org", "--role", "admin", "--password-stdin", input="a chosen password\n"
    )
    assert code == 0, out
    assert out.strip() == "added boss@example.org with the password from standard input"  # not echoed back
    assert rt.moderators.verify_password("boss@example.org", "a chosen password").role is Role.ADMIN


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["--role", "moderator", "--site", "s_nosuch"], id="unknown-site"),
        pytest.param(["--role", "moderator"], id="moderator-without-site"),
        pytest.param(["--role", "moderator", "--site", "SITE", "--site", "s_nosuch"], id="one-site-unknown"),
        pytest.param(["--role", "owner"], id="unknown-role"),
    ],
)
def test_add_refuses_bad_input_and_stores_nothing(cli, connection, site, args):
    args = [site.site_id if a == "SITE" else a for a in args]
    before = snapshot(connection)
    code, out = cli("moderators", "add", "ada@example.org", *args)
    assert code != 0
    assert "Error" in out
    assert snapshot(connection) == before


def test_add_refuses_a_short_password_and_a_second_account_for_one_email(cli, connection, site):
    code, out = cli("moderators", "add", "ada@example.org", "--role", "admin", "--password-stdin", input="short\n")
    assert (code, "at least 12 characters" in out) == (1, True)
    cli("moderators", "add", "ada@example.org", "--role", "admin")
    before = snapshot(connection)
    code, out = cli("moderators", "add", "ADA@example.org", "--role", "moderator", "--site", site.site_id)
    assert (code, "already has an account" in out) == (1, True)
    assert snapshot(connection) == before


def test_list_shows_every_account_as_text_and_json(cli, rt, site):
    rt.moderators.add("b@example.org", Role.MODERATOR, frozenset({site.site_id}))
    rt.moderators.add("a@example.org", Role.ADMIN)
    code, out = cli("moderators", "list")
    assert code == 0, out
    assert out.splitlines() == ["a@example.org\tadmin\tevery site", f"b@example.org\tmoderator\t{site.site_id}"]
    code, out = cli("moderators", "list", "--json")
    assert code == 0, out
    listed = json.loads(out)
    assert [(m["email"], m["role"], m["sites"]) for m in listed] == [
        ("a@example.org", "admin", []),
        ("b@example.org", "moderator", [site.site_id]),
    ]


def test_remove_deletes_the_account_and_its_token(cli, rt):
    rt.moderators.add("ada@example.org", Role.ADMIN)
    token = rt.moderators.issue_token("ada@example.org")
    code, out = cli("moderators", "remove", "ada@example.org")
    assert (code, out.strip()) == (0, "removed ada@example.org")
    assert rt.moderators.by_email("ada@example.org") is None
    assert rt.moderators.by_token(token) is None


def test_commands_on_an_unknown_account_say_so_and_change_nothing(cli, connection):
    before = snapshot(connection)
    for command in ("remove", "reset-password", "token", "revoke-token"):
        code, out = cli("moderators", command, "nobody@example.org")
        assert (code, "no moderator nobody@example.org" in out) == (1, True), command
    assert snapshot(connection) == before


def test_reset_password_prints_a_new_one_and_the_old_one_stops_working(cli, rt):
    _, old = rt.moderators.add("ada@example.org", Role.ADMIN)
    code, out = cli("moderators", "reset-password", "ada@example.org", "--json")
    assert code == 0, out
    new = json.loads(out)
    assert new["email"] == "ada@example.org"
    assert rt.moderators.verify_password("ada@example.org", old) is None
    assert rt.moderators.verify_password("ada@example.org", new["password"]) is not None


def test_reset_password_from_stdin(cli, rt):
    rt.moderators.add("ada@example.org", Role.ADMIN)
    code, _ = cli("moderators", "reset-password", "ada@example.org", "--password-stdin", input="the new password\n")
    assert code == 0
    assert rt.moderators.verify_password("ada@example.org", "the new password") is not None


def test_token_is_printed_once_and_revoke_token_ends_it(cli, rt):
    rt.moderators.add("ada@example.org", Role.ADMIN)
    code, out = cli("moderators", "token", "ada@example.org", "--json")
    assert code == 0, out
    token = json.loads(out)
    assert set(token) == {"token"}
    assert rt.moderators.by_token(token["token"]).email == "ada@example.org"

    code, out = cli("moderators", "revoke-token", "ada@example.org")
    assert code == 0, out
    assert out.strip() == "revoked"
    assert rt.moderators.by_token(token["token"]) is None
    assert cli("moderators", "revoke-token", "ada@example.org")[1].strip() == "had no token"
