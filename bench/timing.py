"""Time a benchmark job the way every benchmark here does: best of several runs."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_time(job: Callable[[], object], rounds: int) -> float:
    """Return the fastest of `rounds` timed runs in seconds, the least noisy estimate."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return min(times)
