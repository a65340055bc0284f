"""The review queue's reads at a real desk's scale: 10,000 held comments across 50 threads.

    python bench/bench_moderation_reads.py

Seeds a private Redis through the store's own writes (`CommentStore.add_queued`, then
`apply_transition` to `held`, exactly as a worker's decision writes them), with reasons and
evidence from the real pipeline (`workers.pipeline.decide`, premoderation on) for each distinct
body. Then times GET /api/v1/moderation/queue through the Flask app in this process (the read,
the JSON and the evidence marks; no network): the first page, a thread-filtered page, a
reason-filtered page, a text search that finds a few and one that finds nothing, and the counts.
Prints p50 / p95 in milliseconds. The target is under 300 ms each.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from typing import Any

from redis import Redis

from service import create_app
from workers.checks import CheckContext
from workers.config import Settings
from workers.embedded_redis import EmbeddedRedis
from workers.models import Author, Client, Comment, Status
from workers.moderators import Role
from workers.pipeline import decide
from workers.policy import Policy
from workers.review_queue import queue_counts
from workers.runtime import Runtime
from workers.store import new_comment_id
from workers.text import strip_bidi
from workers.transitions import apply_transition

COMMENTS, THREADS, AUTHORS, TEMPLATES = 10_000, 50, 2_000, 200
RUNS = 40
VOCABULARY = (
    "the council budget vote school road housing tax plan report minister election court police "
    "climate energy price market health hospital train bus river park library festival team season"
)
WORDS = VOCABULARY.split()
POLICY = Policy(flood_seconds=0, premoderation=True, max_links=2)


def template(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(12, 60))]
    if n % 40 == 0:
        words.insert(3, "mayor")  # what the searching moderator looks for: 1 in 40 bodies
    if n % 10 == 0:
        words += ["see", "https://a.example/x", "and", "www.b.example"]  # two links: spam.links
    if n % 25 == 0:
        words.insert(5, "shit")
    return " ".join(words).capitalize() + "."


def seed(rt: Runtime, site_id: str) -> None:
    rng = random.Random(8)
    bodies = [template(rng, n) for n in range(TEMPLATES)]
    decided = {}
    for body in bodies:
        probe = Comment("probe", site_id, "t", body, Author(), Client(), Status.QUEUED, 0.0)
        decided[body] = decide(probe, POLICY, CheckContext(body=strip_bidi(body)[0]))
    start = time.time() - COMMENTS
    for n in range(COMMENTS):
        body = bodies[n % TEMPLATES]
        decision = decided[body]
        author = n % AUTHORS
        comment = Comment(
            id=new_comment_id(),
            site_id=site_id,
            thread_id=f"2026/11/story-{n % THREADS}",
            body=f"{body} #{n}",  # after the body: the evidence's offsets stay true
            author=Author(name=f"Reader {author}", email=f"reader{author}@example.org"),
            client=Client(ip=f"198.51.100.{author % 250}"),
            status=Status.QUEUED,
            created_at=start + n,
            permalink=f"https://news.example/2026/11/story-{n % THREADS}",
        )
        with rt.connection.pipeline() as pipe:
            rt.comments.add_queued(pipe, comment)
            pipe.execute()
        apply_transition(
            rt,
            comment.id,
            expected={Status.QUEUED},
            to=Status.HELD,
            actor="pipeline",
            reasons=decision.reasons,
            event_type="comment.held",
            evidence=decision.evidence,
        )


def timed(fn: Any) -> tuple[float, float]:
    samples = []
    for _ in range(RUNS):
        began = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - began) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = EmbeddedRedis(tmp)
        server.start()
        try:
            run(server.url)
        finally:
            server.stop()


def run(url: str) -> None:
    connection = Redis.from_url(url)
    settings = Settings(redis_url=url)
    rt = Runtime(connection, settings)
    site_id = rt.sites.create("bench").site_id
    rt.sites.set_policy(site_id, POLICY)
    began = time.perf_counter()
    seed(rt, site_id)
    print(f"seeded {COMMENTS:,} held comments in {time.perf_counter() - began:.1f} s")
    moderator, _ = rt.moderators.add("desk@news.example", Role.MODERATOR, frozenset({site_id}))
    token = rt.moderators.issue_token(moderator.email)
    client = create_app({"SETTINGS": settings}).test_client()
    headers = {"Authorization": f"Bearer {token}"}

    def get(query: str, expect: int | None = None) -> Any:
        def call() -> None:
            answer = client.get(f"/api/v1/moderation/queue?{query}", headers=headers)
            assert answer.status_code == 200, answer.get_data(as_text=True)
            items = answer.get_json()["items"]
            assert expect is None or len(items) == expect, (query, len(items))

        return call

    cases = [
        ("first page (50)", get("queue=held", 50)),
        ("thread-filtered page", get("queue=held&thread=2026/11/story-7", 50)),
        ("reason-filtered page", get("queue=held&reason=spam.links", 50)),
        ("two filters intersected", get("queue=held&reason=spam.links&thread=2026/11/story-10", 50)),
        ("text search, hits", get("queue=held&q=Mayor")),
        ("text search, no hit", get("queue=held&q=zebracorn", 0)),
        ("counts", lambda: queue_counts(rt, moderator)),
    ]
    print(f"{'read':28} {'p50 ms':>8} {'p95 ms':>8}")
    for name, fn in cases:
        p50, p95 = timed(fn)
        print(f"{name:28} {p50:8.1f} {p95:8.1f}")
    hits = client.get("/api/v1/moderation/queue?queue=held&q=Mayor", headers=headers).get_json()
    miss = client.get("/api/v1/moderation/queue?queue=held&q=zebracorn", headers=headers).get_json()
    print(f"search hits: {len(hits['items'])} items, scanned_all={hits['scanned_all']}")
    print(f"search miss: scanned_all={miss['scanned_all']}, next_cursor={'yes' if miss['next_cursor'] else 'no'}")


if __name__ == "__main__":
    main()
