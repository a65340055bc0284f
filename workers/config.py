"""Settings from the environment (COMMENTGATE_* and REDIS_URL), read by entry points, never at import."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


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
    worker_ttl: int = 30
    maintenance_interval: int = 30
    job_monitoring_interval: int = 10
    sweep_after: int = 300
    idempotency_seconds: int = 86400
    admin_token: str = ""
    data_dir: str = "var"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env

        def get(name: str, default: str) -> str:
            return env.get(f"COMMENTGATE_{name}", default)

        d = cls()
        return cls(
            redis_url=env.get("REDIS_URL", ""),
            key_prefix=get("KEY_PREFIX", d.key_prefix),
            allow_private_webhooks=_bool(get("ALLOW_PRIVATE_WEBHOOKS", "0")),
            moderation_timeout=int(get("MODERATION_TIMEOUT", str(d.moderation_timeout))),
            moderation_retries=_ints(get("MODERATION_RETRIES", ",".join(map(str, d.moderation_retries)))),
            webhook_timeout=int(get("WEBHOOK_TIMEOUT", str(d.webhook_timeout))),
            webhook_retries=_ints(get("WEBHOOK_RETRIES", ",".join(map(str, d.webhook_retries)))),
            worker_ttl=int(get("WORKER_TTL", str(d.worker_ttl))),
            maintenance_interval=int(get("MAINTENANCE_INTERVAL", str(d.maintenance_interval))),
            job_monitoring_interval=int(get("JOB_MONITORING_INTERVAL", str(d.job_monitoring_interval))),
            sweep_after=int(get("SWEEP_AFTER", str(d.sweep_after))),
            idempotency_seconds=int(get("IDEMPOTENCY_SECONDS", str(d.idempotency_seconds))),
            admin_token=get("ADMIN_TOKEN", ""),
            data_dir=get("DATA_DIR", d.data_dir),
        )
