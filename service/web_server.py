"""The one gunicorn command line, shared by `commentgate web` (production) and `commentgate run` (`make run`)."""

from __future__ import annotations

import sys
from pathlib import Path

# gevent: each connection is a greenlet, so a client that sends half a request and waits holds
# a few KB, not a process (sync) or a thread (gthread); docs/operations.md has the measurements.
WORKER_CLASS = "gevent"
# Connections one worker process serves at once; past it, new ones wait in the listen backlog.
WORKER_CONNECTIONS = 1000
# gevent bounds each request's line and headers by the keep-alive time: a client that has not sent
# them within it is dropped, and an idle kept-alive connection is closed after it.
KEEPALIVE_SECONDS = 5
# A worker whose event loop is stuck this long (CPU-bound request, a blocking call) is restarted.
WORKER_TIMEOUT_SECONDS = 30
# Hooks that give the server a private PROMETHEUS_MULTIPROC_DIR (see the file); by path, not module name,
# so gunicorn's master does not import the service package to read them.
HOOKS_FILE = Path(__file__).with_name("gunicorn_conf.py")


def gunicorn_command(bind: str, workers: int) -> list[str]:
    """The argv that serves `service:create_app()` with the settings above."""
    return [
        sys.executable, "-m", "gunicorn",
        "--config", f"file:{HOOKS_FILE}",
        "--bind", bind,
        "--workers", str(workers),
        "--worker-class", WORKER_CLASS,
        "--worker-connections", str(WORKER_CONNECTIONS),
        "--keep-alive", str(KEEPALIVE_SECONDS),
        "--timeout", str(WORKER_TIMEOUT_SECONDS),
        # Gunicorn's runtime control socket (in $HOME by default) is not used; two servers would share it.
        "--no-control-socket",
        # Its lines and the app's as JSON (or text): COMMENTGATE_LOG_FORMAT, docs/operations.md "Logs".
        "--logger-class", "service.gunicorn_logging.GunicornLogger",
        "service:create_app()",
    ]  # fmt: skip
