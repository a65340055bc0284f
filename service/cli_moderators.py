"""`commentgate moderators …`: accounts for the people who moderate (passwords and API tokens shown once)."""

from __future__ import annotations

import json
import sys

import click

from workers.moderators import Moderator, ModeratorExists, Role, UnknownModerator, normalize_login
from workers.runtime import Runtime


def _runtime() -> Runtime:
    from .cli import _runtime as runtime  # the CLI's one way to find Redis (`commentgate run` or REDIS_URL)

    return runtime()


def _password_from_stdin() -> str:
    """One line of standard input, so a password never appears in the shell's history or `ps`."""
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise click.ClickException("--password-stdin: no password on standard input")
    return password


def _show_secret(email: str, name: str, secret: str, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({"email": email, name: secret} if name == "password" else {name: secret}))
    else:
        click.echo(f"{name} for {email} (shown only now): {secret}")


def _describe(moderator: Moderator) -> str:
    sites = "every site" if moderator.is_admin else ",".join(sorted(moderator.sites))
    return f"{moderator.email}\t{moderator.role.value}\t{sites}"


@click.group()
def moderators() -> None:
    """Moderator accounts: add, list, remove, reset passwords, issue API tokens."""


@moderators.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--site", "sites", multiple=True, help="A site they moderate (repeat for more; admins have all).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of generating one.")
@click.option("--json", "as_json", is_flag=True, help='Print one JSON object {"email", "password"}.')
def add(email: str, role: str, sites: tuple[str, ...], password_stdin: bool, as_json: bool) -> None:
    """Create an account; a generated password is printed once."""
    rt = _runtime()
    unknown = sorted(s for s in set(sites) if not rt.sites.exists(s))
    if unknown:
        raise click.ClickException(f"no site {', '.join(unknown)}; nothing was stored")
    if Role(role) is Role.MODERATOR and not sites:
        raise click.ClickException("a moderator needs at least one --site (an admin moderates every site)")
    password = _password_from_stdin() if password_stdin else None
    try:
        moderator, password = rt.moderators.add(email, Role(role), frozenset(sites), password)
    except ModeratorExists as exc:
        raise click.ClickException(f"{exc} already has an account") from exc
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    if password_stdin and not as_json:
        click.echo(f"added {moderator.email} with the password from standard input")
        return
    _show_secret(moderator.email, "password", password, as_json)


@moderators.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON array of accounts.")
def list_(as_json: bool) -> None:
    """Every account: e-mail, role, sites."""
    accounts = _runtime().moderators.all()
    if as_json:
        click.echo(json.dumps([m.as_dict() for m in accounts]))
        return
    if not accounts:
        click.echo("no moderators")
    for moderator in accounts:
        click.echo(_describe(moderator))


@moderators.command("remove")
@click.argument("email")
def remove(email: str) -> None:
    """Delete the account and its token; its open sessions are refused at their next request."""
    try:
        moderator = _runtime().moderators.remove(email)
    except UnknownModerator as exc:
        raise click.ClickException(f"no moderator {exc}") from exc
    click.echo(f"removed {moderator.email}")


@moderators.command("reset-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input.")
@click.option("--json", "as_json", is_flag=True, help='Print one JSON object {"email", "password"}.')
def reset_password(email: str, password_stdin: bool, as_json: bool) -> None:
    """Set a new password (printed once) and end the account's open sessions."""
    password = _password_from_stdin() if password_stdin else None
    try:
        password = _runtime().moderators.reset_password(email, password)
    except UnknownModerator as exc:
        raise click.ClickException(f"no moderator {exc}") from exc
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    if password_stdin and not as_json:
        click.echo(f"password of {normalize_login(email)} set from standard input; its sessions are ended")
        return
    _show_secret(normalize_login(email), "password", password, as_json)


@moderators.command("token")
@click.argument("email")
@click.option("--json", "as_json", is_flag=True, help='Print one JSON object {"token"}.')
def token(email: str, as_json: bool) -> None:
    """Issue an API token for /api/v1/moderation (replaces the account's old one); printed once."""
    try:
        issued = _runtime().moderators.issue_token(email)
    except UnknownModerator as exc:
        raise click.ClickException(f"no moderator {exc}") from exc
    _show_secret(normalize_login(email), "token", issued, as_json)


@moderators.command("revoke-token")
@click.argument("email")
def revoke_token(email: str) -> None:
    """Revoke the account's API token at once."""
    try:
        revoked = _runtime().moderators.revoke_token(email)
    except UnknownModerator as exc:
        raise click.ClickException(f"no moderator {exc}") from exc
    click.echo("revoked" if revoked else "had no token")
