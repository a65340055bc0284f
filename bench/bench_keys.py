"""Key matching benchmark: the largest allowed key list against a long comment, old regex vs automaton.

    python bench/bench_keys.py

A forking worker compiles a site's key list again in every work horse, so each figure is compile
plus match, from nothing, as one comment costs; the median of a few runs. "old" is the regex the
service used before: one case-insensitive alternation of every key between Unicode word
boundaries. "new" is workers/key_matcher.py. Both find the same matches (checked here, and on
generated inputs by tests/test_key_matching.py).
"""

from __future__ import annotations

import random
import re
import statistics
import time
from collections.abc import Callable

from workers.key_matcher import KeyMatcher
from workers.policy import KEY_LENGTH_MAX, KEYS_MAX

COMMENT_CHARS = 65_525  # the longest body a comment may have
RUNS = 3


def old_find(keys: tuple[str, ...], text: str) -> list[tuple[str, int, int]]:
    cleaned = sorted({k.strip() for k in keys if k.strip()}, key=len, reverse=True)
    pattern = re.compile(rf"(?<!\w)(?:{'|'.join(re.escape(k) for k in cleaned)})(?!\w)", re.IGNORECASE)
    return [(m.group(0), m.start(), m.end()) for m in pattern.finditer(text)]


def new_find(keys: tuple[str, ...], text: str) -> list[tuple[str, int, int]]:
    return [(m.text, m.start, m.end) for m in KeyMatcher(keys).find(text)]


def word(rng: random.Random) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 10)))


def spam_keys(rng: random.Random, count: int) -> tuple[str, ...]:
    """Words, phrases and domains, as a WordPress disallowed list has them."""
    keys: set[str] = set()
    while len(keys) < count:
        kind = rng.random()
        if kind < 0.6:
            keys.add(word(rng))
        elif kind < 0.85:
            keys.add(f"{word(rng)} {word(rng)}")
        else:
            keys.add(f"{word(rng)}.{rng.choice(['com', 'net', 'ru'])}")
    return tuple(sorted(keys))


def comment(rng: random.Random, keys: tuple[str, ...], hits: int) -> str:
    words = [word(rng) for _ in range(COMMENT_CHARS // 7)]
    for i in rng.sample(range(len(words)), hits):
        words[i] = rng.choice(keys).upper()
    return " ".join(words)[:COMMENT_CHARS]


def timed(
    find: Callable[[tuple[str, ...], str], list[tuple[str, int, int]]], keys: tuple[str, ...], text: str
) -> float:
    runs = []
    for _ in range(RUNS):
        started = time.perf_counter()
        find(keys, text)
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def row(name: str, keys: tuple[str, ...], text: str) -> None:
    assert old_find(keys, text) == new_find(keys, text), name
    old, new = timed(old_find, keys, text), timed(new_find, keys, text)
    found = len(new_find(keys, text))
    print(f"  {name:<52} {len(keys):>6} keys {found:>6} hits   old {old * 1000:>8.0f} ms   new {new * 1000:>6.0f} ms")


def main() -> None:
    rng = random.Random(7)
    print(f"\none {COMMENT_CHARS:,}-character comment, compile + match, median of {RUNS}:")
    keys = spam_keys(rng, KEYS_MAX)
    row("max list, ordinary words, a few keys in the text", keys, comment(rng, keys, 10))
    row("max list, a key in every tenth word", keys, comment(rng, keys, COMMENT_CHARS // 70))
    small = spam_keys(rng, 50)
    row("50 keys, a few in the text", small, comment(rng, small, 10))
    # The worst case for the automaton: keys that are prefixes of one another, each a whole-word
    # match at every word of the text, so every place reports every key.
    chain = tuple(" ".join(["a"] * n) for n in range(1, KEY_LENGTH_MAX // 2 + 1))
    row("worst case: 'a', 'a a', … (100 chars) on 'a a a …'", chain, ("a " * COMMENT_CHARS)[:COMMENT_CHARS])


if __name__ == "__main__":
    main()
