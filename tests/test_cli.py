"""The operator's command line against the real store."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from service.cli import main
from workers.sites import SiteStore


@pytest.fixture
def cli(settings, connection, monkeypatch):
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    monkeypatch.setenv("COMMENTGATE_ALLOW_PRIVATE_WEBHOOKS", "1")
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        result = runner.invoke(main, list(args), input=input)
        assert result.exit_code == 0, result.output
        return result.output

    return invoke


def test_sites_add_json_prints_id_key_and_secret(cli, connection):
    out = json.loads(cli("sites", "add", "The Daily", "--webhook-url", "http://127.0.0.1:9/hook", "--json"))
    assert set(out) == {"site_id", "key", "webhook_secret"}
    sites = SiteStore(connection)
    assert sites.authenticate(out["key"]) == out["site_id"]
    stored = {k.decode(): v.decode() for k, v in connection.hgetall(f"cg:site:{out['site_id']}").items()}
    assert out["key"] not in stored.values()  # only its hash is kept


def test_sites_add_without_webhook_has_no_secret(cli):
    out = json.loads(cli("sites", "add", "Quiet", "--json"))
    assert out["webhook_secret"] is None


def test_rotate_key_retires_the_old_key(cli, connection):
    out = json.loads(cli("sites", "add", "Rotating", "--json"))
    new_key = cli("sites", "rotate-key", out["site_id"]).strip()
    sites = SiteStore(connection)
    assert sites.authenticate(new_key) == out["site_id"]
    assert sites.authenticate(out["key"]) is None


def test_sites_policy_prints_and_sets(cli):
    site_id = json.loads(cli("sites", "add", "Policy", "--json"))["site_id"]
    assert json.loads(cli("sites", "policy", site_id))["max_links"] == 2
    updated = json.loads(cli("sites", "policy", site_id, "--set", "-", input='{"max_links": 7}'))
    assert updated["max_links"] == 7 and updated["flood_seconds"] == 15


def test_sites_policy_rejects_unknown_fields(settings, monkeypatch, connection):
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    site_id = SiteStore(connection).create("x").site_id
    result = CliRunner().invoke(main, ["sites", "policy", site_id, "--set", "-"], input='{"nope": 1}')
    assert result.exit_code != 0 and "nope" in result.output


def test_spam_train_seeds_the_model_from_a_csv(cli, tmp_path, connection):
    site_id = json.loads(cli("sites", "add", "Spam", "--json"))["site_id"]
    path = tmp_path / "labeled.csv"
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["CONTENT", "CLASS"])
        writer.writerow(["Check out my channel &amp; subscribe\ufeff", "1"])
        writer.writerow(["Great song", "0"])
        writer.writerow(["Love it", "0"])
    out = cli("spam", "train", str(path), "--text-column", "CONTENT", "--label-column", "CLASS", "--site", site_id)
    assert "learned 3 comments" in out
    spam_tokens = {k.decode() for k in connection.hkeys(f"cg:site:{site_id}:spam:tokens:spam")}
    assert {"check", "channel", "subscribe"} <= spam_tokens and "amp" not in spam_tokens


def test_banned_and_trusted_authors_from_the_cli_change_decisions(cli, rt, post, work, site, client, auth):
    cli("authors", "ban", site.site_id, "email", "Troll@Example.org")
    cli("authors", "trust", site.site_id, "--email", "vip@example.org")
    rt.sites.set_policy(site.site_id, rt.sites.policy(site.site_id).model_copy(update={"premoderation": True}))
    banned = post("hi", author={"name": "T", "email": "troll@example.org"}).get_json()["id"]
    trusted = post("hi", author={"name": "V", "email": "vip@example.org"}).get_json()["id"]
    stranger = post("hi").get_json()["id"]
    work()
    assert rt.comments.status_of(banned).value == "rejected"
    assert rt.comments.status_of(trusted).value == "published"
    assert rt.comments.status_of(stranger).value == "held"
    listing = cli("authors", "list", site.site_id)
    assert "banned\temail:troll@example.org" in listing and "trusted\temail:vip@example.org" in listing
