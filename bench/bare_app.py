"""The ceiling for ingest: a trivial Flask app that parses the JSON body and answers 202, nothing else."""

from __future__ import annotations

from flask import Flask, Response, jsonify, request


def create_app() -> Flask:
    """Served by the same gunicorn command line as `commentgate web`."""
    app = Flask(__name__)

    @app.post("/api/v1/comments")
    def accept() -> tuple[Response, int]:
        request.get_json(force=True)
        return jsonify(status="queued"), 202

    return app
