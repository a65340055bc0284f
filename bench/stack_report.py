"""BENCHMARKS.md: the stack table with the machine it ran on, the calibration, and how each row is measured."""

from __future__ import annotations

from bench.stack_table import Row, markdown

HOW_MEASURED = """\
## How each row is measured

**Ingest.** `commentgate web` is the production command line (`service.web_server.gunicorn_command`:
2 gevent workers, the same keep-alive, timeout and logger); the ceiling is `bench/bare_app.py`, a
Flask app that parses the JSON body and answers 202, served by that same command line. Saturation:
Debian's `wrk` (2 threads, 32 connections) with `bench/bench_web.py`'s script, each request a distinct
comment (its own author e-mail and client IP). Then `bench/fixed_rate.py`, in its own process, offers
half of our saturated rate to both apps over 32 kept-alive connections; each request's latency runs
from when it was *due* on the fixed schedule, so a backlog counts against the server (no coordinated
omission). The load generators' CPU share is their user + system time over the run's wall time;
the server's CPU per request is its gunicorn workers' user + system time (`/proc/<pid>/stat`) over the
requests wrk completed.
Limits: flood control stays at its default (15 s per IP and per e-mail), which distinct IPs and
e-mails never trip; the site's token bucket and queued cap are off in its policy, and
`bench/live_stack.py`'s `BENCH_ENV` lifts the operator's ceilings on them
(`COMMENTGATE_CEILING_SUBMIT_BURST`, `…_SUBMIT_RATE_PER_SECOND`, `…_MAX_QUEUED_COMMENTS` = 0). No worker
runs during ingest.

**Pipeline.** N comments are submitted in-process through the submission path the API calls
(`workers.submission.submit`: admission, then the comment and its moderation job in one transaction),
with real comment texts (the YouTube training files, numbered so the duplicate rule does not cut them
short), each from its own reader and IP. One worker process drains them in burst mode
(`bench/stack_worker.py`: `workers.worker.run_worker`, as `commentgate worker` runs, scheduler and
sweeper included) with the worker class named; the ceiling is RQ's own `rq worker --burst` with the same
class draining no-op jobs (`bench/noop_job.py`; as many as ours with the forking class, 2,000 with
`SimpleWorker`) on the same server and queue name. Rates come from the
jobs' own start and end times, so start-up and exit are not counted. Forking's cost per job is
1/(forking rate) - 1/(SimpleWorker rate), for ours and for RQ's no-op.

**Profile.** The same comments (and no-ops) drained by an in-process `SimpleWorker` under cProfile.
Commands per job: the server's `INFO commandstats` delta over N; round trips: redis-py's
`send_packed_command` calls (one per command, one per pipeline) over N. Stages are cumulative times:
Redis I/O = sending and reading replies; checks = `workers.pipeline.decide`; serialisation = pickle,
json and zlib; the rest is RQ's bookkeeping and our store code. The profiler slows Python code more than
waiting on the socket, so read the stages as shares of the job, not as its real duration.

**End to end.** `commentgate web` (2 processes) and 2 `commentgate worker` processes, started as
`bench/live_stack.py` starts them, once with each worker class (`COMMENTGATE_WORKER_CLASS`; the target
is judged on the shipped one); `bench/fixed_rate.py` offers 100 comments/s and meanwhile follows the
site's events feed (`GET /api/v1/sites/{site}/events`, polled back to back, 5 ms apart when empty). A
comment's time runs from when it was due to when its decision first shows in the feed; the ceiling
column is when its 202 came back. Comments not decided within 20 s of the last submission count as
slower than any decided one. Flood control and limits as for ingest.

**Memory.** VmRSS from `/proc`. Web: the larger of the two gunicorn worker processes once 1,000,
5,000 and 10,000 submissions were stored during the ingest runs (wrk goes on after the latency run
until 10,000 are stored, for a minute at most); the ceiling is the bare app's worker after its runs.
Worker: the worker process during its pipeline drain, once a tenth, half and all of its comments were
done; the ceiling is RQ's worker after its no-ops. A forking worker's parent runs no job; its work
horses are sampled every 5 ms and the largest is shown (RSS counts pages shared with the parent).
"Flat" is at most 10% growth from the first mark to the last.

**Profanity.** `bench/bench_profanity.py`'s own functions: on the median-length Davidson tweet our
matcher and better-profanity alternate in the same process (median of rounds); compile times in a new
process and for another site's policy; the slowest of its six worst-case 60,000-character comments,
each on a freshly compiled matcher. `python bench/bench_profanity.py` prints the full set.
"""


def report(rows: list[Row], when: str, machine: str, calibration: tuple[float, float], minutes: float) -> str:
    """The whole file."""
    before, after = calibration
    return "\n".join(
        [
            "# Benchmarks",
            "",
            "Generated by `make bench` (`python -m bench.bench_stack`); do not edit by hand: run it again.",
            "",
            f"- **Run:** {when}, {minutes:.1f} minutes.",
            f"- **Machine:** {machine}.",
            f"- **Calibration:** a fixed pure-Python loop ran {before:,.0f} iterations/s before the run and "
            f"{after:,.0f} after (`bench/machine.py`); compare runs on other machines through it.",
            "- **Ratio** is ours over the ceiling measured in the same run: for a rate, the share of the "
            "ceiling reached; for a time or a size, how many times the ceiling's. **Targets** are the "
            "issue's, judged by the script.",
            "",
            markdown(rows),
            "",
            HOW_MEASURED,
        ]
    )
