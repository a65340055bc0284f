"""The per-process bundle a job needs: one Redis connection, the settings, the stores and the queues."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cached_property

from redis import Redis

from .authors import AuthorRules
from .config import Settings
from .deliveries import DeliveryStore
from .keys import Keys
from .metrics import MetricsStore
from .moderators import ModeratorStore
from .queues import Queues
from .reports import ReportStore
from .site_cache import SiteCache
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
    def moderators(self) -> ModeratorStore:
        return ModeratorStore(self.connection, self.keys)

    @cached_property
    def reports(self) -> ReportStore:
        return ReportStore(self.connection, self.keys)

    @cached_property
    def deliveries(self) -> DeliveryStore:
        return DeliveryStore(self.connection, self.keys, self.settings)

    @cached_property
    def sites(self) -> SiteStore:
        return SiteStore(self.connection, self.keys)

    @cached_property
    def site_cache(self) -> SiteCache:
        """Sites by key as this process last read them (the web's API authenticates through it)."""
        return SiteCache(self.sites)

    @cached_property
    def spam(self) -> SpamModel:
        return SpamModel(self.connection, self.keys)

    @cached_property
    def metrics(self) -> MetricsStore:
        return MetricsStore(self.keys)

    @cached_property
    def queues(self) -> Queues:
        return Queues(self.connection, self.settings)


# A context variable rather than a global: a scope sets it and puts back what was there when it ends.
# Everything that runs a job or its callbacks sees the worker's value: work horses forked from its main
# thread copy it, and SimpleWorker, a killed horse's callback and RQ's registry clean-up run in that thread.
_current: ContextVar[Runtime | None] = ContextVar("commentgate_runtime", default=None)


@contextmanager
def using_runtime(runtime: Runtime) -> Iterator[Runtime]:
    """Jobs and their callbacks run within this block (and in work horses forked in it) use `runtime`."""
    token = _current.set(runtime)
    try:
        yield runtime
    finally:
        _current.reset(token)


def runtime_for(connection: Redis) -> Runtime:
    """The runtime of the enclosing `using_runtime`, or one from the environment around the job's connection."""
    current = _current.get()
    if current is not None:
        return current
    return Runtime(connection, Settings.from_env())
