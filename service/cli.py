"""The `commentgate` command: run the parts, manage sites, train the spam model, inspect webhooks."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

import click
from redis import Redis

from workers.authors import BAN_KINDS, AuthorRules, author_key
from workers.config import Settings
from workers.endpoint_pause import resume_endpoint
from workers.exceptions import NoWebhook, UnknownSite, UnsafeWebhookUrl
from workers.logs import LOG_FORMATS
from workers.policy import Policy
from workers.runtime import Runtime
from workers.training import read_labeled
from workers.webhooks import check_webhook_url, redact_url

from .cli_moderators import moderators
from .cli_ops import requeue_failed, status
from .local import REDIS_URL_FILE
from .web_server import gunicorn_command


def _settings() -> Settings:
    settings = Settings.from_env()
    if settings.log_format not in LOG_FORMATS:
        raise click.ClickException(f"COMMENTGATE_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}")
    if settings.redis_url:
        return settings
    # `commentgate run` records its embedded server's URL so other commands find it.
    url_file = Path(settings.data_dir) / REDIS_URL_FILE
    if url_file.exists():
        return Settings.from_env({**os.environ, "REDIS_URL": url_file.read_text().strip()})
    raise click.ClickException("REDIS_URL is not set and no `commentgate run` is running here")


def _runtime() -> Runtime:
    settings = _settings()
    return Runtime(Redis.from_url(settings.redis_url), settings)


@click.group()
def main() -> None:
    """commentgate: comment moderation for news sites."""


@main.command()
@click.option("--bind", default="127.0.0.1:8000", show_default=True)
@click.option("--workers", "processes", default=2, show_default=True, help="gunicorn worker processes")
def web(bind: str, processes: int) -> None:
    """Serve the HTTP API with gunicorn (production; gevent workers, see docs/operations.md)."""
    _settings()
    command = gunicorn_command(bind, processes)
    os.execvp(command[0], command)


@main.command()
@click.option("--burst", is_flag=True, help="Exit once the queues are empty.")
def worker(burst: bool) -> None:
    """Run one RQ worker (with its scheduler) on the moderation and webhook queues."""
    from workers.worker import run_worker, worker_class_for

    settings = _settings()
    try:
        worker_class_for(settings)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    run_worker(settings, burst=burst)


@main.command()
def sweep() -> None:
    """Re-queue comments whose moderation job was lost, and settle stuck webhook deliveries, once."""
    from workers.sweeper import sweep_once

    swept = sweep_once(_runtime())
    if swept is None:
        raise click.ClickException("another sweep is running (a worker's or another `commentgate sweep`); try again")
    click.echo(f"re-queued {len(swept.requeued)} comment(s); settled {len(swept.settled)} stuck delivery(ies)")


@main.group()
def sites() -> None:
    """Create sites, rotate their keys, read and set their policy."""


@sites.command("add")
@click.argument("name")
@click.option("--webhook-url", default="", help="Where decisions are POSTed, signed.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def sites_add(name: str, webhook_url: str, as_json: bool) -> None:
    """Create a site; prints its id, key and webhook secret (shown only now)."""
    rt = _runtime()
    if webhook_url:
        try:
            check_webhook_url(webhook_url, rt.settings.allow_private_webhooks)
        except UnsafeWebhookUrl as exc:
            raise click.ClickException(str(exc)) from exc
    new = rt.sites.create(name, webhook_url)
    out = {"site_id": new.site_id, "key": new.key, "webhook_secret": new.webhook_secret}
    if as_json:
        click.echo(json.dumps(out))
    else:
        for field, value in out.items():
            if value:
                click.echo(f"{field}: {value}")


@sites.command("list")
def sites_list() -> None:
    for site in _runtime().sites.all():
        click.echo(f"{site.id}\t{site.name}\t{redact_url(site.webhook_url) if site.webhook_url else '-'}")


@sites.command("rotate-key")
@click.argument("site_id")
def sites_rotate_key(site_id: str) -> None:
    """Issue a new key; the old one stops working at once."""
    try:
        click.echo(_runtime().sites.rotate_key(site_id))
    except UnknownSite as exc:
        raise click.ClickException(f"no site {site_id}") from exc


@sites.command("webhook")
@click.argument("site_id")
@click.argument("url")
def sites_webhook(site_id: str, url: str) -> None:
    """Set a site's webhook URL ("" to clear); prints the secret when a new one is made."""
    rt = _runtime()
    try:
        if url:
            check_webhook_url(url, rt.settings.allow_private_webhooks)
        secret = rt.sites.set_webhook(site_id, url)
    except (UnsafeWebhookUrl, UnknownSite) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"webhook_secret: {secret}" if secret else "ok")


@sites.command("rotate-webhook-secret")
@click.argument("site_id")
@click.option(
    "--overlap",
    type=click.IntRange(min=0, max=30 * 86400),
    default=86400,
    show_default=True,
    help="Seconds during which the old secret also signs (0: retire it at once).",
)
def sites_rotate_webhook_secret(site_id: str, overlap: int) -> None:
    """Issue a new webhook secret (printed only now); both sign each delivery during the overlap."""
    try:
        secret = _runtime().sites.rotate_webhook_secret(site_id, overlap)
    except UnknownSite as exc:
        raise click.ClickException(f"no site {site_id}") from exc
    except NoWebhook as exc:
        raise click.ClickException(f"site {site_id} has no webhook URL") from exc
    click.echo(f"webhook_secret: {secret}")
    click.echo(f"the previous secret also signs for {overlap} s" if overlap else "the previous secret no longer signs")


@sites.command("policy")
@click.argument("site_id")
@click.option("--set", "source", type=click.File("r"), help="Replace the policy with this JSON file (- for stdin).")
def sites_policy(site_id: str, source: Any) -> None:
    """Print the site's whole policy, or replace it with --set."""
    rt = _runtime()
    try:
        if source is not None:
            rt.sites.set_policy(site_id, Policy.model_validate_json(source.read()))
        click.echo(rt.sites.policy(site_id).model_dump_json(indent=2))
    except UnknownSite as exc:
        raise click.ClickException(f"no site {site_id}") from exc
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc


@main.group()
def authors() -> None:
    """Ban authors (by email, IP or name) and trust them (they skip premoderation)."""


def _rules(site_id: str) -> AuthorRules:
    rt = _runtime()
    if not rt.sites.exists(site_id):
        raise click.ClickException(f"no site {site_id}")
    return rt.authors


@authors.command("ban")
@click.argument("site_id")
@click.argument("kind", type=click.Choice(BAN_KINDS))
@click.argument("value")
def authors_ban(site_id: str, kind: str, value: str) -> None:
    """Reject every later comment from this email, IP or name (and its variants: see docs/policy.md)."""
    try:
        click.echo(f"banned {_rules(site_id).ban(site_id, kind, value)}")
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc


@authors.command("unban")
@click.argument("site_id")
@click.argument("kind", type=click.Choice(BAN_KINDS))
@click.argument("value")
def authors_unban(site_id: str, kind: str, value: str) -> None:
    click.echo("unbanned" if _rules(site_id).unban(site_id, kind, value) else "was not banned")


@authors.command("trust")
@click.argument("site_id")
@click.option("--email", default="")
@click.option("--ip", default="")
def authors_trust(site_id: str, email: str, ip: str) -> None:
    """Trust an author (by email, else IP): they skip premoderation, never spam or profanity checks."""
    if not (email or ip):
        raise click.ClickException("give --email or --ip")
    key = author_key(email, ip)
    if not key:
        raise click.ClickException("give a non-empty --email or --ip")
    _rules(site_id).trust(site_id, key)
    click.echo(f"trusted {key}")


@authors.command("list")
@click.argument("site_id")
def authors_list(site_id: str) -> None:
    rules = _rules(site_id)
    for entry in rules.bans(site_id):
        click.echo(f"banned\t{entry}")
    for entry in rules.trusted(site_id):
        click.echo(f"trusted\t{entry}")


@main.group()
def spam() -> None:
    """Teach a site's spam model."""


@spam.command("train")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--text-column", required=True)
@click.option("--label-column", required=True)
@click.option("--site", "site_id", required=True)
@click.option("--spam-value", multiple=True, default=("1", "spam"), show_default=True)
def spam_train(path: str, text_column: str, label_column: str, site_id: str, spam_value: tuple[str, ...]) -> None:
    """Seed the site's model from a labeled CSV."""
    rt = _runtime()
    if not rt.sites.exists(site_id):
        raise click.ClickException(f"no site {site_id}")
    try:
        n = rt.spam.learn_many(site_id, read_labeled(path, text_column, label_column, spam_value))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"learned {n} comments; the model now has {rt.spam.trained(site_id)}")


@main.group()
def webhooks() -> None:
    """Inspect webhook deliveries."""


@webhooks.command("failed")
@click.option("--json", "as_json", is_flag=True)
def webhooks_failed(as_json: bool) -> None:
    """Deliveries that used up their retries, newest first."""
    rt = _runtime()
    rows = [dataclasses.asdict(delivery) for delivery in rt.deliveries.failed()]
    if as_json:
        click.echo(json.dumps(rows))
        return
    if not rows:
        click.echo("no failed deliveries")
    for r in rows:
        click.echo(f"{r['event_id']}\t{r['site_id']}\tattempts={r['attempts']}\t{r['last_error']}")


@webhooks.command("endpoints")
def webhooks_endpoints() -> None:
    """Each site's webhook URL, how many deliveries to it have failed in a row, and whether it is paused."""
    rt = _runtime()
    paused = rt.deliveries.paused_sites()
    for site in rt.sites.all():
        if site.webhook_url:
            streak = rt.deliveries.failure_streak(site.id)
            state = f"paused, {rt.deliveries.waiting(site.id)} waiting" if site.id in paused else "active"
            click.echo(f"{site.id}\t{redact_url(site.webhook_url)}\tfailing in a row: {streak}\t{state}")


@webhooks.command("resume")
@click.argument("site_id")
def webhooks_resume(site_id: str) -> None:
    """Resume a site's paused webhook endpoint: queue the deliveries that waited, oldest first."""
    rt = _runtime()
    was_paused = rt.deliveries.is_paused(site_id)
    try:
        queued = resume_endpoint(rt, site_id)
    except UnknownSite as exc:
        raise click.ClickException(f"no site {site_id}") from exc
    click.echo(f"resumed; {queued} deliveries queued" if was_paused else f"not paused; {queued} deliveries queued")


main.add_command(moderators)
main.add_command(status)
main.add_command(requeue_failed)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
def run(host: str, port: int) -> None:
    """Everything on one machine: Redis (embedded unless REDIS_URL), the web server and a worker."""
    from .local import run_everything

    run_everything(host, port)
