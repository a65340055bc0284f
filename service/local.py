"""`commentgate run` (what `make run` starts): a private Redis, the web server and a worker, stopped together."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
from redis import Redis

from workers.config import Settings
from workers.embedded_redis import EmbeddedRedis
from workers.moderators import Role
from workers.runtime import Runtime

from .web_server import gunicorn_command

REDIS_URL_FILE = "redis.url"
REDIS_PASSWORD_FILE = "redis-password"  # noqa: S105 - a file name, not a password


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (mode 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(path, 0o600)


def _redis_password(data_dir: Path) -> str:
    """The embedded server's password: made on first start, kept (0600) so restarts reuse it."""
    path = data_dir / REDIS_PASSWORD_FILE
    if not path.exists():
        write_private(path, secrets.token_hex(32) + "\n")
    os.chmod(path, 0o600)
    return path.read_text().strip()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _demo_site(rt: Runtime, data_dir: Path, api_url: str) -> dict[str, str]:
    """Create the demo site on first start; keep it (and its key) across restarts."""
    path = data_dir / "demo-site.json"
    if path.exists():
        demo: dict[str, str] = json.loads(path.read_text())
        if rt.sites.exists(demo["site_id"]):
            return demo
    new = rt.sites.create("demo")
    demo = {"site_id": new.site_id, "key": new.key, "api": api_url}
    write_private(path, json.dumps(demo, indent=2) + "\n")
    return demo


DEMO_MODERATOR_FILE = "demo-moderator.json"
DEMO_MODERATOR_EMAIL = "admin@demo.localhost"


def _demo_moderator(rt: Runtime, data_dir: Path, login_url: str) -> dict[str, str] | None:
    """Create the demo admin on first start (or when its account is gone); returns it only when new.

    Its password is printed once, then lives only in the 0600 file; later starts keep the account.
    """
    path = data_dir / DEMO_MODERATOR_FILE
    if path.exists():
        kept: dict[str, str] = json.loads(path.read_text())
        if rt.moderators.by_email(kept["email"]) is not None:
            return None
    if rt.moderators.by_email(DEMO_MODERATOR_EMAIL) is not None:  # the file was lost: a new password
        password = rt.moderators.reset_password(DEMO_MODERATOR_EMAIL)
    else:
        _, password = rt.moderators.add(DEMO_MODERATOR_EMAIL, Role.ADMIN)
    demo = {"email": DEMO_MODERATOR_EMAIL, "password": password, "url": login_url}
    write_private(path, json.dumps(demo, indent=2) + "\n")
    return demo


def _secret(path: Path) -> str:
    """A generated secret kept in a 0600 file, so restarts reuse it."""
    if not path.exists():
        write_private(path, secrets.token_urlsafe(32) + "\n")
    return path.read_text().strip()


def run_everything(host: str, port: int) -> None:
    """Everything on one machine: Redis (embedded unless REDIS_URL), the web server and a worker."""
    settings = Settings.from_env()
    data_dir = Path(settings.data_dir).resolve()
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # it holds the secrets below
    env = dict(os.environ)
    env.setdefault("COMMENTGATE_ADMIN_TOKEN", _secret(data_dir / "admin-token"))
    env.setdefault("COMMENTGATE_SECRET_KEY", _secret(data_dir / "secret-key"))
    env.setdefault("COMMENTGATE_LOG_FORMAT", "text")  # a person reads this terminal; production logs JSON

    redis_server = None
    if not settings.redis_url:
        redis_server = EmbeddedRedis(data_dir / "redis", password=_redis_password(data_dir))
        redis_server.start()
        env["REDIS_URL"] = redis_server.url
        write_private(data_dir / REDIS_URL_FILE, redis_server.url + "\n")
    children: list[subprocess.Popen[bytes]] = []
    for signum in (signal.SIGINT, signal.SIGTERM):  # stop the children on `kill` as on Ctrl-C
        signal.signal(signum, _interrupt)
    try:
        rt = Runtime(Redis.from_url(env["REDIS_URL"]), Settings.from_env(env))
        api_url = f"http://{host}:{port}"
        demo = _demo_site(rt, data_dir, api_url)
        new_moderator = _demo_moderator(rt, data_dir, f"{api_url}/moderate/login")
        web_cmd = gunicorn_command(f"{host}:{port}", 2)  # the same server settings as `commentgate web`
        # Own sessions: Ctrl-C reaches only this process, which stops the children in order.
        children.append(subprocess.Popen(web_cmd, env=env, start_new_session=True))
        children.append(subprocess.Popen([sys.executable, "-m", "service", "worker"], env=env, start_new_session=True))
        click.echo(f"\ncommentgate is running at {api_url}")
        # The URL carries the password: say where it is rather than print it.
        redis_at = data_dir / REDIS_URL_FILE if redis_server else "REDIS_URL"
        click.echo(f"  redis:   URL in {redis_at} (data in {data_dir})")
        click.echo(f"  demo site: {demo['site_id']}  key: {demo['key']}  (also in {data_dir / 'demo-site.json'})")
        moderator_file = data_dir / DEMO_MODERATOR_FILE
        if new_moderator:  # shown once; afterwards only the 0600 file holds the password
            click.echo(f"  moderate at {new_moderator['url']}")
            click.echo(f"    e-mail: {new_moderator['email']}  password: {new_moderator['password']}")
            click.echo(f"    (shown only now; also in {moderator_file})")
        else:
            click.echo(f"  moderate at {api_url}/moderate/login  (demo admin's login in {moderator_file})")
        click.echo("  Ctrl-C stops everything.\n")
        while all(c.poll() is None for c in children):
            time.sleep(0.5)
        raise click.ClickException("a child process exited; stopping")
    except KeyboardInterrupt:
        click.echo("\nstopping…")
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(20)
            except subprocess.TimeoutExpired:
                child.kill()
        if redis_server is not None:
            redis_server.stop()
            (data_dir / REDIS_URL_FILE).unlink(missing_ok=True)
