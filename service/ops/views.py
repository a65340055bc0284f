"""The ops page: health, queues, the last hour's decisions, workers, failed jobs, webhook endpoints.

Admins only. Anyone else (nobody logged in, a moderator) gets the app's plain 404, the answer to any
unknown page: the page neither redirects to the login nor says that it exists. The buttons are plain
forms (POST + the CSRF token): each action answers by redirecting back with what was done, or with an
error page that says why nothing was done.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from workers import failed_jobs
from workers.endpoint_pause import resume_endpoint
from workers.exceptions import UnknownSite
from workers.ops_picture import take_picture
from workers.runtime import Runtime

from ..extensions import runtime
from . import bp
from .chart import decision_chart

# RQ's job ids (ours are `moderate-<comment id>` and `webhook-<event id>`); anything else names no job.
JOB_ID = re.compile(r"[A-Za-z0-9_.:-]{1,128}")
HEALTH_WORDS = {
    "healthy": "Comments are flowing.",
    "degraded": "Comments flow, but something needs a look.",
    "down": "Comments are not being decided.",
}


@bp.app_template_filter("age")
def age(seconds: float | None) -> str:
    """A duration as an operator reads it at a glance: 42 s, 3 min 5 s, 2 h 10 min."""
    if seconds is None:
        return "—"
    whole = int(seconds)
    if whole < 60:
        return f"{seconds:.0f} s" if seconds >= 1 or seconds == 0 else f"{seconds:.1f} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60} s"
    return f"{whole // 3600} h {whole % 3600 // 60} min"


@bp.app_template_filter("utc")
def utc(value: datetime | float | None) -> str:
    if value is None:
        return "—"
    moment = value if isinstance(value, datetime) else datetime.fromtimestamp(value, UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@bp.get("")
def bare() -> BaseResponse:
    """/ops without its slash: our own redirect (behind the gate), not the router's, which would answer anyone."""
    return redirect(url_for("ops.ops_page"))


@bp.get("/")
def ops_page() -> str:
    """The whole picture on one screen, read with plain reads (opening it changes nothing)."""
    rt = runtime()
    picture = take_picture(rt)
    return render_template(
        "ops/page.html",
        picture=picture,
        chart=decision_chart(picture.minutes),
        failed=failed_jobs.failed_jobs(rt),
    )


def _refused(title: str, message: str, status: int) -> tuple[str, int]:
    return render_template("ops/error.html", title=title, message=message), status


def _not_failed(job_id: str) -> tuple[str, int]:
    return _refused("Not a failed job", f"{job_id} is not among the failed jobs (requeued or deleted already?).", 404)


def _job_id(job_id: str) -> str:
    if not JOB_ID.fullmatch(job_id):
        abort(404)
    return job_id


@bp.post("/failed/<job_id>/requeue")
def requeue_job(job_id: str) -> BaseResponse | tuple[str, int]:
    """Put one failed job back on its queue; a worker runs it again as if new."""
    return _on_failed_job(job_id, failed_jobs.requeue, "Requeued")


@bp.post("/failed/<job_id>/delete")
def delete_job(job_id: str) -> BaseResponse | tuple[str, int]:
    """Forget one failed job (its traceback too); nothing runs it again."""
    return _on_failed_job(job_id, failed_jobs.delete, "Deleted")


def _on_failed_job(job_id: str, act: Callable[[Runtime, str], bool], done: str) -> BaseResponse | tuple[str, int]:
    """Requeue or delete one failed job, then back to the failed list; a job that is not failed changes nothing."""
    if not act(runtime(), _job_id(job_id)):
        return _refused(
            "Not a failed job", f"{job_id} is not among the failed jobs (already requeued or deleted?).", 404
        )
    flash(f"{done} {job_id}.")
    return redirect(url_for("ops.ops_page", _anchor="failed"), 303)


@bp.post("/failed/requeue-all")
def requeue_all() -> BaseResponse | tuple[str, int]:
    """Requeue every failed job, or those of the queue the form names."""
    queue = request.form.get("queue") or None
    try:
        count = failed_jobs.requeue_all(runtime(), queue)
    except failed_jobs.UnknownQueue as exc:
        message = str(exc)
        return _refused("No such queue", f"{message[:1].upper()}{message[1:]}.", 400)
    flash(f"Requeued {count} failed job(s){f' of {queue}' if queue else ''}.")
    return redirect(url_for("ops.ops_page", _anchor="failed"), 303)


@bp.post("/endpoints/<site_id>/resume")
def resume(site_id: str) -> BaseResponse | tuple[str, int]:
    """Resume a paused webhook endpoint: what waited is delivered, oldest first."""
    rt = runtime()
    try:
        requeued = resume_endpoint(rt, site_id)
    except UnknownSite:
        return _refused("No such site", "There is no site with that id.", 404)
    flash(f"Resumed deliveries to {rt.sites.get(site_id).name}: {requeued} waiting event(s) queued.")
    return redirect(url_for("ops.ops_page", _anchor="endpoints"), 303)


@bp.context_processor
def ops_context() -> dict[str, Any]:
    return {"health_words": HEALTH_WORDS}
