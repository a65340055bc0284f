"""gunicorn's logger class (`--logger-class`): its lines and the app's in the format COMMENTGATE_LOG_FORMAT names."""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from workers.config import Settings
from workers.logs import configure_logging, restyle


class GunicornLogger(Logger):
    """gunicorn's own logger, with its handlers re-formatted, and the root logger (the app's) set up the same way.

    gunicorn calls `setup` in the master at start and on reload, before it forks the workers, so each
    worker inherits the root logger's handler: the app never configures logging itself.
    """

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        log_format = Settings.from_env().log_format
        configure_logging(log_format)
        restyle(self.error_log, log_format)
        restyle(self.access_log, log_format)
