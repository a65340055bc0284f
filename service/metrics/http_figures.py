"""HTTP requests and their latency, counted in the web process that served them (prometheus-client).

Under gunicorn (`commentgate web`, `commentgate run`) PROMETHEUS_MULTIPROC_DIR is set before any worker
process starts (service/gunicorn_conf.py), so prometheus-client keeps each process's values in an mmap
file there and a scrape sums every process's files, whichever process answers it. Without it (the Flask
test client, a plain `flask run`) the figures live in this app's own registry.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from flask import Flask, Response, current_app, g, request, request_finished, request_started
from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# A client may send any method token; anything else is one label value, so it cannot add series.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
NO_ROUTE = "none"  # the route label of a request no rule matched (404): never the raw path
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


@dataclass(frozen=True)
class HttpFigures:
    """This app's HTTP metrics and the registry a scrape collects them from."""

    requests: Counter
    latency: Histogram
    registry: CollectorRegistry
    multiprocess: bool


def make_http_figures() -> HttpFigures:
    """The HTTP metrics, in multiprocess mode when gunicorn gave this process a metrics directory."""
    # Multiprocess mode has no `_created` series; without them here too, both modes export the same names.
    disable_created_metrics()
    registry = CollectorRegistry()
    multiprocess = bool(os.environ.get(MULTIPROC_ENV))
    if multiprocess:
        # The values are in the directory's files: the collector reads them all at each scrape, so the
        # metric objects themselves are registered nowhere (they would be counted twice).
        MultiProcessCollector(registry)
    own = None if multiprocess else registry
    requests = Counter(
        "commentgate_http_requests",
        "HTTP requests answered, by route template, method and status.",
        ("route", "method", "status"),
        registry=own,
    )
    latency = Histogram(
        "commentgate_http_request_duration_seconds",
        "Seconds from a request's dispatch to its response, by route template and method.",
        ("route", "method"),
        registry=own,
        buckets=LATENCY_BUCKETS,
    )
    return HttpFigures(requests, latency, registry, multiprocess)


def _started(sender: Flask, **_: object) -> None:
    g.metrics_started = time.perf_counter()


def _finished(sender: Flask, response: Response, **_: object) -> None:
    figures: HttpFigures = current_app.extensions["http_figures"]
    route = request.url_rule.rule if request.url_rule is not None else NO_ROUTE
    method = request.method if request.method in KNOWN_METHODS else "other"
    figures.requests.labels(route, method, str(response.status_code)).inc()
    started = g.get("metrics_started")
    if started is not None:
        figures.latency.labels(route, method).observe(time.perf_counter() - started)


def init_app(app: Flask) -> None:
    """Count every request this app answers (404s and 500s too: the signals fire for them)."""
    app.extensions["http_figures"] = make_http_figures()
    request_started.connect(_started, app)
    request_finished.connect(_finished, app)
