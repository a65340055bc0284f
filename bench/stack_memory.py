"""Resident size of processes as work goes through them: at given counts, and the peak of short-lived children."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

from bench.stack_processes import children, rss_mb


class RssAtCounts(threading.Thread):
    """Samples every `every` seconds: the largest RSS among `watched()` once `count()` reaches each mark.

    With `forks_of`, also each child of that process (a forking worker's work horses) at its largest
    seen; the child seen in most samples is the long-lived one (RQ's scheduler), not a horse.
    """

    def __init__(
        self,
        count: Callable[[], int],
        watched: Callable[[], list[int]],
        marks: tuple[int, ...],
        forks_of: int | None = None,
        every: float = 0.005,
    ) -> None:
        super().__init__(daemon=True)
        self.count, self.watched, self.marks, self.forks_of, self.every = count, watched, marks, forks_of, every
        self.at_mark: dict[int, float] = {}
        self.child_peak: dict[int, float] = {}
        self.child_seen: Counter[int] = Counter()
        self.last: float | None = None
        self._stop_sampling = threading.Event()

    def run(self) -> None:
        while not self._stop_sampling.wait(self.every):
            self.sample()

    def sample(self) -> None:
        sizes = [size for pid in self.watched() if (size := rss_mb(pid)) is not None]
        if sizes:
            self.last = max(sizes)
        if self.forks_of is not None:
            for child in children(self.forks_of):
                if (size := rss_mb(child)) is not None:
                    self.child_seen[child] += 1
                    self.child_peak[child] = max(size, self.child_peak.get(child, 0.0))
        done = self.count()
        for mark in self.marks:
            if mark not in self.at_mark and done >= mark and self.last is not None:
                self.at_mark[mark] = self.last

    def finish(self) -> None:
        """Stop sampling, after one last sample."""
        self._stop_sampling.set()
        self.join()
        self.sample()

    def largest_fork(self) -> float | None:
        """The largest work horse seen (the most-seen child, the scheduler, left out)."""
        if not self.child_seen:
            return None
        long_lived, _ = self.child_seen.most_common(1)[0]
        horses = [size for pid, size in self.child_peak.items() if pid != long_lived]
        return max(horses) if horses else None
