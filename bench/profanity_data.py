"""Data for the profanity benchmark and evaluation, and better-profanity's verdicts across processes."""

from __future__ import annotations

import csv
import hashlib
import html
import json
import os
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

try:
    from bench.common import DATA
except ImportError:  # run as a file
    from common import DATA  # type: ignore[no-redef]

CACHE = Path(__file__).resolve().parents[1] / "var" / "bench" / "better-profanity-verdicts.json"
QUIZ_POST = "6209917"  # SOURCE.md: a rater quiz with 357 judgements; left out of rater statistics


def davidson() -> list[tuple[str, int]]:
    """(tweet, class) with HTML entities decoded; class 0 hate, 1 offensive, 2 neither."""
    with open(DATA / "davidson-hate-offensive" / "labeled_data.csv", newline="", encoding="utf-8") as f:
        return [(html.unescape(r["tweet"]), int(r["class"])) for r in csv.DictReader(f)]


def youtube() -> list[tuple[str, str, bool]]:
    """(file, comment, is_spam), HTML decoded, U+FEFF stripped."""
    from workers.training import clean_text

    rows = []
    for path in sorted((DATA / "youtube-spam").glob("Youtube0*.csv")):
        with open(path, newline="", encoding="utf-8") as f:
            rows += [(path.name, clean_text(r["CONTENT"]), r["CLASS"].strip() == "1") for r in csv.DictReader(f)]
    return rows


def wiki_not_toxic() -> list[str]:
    """Held out: never used for choices. The backtick stands for a quote (SOURCE.md)."""
    path = DATA / "wiki-toxicity" / "toxicity_nonfuzzed_testset.csv"
    with open(path, newline="", encoding="utf-8") as f:
        return [r["comment"].replace("`", '"') for r in csv.DictReader(f) if r["toxic"] == "False"]


@dataclass(frozen=True)
class RatedPost:
    comment_id: str
    text: str
    spans: list[tuple[int, int]]  # Profane/Obscene character runs marked by two or more raters
    in_test_split: bool  # the post is in tsd_test.csv: reported apart, never used for choices


def toxic_spans_profane() -> list[RatedPost]:
    """Posts with at least one Profane/Obscene span agreed by two or more raters."""
    raw = DATA / "toxic-spans" / "raw"
    with open(raw / "comments.csv", newline="", encoding="utf-8") as f:
        texts = {r["comment_id"]: r["comment_text"] for r in csv.DictReader(f)}
    with open(raw / "annotations.csv", newline="", encoding="utf-8") as f:
        annotation_post = {r["annotation"]: r["comment_id"] for r in csv.DictReader(f)}
    marked: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    with open(raw / "spans.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["type"] != "Profane/Obscene":
                continue
            post = annotation_post[r["annotation"]]
            if post == QUIZ_POST:
                continue
            end = min(int(r["end"]), len(texts[post]))  # 94 spans run past the text: clip
            for i in range(int(r["start"]), end):
                marked[post][i].add(r["annotation"])
    with open(DATA / "toxic-spans" / "tsd_test.csv", newline="", encoding="utf-8") as f:
        test_texts = {r["text"] for r in csv.DictReader(f)}
    posts = []
    for post, chars in marked.items():
        agreed = sorted(i for i, raters in chars.items() if len(raters) >= 2)
        runs: list[tuple[int, int]] = []
        for i in agreed:
            if runs and runs[-1][1] == i:
                runs[-1] = (runs[-1][0], i + 1)
            else:
                runs.append((i, i + 1))
        if runs:
            posts.append(RatedPost(post, texts[post], runs, texts[post] in test_texts))
    return sorted(posts, key=lambda p: p.comment_id)


def _verdicts(texts: list[str]) -> list[bool]:
    from better_profanity import Profanity

    reference = Profanity()
    return [reference.contains_profanity(t) for t in texts]


def reference_verdicts(texts: Iterable[str]) -> dict[str, bool]:
    """better-profanity's verdict for each text, computed across processes and kept in var/bench."""
    cache: dict[str, bool] = json.loads(CACHE.read_text()) if CACHE.exists() else {}
    todo = sorted({t for t in texts if _key(t) not in cache})
    if todo:
        workers = os.cpu_count() or 1
        chunks = [todo[i :: workers * 8] for i in range(workers * 8)]
        with ProcessPoolExecutor(workers) as pool:
            for chunk, verdicts in zip(chunks, pool.map(_verdicts, chunks), strict=True):
                cache.update({_key(t): v for t, v in zip(chunk, verdicts, strict=True)})
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        CACHE.write_text(json.dumps(cache))
    return {t: cache[_key(t)] for t in texts}


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()
