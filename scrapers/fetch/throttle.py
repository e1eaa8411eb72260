"""Space out requests to each host, and let tests stand in for time itself."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    """The three views of time the fetcher needs; tests pass a fake that never really sleeps."""

    def monotonic(self) -> float:
        """Return seconds on a clock that never goes backwards."""
        ...

    def now(self) -> datetime:
        """Return the current time, timezone-aware UTC."""
        ...

    def sleep(self, seconds: float) -> None:
        """Block this thread for `seconds`."""
        ...


class SystemClock:
    """Real time, for production runs."""

    def monotonic(self) -> float:
        """Return `time.monotonic()`."""
        return time.monotonic()

    def now(self) -> datetime:
        """Return the current UTC time."""
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        """Sleep for real."""
        time.sleep(seconds)


class HostThrottle:
    """Keep requests to one host at least an interval apart, whichever thread sends them.

    A caller reserves the next free slot for its host under a lock and then sleeps outside it,
    so threads working on different hosts never wait for each other and threads sharing a host
    queue up in turn.
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._last: dict[str, tuple[float, float]] = {}  # host: (last slot, its interval)

    def wait(self, host: str, interval: float) -> None:
        """Block until `interval` seconds have passed since the previous request to `host`."""
        with self._lock:
            now = self._clock.monotonic()
            previous = self._last.get(host)
            slot = now if previous is None else max(now, previous[0] + interval)
            self._last[host] = (slot, interval)
        if slot > now:
            self._clock.sleep(slot - now)

    def free_in(self, host: str) -> float:
        """Return how long a request to `host` would wait now: 0 if it could go at once."""
        with self._lock:
            previous = self._last.get(host)
            if previous is None:
                return 0.0
            slot, interval = previous
            return max(0.0, slot + interval - self._clock.monotonic())
