"""Profanity benchmark: agreement with better-profanity on every text of both sets, and speed.

    python bench/bench_profanity.py

Agreement: better-profanity's `contains_profanity` against our matcher with additions off, on every
Davidson tweet and YouTube comment (HTML decoded, as the service receives text), across processes.
Then, with additions on, the texts where an addition found what the reference did not, by kind.
Speed: on the median text better-profanity and ours alternate in the same process, so the ratio
holds on a busy machine; on 60,000-character comments ours are timed first, before better-profanity's
half-minute runs, which leave this machine slower for a while (the calibration printed beside).
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable

try:
    from bench import profanity_data as data
except ImportError:  # run as a file
    import profanity_data as data  # type: ignore[no-redef]

from workers.profanity import Matcher, default_words, matcher_for


def agreement() -> None:
    texts = [t for t, _ in data.davidson()] + [t for _, t, _ in data.youtube()]
    started = time.perf_counter()
    reference = data.reference_verdicts(texts)
    ours = Matcher(default_words(), additions=False)
    disagree = [t for t in texts if ours.contains(t) != reference[t]]
    print(f"\nagreement with better-profanity (additions off), {len(texts)} texts (Davidson + YouTube):")
    print(f"  agree on {len(texts) - len(disagree)} of {len(texts)}; disagree on {len(disagree)}")
    for t in disagree[:10]:
        print(f"    differs: {t[:100]!r}")
    print(f"  (better-profanity's verdicts: {time.perf_counter() - started:.0f} s, cached in var/bench)")
    added = matcher_for()
    kinds: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for t in texts:
        extra = [m for m in added.find(t) if m.via != "reference"]
        for kind in {m.via for m in extra}:
            kinds[kind] += 1
            examples.setdefault(kind, f"{extra[0].text!r} in {t[:60]!r}")
    print("  with additions on, texts with extra hits, by kind:")
    for kind, n in kinds.most_common():
        print(f"    {kind:<10} {n:5}   e.g. {examples[kind]}")


def _alternate(
    reference: Callable[[], object], ours: Callable[[], object], rounds: int, loops: int
) -> tuple[float, float]:
    """Median time of each, measured in alternating rounds so both see the same machine."""
    ref_times, our_times = [], []
    for _ in range(rounds):
        t = time.perf_counter()
        reference()
        ref_times.append(time.perf_counter() - t)
        t = time.perf_counter()
        for _ in range(loops):
            ours()
        our_times.append((time.perf_counter() - t) / loops)
    return statistics.median(ref_times), statistics.median(our_times)


VERDICT, MATCHES = "verdict, additions off", "matches with offsets, tiers, additions"


def median_text() -> str:
    """The Davidson tweet of median length."""
    tweets = sorted((t for t, _ in data.davidson()), key=len)
    return tweets[len(tweets) // 2]


def median_text_speed(reference: object, text: str, rounds: int = 15) -> dict[str, tuple[float, float]]:
    """Seconds per call on `text`: (better-profanity's verdict, ours), for our verdict and our full matches."""
    plain = Matcher(default_words(), additions=False)
    full = matcher_for()
    contains = reference.contains_profanity  # type: ignore[attr-defined]
    return {
        label: _alternate(lambda: contains(text), ours, rounds, 300)
        for label, ours in ((VERDICT, lambda: plain.contains(text)), (MATCHES, lambda: full.find(text)))
    }


def compile_seconds() -> tuple[float, float]:
    """Seconds to compile the default matcher in a new process, and another site's in a warm one."""
    code = "import time; t=time.perf_counter(); from workers.profanity import matcher_for; matcher_for(); "
    code += "print(time.perf_counter()-t)"
    cold = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    tiers = matcher_for().tiers
    warm = min(_time(lambda: Matcher(tiers)) for _ in range(5))
    return float(cold), warm


def speed() -> None:
    from better_profanity import Profanity

    reference = Profanity()
    plain = Matcher(default_words(), additions=False)
    full = matcher_for()
    tweets = sorted((t for t, _ in data.davidson()), key=len)
    median = tweets[len(tweets) // 2]
    print("speed (median of alternating rounds; this machine is shared, so read the ratios):")
    print(f"  median Davidson text, {len(median)} characters:")
    for label, (r, o) in median_text_speed(reference, median).items():
        print(f"    better-profanity {r * 1e3:6.2f} ms   ours, {label:<40} {o * 1e6:6.1f} us  {r / o:6.0f}x")
    cold, warm = compile_seconds()
    print(
        f"  compile: {cold * 1e3:.0f} ms in a new process (list, tiers, look-alike table, index, trie regex); "
        f"{warm * 1e3:.0f} ms for another site's policy"
    )

    # Ours first, all of them: better-profanity's runs of half a minute each leave this machine's
    # CPU slower for a while after (sum(range(100_000)) measured 1.9 ms before one, 2.9 ms after).
    clean = sorted((t for t, c in data.davidson() if c == 2), key=len)
    texts = {
        "Davidson tweets, 'neither' class only, ASCII: hits thinly spread": _long(clean, ascii_only=True),
        "Davidson tweets as they come (emoji, entities decoded): hits dense": _long(tweets, ascii_only=False),
        "Davidson tweets, ASCII only: hits dense": _long(tweets, ascii_only=True),
        "Russian prose (another script, read as written)": _long([RUSSIAN] * 300, ascii_only=False),
    }
    calibration = _calibration()
    ours = {
        (label, name): min(_time(lambda m=matcher, b=big: m.find(b)) for _ in range(15))
        for label, big in texts.items()
        for name, matcher in (("reference matches with offsets", plain), ("with additions and tiers", full))
    }
    print(f"  (this machine before the 60,000-character runs: sum(range(100_000)) takes {calibration * 1e3:.2f} ms)")
    for label, big in texts.items():
        t = time.perf_counter()
        reference.contains_profanity(big)
        r = time.perf_counter() - t
        print(f"  a {len(big):,}-character comment of {label}, {len(full.find(big))} matches:")
        print(f"    better-profanity {r:6.2f} s (one run)")
        for name in ("reference matches with offsets", "with additions and tiers"):
            o = ours[label, name]
            print(f"    ours, {name:<32} {o * 1e3:6.2f} ms  {r / o:6.0f}x")
    print(f"  (this machine after: sum(range(100_000)) takes {_calibration() * 1e3:.2f} ms)")
    worst_inputs()


def worst_inputs() -> None:
    """Ours alone (better-profanity takes about 30 s on each) on 60,000-character comments where every
    word is a candidate, each on a freshly compiled matcher: nothing remembered from an earlier run."""
    print("  worst inputs, ours with additions and tiers (min of 5, each on a freshly compiled matcher):")
    for label, seconds in worst_input_seconds(worst_cases()).items():
        print(f"    {label:<52} {seconds * 1e3:6.1f} ms")


def worst_cases() -> dict[str, str]:
    """60,000-character comments where every word is a candidate."""
    rng = random.Random(20251130)
    letters = "abcdefghijklmnopqrstuvwxyz"
    return {
        "one word repeated (fuck)": "fuck " * 12_000,
        "an accented word repeated (fück)": "fück " * 12_000,
        "single letters between dots repeated (f.u.c.k)": "f.u.c.k " * 7_500,
        "single letters between stars repeated (f*u*c*k)": "f*u*c*k " * 7_500,
        "random single letters between stars, one chain": "*".join(rng.choice(letters) for _ in range(30_000)),
        "random single letters between spaces": " ".join(rng.choice(letters) for _ in range(30_000)),
    }


def worst_input_seconds(cases: dict[str, str], tries: int = 5) -> dict[str, float]:
    """Each case's best time of `tries` (its first 60,000 characters), each on a freshly compiled matcher."""
    tiers = matcher_for().tiers
    best = {}
    for label, text in cases.items():
        times = []
        for _ in range(tries):
            fresh = Matcher(tiers)
            times.append(_time(lambda m=fresh, t=text[:60_000]: m.find(t)))
        best[label] = min(times)
    return best


# A paragraph of plain Russian news prose, repeated: a long comment in another script.
RUSSIAN = (
    "В этом году правительство предложило создать новый международный орган по искусственному "
    "интеллекту. Эксперты обсуждают риски и возможности, а читатели спорят в комментариях: одни "
    "считают, что закон нужен срочно, другие просят не торопиться и выслушать учёных."
)


def _calibration() -> float:
    """A fixed piece of pure-Python work, timed now: how fast this shared machine is at the moment."""
    return min(_time(lambda: sum(range(100_000))) for _ in range(9))


def _long(tweets: list[str], ascii_only: bool, size: int = 60_000) -> str:
    parts, total = [], 0
    for t in tweets[:: max(1, len(tweets) // 2000)]:
        if ascii_only:
            t = t.encode("ascii", "ignore").decode()
        parts.append(t)
        total += len(t) + 1
        if total >= size:
            break
    return "\n".join(parts)[:size]


def _time(f: Callable[[], object]) -> float:
    t = time.perf_counter()
    f()
    return time.perf_counter() - t


if __name__ == "__main__":
    # Speed first: the agreement runs better-profanity on every text, minutes on both cores, after
    # which this machine's CPU runs slower for a while.
    speed()
    agreement()
