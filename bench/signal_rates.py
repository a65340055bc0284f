"""How often each spam signal fires on news-site comments (toxic spans' train file) and on YouTube 01-04.

Usage: python bench/signal_rates.py [--examples KIND] [--shouting-sweep]
"""

from __future__ import annotations

import argparse
import csv
from collections import Counter

try:
    from bench.common import DATA, TRAIN_FILES, youtube_rows
except ImportError:  # run as a file: python bench/signal_rates.py
    from common import DATA, TRAIN_FILES, youtube_rows  # type: ignore[no-redef]
from workers.spam_signals import KINDS, blank_links, signals

NEWS = DATA / "toxic-spans" / "tsd_train.csv"  # Civil Comments (news sites' readers); not held out


def news_rows() -> list[str]:
    with open(NEWS, newline="", encoding="utf-8") as f:
        return [row["text"] for row in csv.DictReader(f)]


def fire_counts(texts: list[str]) -> Counter[str]:
    """Comments with at least one signal of each kind."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update({s.kind for s in signals(text)})
    return counts


def shouting_sweep(sets: dict[str, list[str]]) -> None:
    """The share of comments counted as shouting at several thresholds."""
    print("\nshouting: share of cased letters in capitals (>= 8 letters)")
    print(f"{'threshold':>9} " + " ".join(f"{name:>14}" for name in sets))
    for threshold in (0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        cells = []
        for texts in sets.values():
            hits = 0
            for text in texts:
                cased = [c for c in blank_links(text) if c.isupper() or c.islower()]
                hits += len(cased) >= 8 and sum(c.isupper() for c in cased) > threshold * len(cased)
            cells.append(f"{hits:>6} ({100 * hits / len(texts):4.1f}%)")
        print(f"{threshold:>9} " + " ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", choices=KINDS, help="print the news comments where this kind fires")
    parser.add_argument("--shouting-sweep", action="store_true")
    args = parser.parse_args()
    youtube = [row for name in TRAIN_FILES for row in youtube_rows(name)]
    sets = {
        "news (tsd_train)": news_rows(),
        "YouTube spam": [text for text, label in youtube if label == "spam"],
        "YouTube ham": [text for text, label in youtube if label == "ham"],
    }
    if args.examples:
        for text in sets["news (tsd_train)"]:
            for s in signals(text):
                if s.kind == args.examples:
                    print(repr(s.text or text[:200]))
        return
    counted = {name: fire_counts(texts) for name, texts in sets.items()}
    print(f"{'kind':<12}" + "".join(f"{name + f' n={len(sets[name])}':>26}" for name in sets))
    for kind in KINDS:
        cells = [f"{counted[name][kind]:>6} ({100 * counted[name][kind] / len(sets[name]):5.2f}%)" for name in sets]
        print(f"{kind:<12}" + "".join(f"{cell:>26}" for cell in cells))
    if args.shouting_sweep:
        shouting_sweep(sets)


if __name__ == "__main__":
    main()
