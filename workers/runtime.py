"""The per-process bundle a job needs: one Redis connection, the settings, the stores and the queues."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from redis import Redis

from .authors import AuthorRules
from .config import Settings
from .deliveries import DeliveryStore
from .keys import Keys
from .queues import Queues
from .sites import SiteStore
from .spam_model import SpamModel
from .store import CommentStore


@dataclass(frozen=True)
class Runtime:
    connection: Redis
    settings: Settings

    @cached_property
    def keys(self) -> Keys:
        return Keys(self.settings.key_prefix)

    @cached_property
    def comments(self) -> CommentStore:
        return CommentStore(self.connection, self.keys, self.settings)

    @cached_property
    def authors(self) -> AuthorRules:
        return AuthorRules(self.connection, self.keys)

    @cached_property
    def deliveries(self) -> DeliveryStore:
        return DeliveryStore(self.connection, self.keys, self.settings)

    @cached_property
    def sites(self) -> SiteStore:
        return SiteStore(self.connection, self.keys)

    @cached_property
    def spam(self) -> SpamModel:
        return SpamModel(self.connection, self.keys)

    @cached_property
    def queues(self) -> Queues:
        return Queues(self.connection, self.settings)


_current: Runtime | None = None


def use_runtime(runtime: Runtime) -> None:
    """Set by the worker's entry point (and tests) so jobs share its settings."""
    global _current
    _current = runtime


def runtime_for(connection: Redis) -> Runtime:
    """The runtime set by the entry point, or one from the environment around the job's connection."""
    if _current is not None:
        return _current
    return Runtime(connection, Settings.from_env())
