"""Settings from the environment (COMMENTGATE_* and REDIS_URL), read by entry points, never at import."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields


def _ints(raw: str) -> tuple[int, ...]:
    return tuple(int(x) for x in raw.replace(" ", "").split(",") if x)


def _bool(raw: str) -> bool:
    return raw.strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    """Every setting, its default, and the environment variable that sets it (docs/configuration.md)."""

    redis_url: str = ""
    key_prefix: str = "cg"
    allow_private_webhooks: bool = False
    moderation_timeout: int = 30
    moderation_retries: tuple[int, ...] = (2, 10, 30)
    webhook_timeout: int = 10
    webhook_retries: tuple[int, ...] = (10, 60, 300, 1800, 7200)
    # After this many failed tries in a row a site's endpoint is paused until resumed; 0 never pauses.
    webhook_pause_after: int = 10
    # `fork` (RQ's Worker: a work horse per job) or `simple` (RQ's SimpleWorker): docs/operations.md, "Worker class".
    worker_class: str = "fork"
    # A worker exits after this many jobs (0 = never), for a supervisor to start afresh: what bounds a slow leak.
    worker_max_jobs: int = 0
    worker_ttl: int = 30
    maintenance_interval: int = 30
    job_monitoring_interval: int = 10
    sweep_every: int = 30
    # /readyz fails while the oldest queued comment has waited this many seconds (docs/operations.md).
    ready_queue_age: int = 60
    # Submissions get 503 while the oldest queued comment has waited this many seconds; 0 = off
    # (docs/operations.md, "Backpressure").
    backpressure_queue_age: int = 300
    sweep_after: int = 90
    idempotency_seconds: int = 86400
    # Retention (docs/operations.md, "Retention"); 0 turns a bound off.
    events_keep_count: int = 100_000
    events_keep_seconds: int = 30 * 86400
    rejected_keep_seconds: int = 30 * 86400
    audit_keep_entries: int = 100
    audit_log_keep_count: int = 1_000_000
    audit_log_keep_seconds: int = 365 * 86400
    delivered_keep_seconds: int = 7 * 86400
    failed_delivery_keep_seconds: int = 30 * 86400
    # Operator ceilings on what a site's policy may allow (docs/operations.md, "Configuration");
    # a site can only lower them, so one site key cannot fill the queue every site shares. 0 = no ceiling.
    ceiling_submit_burst: int = 500
    ceiling_submit_rate_per_second: float = 10.0
    ceiling_max_queued_comments: int = 2000
    admin_token: str = ""
    # Bearer token `/metrics` asks for (docs/operations.md, "Metrics"); empty = open to whoever reaches it.
    metrics_token: str = ""
    # A web process's Redis pool (docs/operations.md, "Web server"): a request past the pool waits
    # for a free connection up to redis_pool_timeout seconds, then gets 503.
    redis_max_connections: int = 100
    redis_pool_timeout: int = 5
    # Seconds a web request may take to send its whole body (gevent workers); 0 = no deadline.
    body_timeout: int = 10
    data_dir: str = "var"
    # Moderators' web sessions (docs/operations.md, "Moderators' logins"). No default secret: without
    # one the app does not serve /moderate at all.
    secret_key: str = ""
    secure_cookies: str = "auto"  # auto | true | false: auto = Secure except plain HTTP on localhost
    session_lifetime_seconds: int = 8 * 3600
    login_max_failures_per_account_ip: int = 5
    login_max_failures_per_account: int = 50
    login_max_failures_per_ip: int = 20
    login_window_seconds: int = 15 * 60
    # Proxies in front of the web tier whose X-Forwarded-For/-Proto are believed (0: none; the client
    # IP that logins are counted by is then the connection's).
    trusted_proxies: int = 0
    # Log lines: `json` (one object a line, for a log collector) or `text` (for a terminal).
    log_format: str = "json"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """REDIS_URL, and COMMENTGATE_<FIELD> for every other field, parsed by its default's type."""
        env = os.environ if env is None else env
        values: dict[str, object] = {"redis_url": env.get("REDIS_URL", "")}
        for f in fields(cls):
            raw = env.get(f"COMMENTGATE_{f.name.upper()}")
            if f.name == "redis_url" or raw is None:
                continue
            default = f.default
            if isinstance(default, bool):
                values[f.name] = _bool(raw)
            elif isinstance(default, int):
                values[f.name] = int(raw)
            elif isinstance(default, float):
                values[f.name] = float(raw)
            elif isinstance(default, tuple):
                values[f.name] = _ints(raw)
            else:
                values[f.name] = raw
        return cls(**values)  # type: ignore[arg-type]
