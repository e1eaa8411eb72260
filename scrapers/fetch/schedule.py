"""Decide which document to fetch next: one per host at a time, the host free soonest.

Politeness allows one request a second to each host, so a crawl of many councils is only
as fast as its threads are kept on hosts that may be asked now. Taken in discovery's
order (each council's documents together), every thread would sit out one host's
interval; taken in turn, a host's robots.txt would still make its first document wait.
Asking the fetcher which host is free soonest avoids both, for any mix of hosts.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")


def host_of(url: str) -> str:
    """Return the host a URL's requests are throttled under (as `scrapers.fetch.netguard`)."""
    return (urlsplit(url).hostname or "").rstrip(".")


class HostQueue(Generic[T]):
    """Work grouped by host, handed out so no host has two requests in flight.

    Each host keeps its own order; between hosts, `take` picks the idle host whose next
    request could go soonest, and among equals the one that waited longest, so hosts
    take turns. Not thread-safe: the scrape's own thread takes and releases.
    """

    def __init__(self, items: Iterable[T], url: Callable[[T], str]) -> None:
        self._url = url
        self._waiting: dict[str, deque[T]] = {}
        for item in items:
            self._waiting.setdefault(host_of(url(item)), deque()).append(item)
        self._busy: set[str] = set()

    def __bool__(self) -> bool:
        return bool(self._waiting)

    def heads(self) -> list[T]:
        """Return each host's first item, in the order hosts were listed."""
        return [queue[0] for queue in self._waiting.values()]

    def take(self, ready_in: Callable[[str], float]) -> T | None:
        """Return the next item of the idle host ready soonest, or None if every host with
        work left is busy."""
        idle = [host for host in self._waiting if host not in self._busy]
        if not idle:
            return None
        host = min(idle, key=ready_in)
        queue = self._waiting.pop(host)
        item = queue.popleft()
        if queue:
            self._waiting[host] = queue  # to the back of the line
        self._busy.add(host)
        return item

    def release(self, item: T) -> None:
        """Note that an item's request is over, so its host may be given more work."""
        self._busy.discard(host_of(self._url(item)))
