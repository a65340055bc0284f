"""`commentgate status` and `commentgate requeue-failed`: the operator's picture and failed jobs, from the shell."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import click
from redis import Redis

from workers.failed_jobs import FailedJob, failed_jobs, requeue, requeue_all
from workers.ops_picture import EXIT_CODES, Picture, take_picture
from workers.queues import ALL_QUEUES
from workers.runtime import Runtime

FAILED_SHOWN = 10  # failed jobs listed per queue by `status`; the ops page and rq-dashboard show them all
# C0 and C1 control characters (and DEL), written as Python escapes: errors, site and worker names come
# from others (a webhook server's answer, a site owner), and would otherwise drive the operator's terminal.
CONTROLS = {code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0))}
# Bidi embeddings, overrides and isolates: printed, they reorder the rest of the line (a name could
# make an error read backwards, or a number appear in another column).
CONTROLS |= {code: f"\\u{code:04x}" for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def _runtime(connect_timeout: float = 2, read_timeout: float = 5) -> Runtime:
    """A runtime whose Redis gives up quickly, so an unreachable one is reported, not waited on."""
    from .cli import _settings  # the CLI's one way to find Redis (`commentgate run` or REDIS_URL)

    settings = _settings()
    connection = Redis.from_url(settings.redis_url, socket_connect_timeout=connect_timeout, socket_timeout=read_timeout)
    return Runtime(connection, settings)


def printable(text: str) -> str:
    """The text with every control character escaped, so it prints as what it is (`\\x1b[2J`), never acts."""
    return text.translate(CONTROLS)


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    """Columns padded to their widest cell (as printed, escapes included), numbers right-aligned."""
    cells = [[str(h) for h in headers], *[["-" if v is None else printable(str(v)) for v in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    numeric = [_numeric([row[i] for row in rows]) for i in range(len(headers))]
    return [
        "  ".join(
            cell.rjust(w) if num else cell.ljust(w) for cell, w, num in zip(row, widths, numeric, strict=True)
        ).rstrip()
        for row in cells
    ]


def _numeric(column: Sequence[Any]) -> bool:
    """A column of numbers, some or all of them missing ("-"), to be right-aligned."""
    return all(isinstance(v, int | float) for v in column if v is not None)


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def describe(picture: Picture, failed: Sequence[FailedJob]) -> list[str]:
    """The picture as the lines `commentgate status` prints, every control character in them escaped."""
    return [printable(line) for line in _lines(picture, failed)]


def _lines(picture: Picture, failed: Sequence[FailedJob]) -> list[str]:
    lines = [f"health: {picture.health}", *(f"  - {reason}" for reason in picture.reasons)]
    if picture.taken_at is None:
        return lines
    readiness = picture.readiness
    oldest = "none" if readiness.oldest_seconds is None else f"{readiness.oldest_seconds:.1f} s"
    lines += [
        "",
        f"ready: {'yes' if readiness.ready else 'no'} (Redis answers; {readiness.workers_alive} live worker(s);"
        f" oldest queued comment {oldest}, limit {readiness.limit_seconds} s)",
    ]
    if picture.eviction_warning:
        lines.append(f"warning: {picture.eviction_warning}")
    lines += ["", "queues"]
    lines += _table(
        ("queue", "depth", "oldest_s", "started", "failed", "scheduled", "deferred"),
        [
            (q.name, q.depth, _seconds(q.oldest_seconds), q.started, q.failed, q.scheduled, q.deferred)
            for q in picture.queues
        ],
    )
    lines += ["", "workers"]
    lines += (
        _table(
            ("name", "state", "alive", "job", "host", "pid", "heartbeat_age_s"),
            [
                (
                    w.name,
                    w.state,
                    "yes" if w.alive else "no",
                    w.current_job,
                    w.hostname,
                    w.pid,
                    _seconds(w.heartbeat_age),
                )
                for w in picture.workers
            ],
        )
        if picture.workers
        else ["  none registered"]
    )
    if picture.endpoints:
        lines += ["", "webhook endpoints"]
        lines += _table(
            ("site", "name", "url", "failing_in_a_row", "paused", "waiting"),
            [
                (e.site_id, e.site_name, e.url, e.failing_in_a_row, "yes" if e.paused else "no", e.waiting)
                for e in picture.endpoints
            ],
        )
    mix = ", ".join(f"{status} {n}" for status, n in picture.decision_mix.items()) or "none"
    lines += ["", f"decisions in the last hour: {mix}"]
    if failed:
        lines += ["", "failed jobs (requeue with `commentgate requeue-failed JOB_ID`)"]
        lines += _table(
            ("job", "queue", "ended_at", "error"),
            [
                (j.id, j.queue, j.ended_at.isoformat(timespec="seconds") if j.ended_at else None, _last_line(j))
                for j in failed
            ],
        )
    return lines


def _last_line(job: FailedJob) -> str:
    """The exception line of a traceback: what went wrong, without the whole stack.

    Split at newlines only (a traceback's lines): `splitlines` also splits at a carriage return and other
    controls, so a message could choose the line shown.
    """
    lines = [line for line in job.exc_info.strip().split("\n") if line.strip()]
    return lines[-1][:120] if lines else ""


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the picture as one JSON object.")
def status(as_json: bool) -> None:
    """Readiness, queues, workers, webhook endpoints and the decision mix; exits 0 healthy, 1 degraded, 2 down."""
    try:
        rt = _runtime()
    except click.ClickException as exc:  # no Redis to ask: as down as a Redis that does not answer
        click.echo(f"health: down\n  - {exc.message}", err=True)
        click.get_current_context().exit(EXIT_CODES["down"])
    picture = take_picture(rt)
    failed = failed_jobs(rt, limit=FAILED_SHOWN) if picture.taken_at is not None else []
    if as_json:
        click.echo(json.dumps({**picture.as_dict(), "failed_jobs": [_failed_dict(j) for j in failed]}))
    else:
        click.echo("\n".join(describe(picture, failed)))
    click.get_current_context().exit(picture.exit_code)


def _failed_dict(job: FailedJob) -> dict[str, Any]:
    return {
        "id": job.id,
        "queue": job.queue,
        "description": job.description,
        "ended_at": job.ended_at.isoformat() if job.ended_at else None,
        "error": _last_line(job),
    }


@click.command("requeue-failed")
@click.option("--all", "every", is_flag=True, help="Requeue every failed job (of --queue, or of every queue).")
@click.option("--queue", type=click.Choice(ALL_QUEUES), help="With --all: only this queue's failed jobs.")
@click.argument("job_ids", nargs=-1)
def requeue_failed(every: bool, queue: str | None, job_ids: tuple[str, ...]) -> None:
    """Put failed jobs back on their queue: the JOB_IDs given, or --all; a worker runs them again."""
    if every == bool(job_ids):
        raise click.UsageError("give the failed jobs' ids, or --all (not both)")
    if queue and not every:
        raise click.UsageError("--queue goes with --all")
    rt = _runtime()
    if every:
        click.echo(f"requeued {requeue_all(rt, queue)} failed job(s)")
        return
    missing = []
    for job_id in job_ids:
        if requeue(rt, job_id):
            click.echo(f"requeued {job_id}")
        else:
            missing.append(job_id)
    if missing:
        raise click.ClickException(f"no failed job {', '.join(missing)}; nothing done for it")
