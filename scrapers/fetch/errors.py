"""Errors raised while fetching, so callers can tell a refusal from a failure."""

from __future__ import annotations


class FetchError(Exception):
    """Base of every fetch error; `url` is the URL (or redirect hop) it concerns."""

    verb = "could not fetch"

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(url, reason)
        self.url = url
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.verb} {self.url}: {self.reason}"


class FetchRefused(FetchError):
    """The URL was never requested: unsafe address, not http(s), or disallowed by robots.txt."""

    verb = "refused to fetch"


class FetchFailed(FetchError):
    """The request went out but gave no usable answer (timeout, too large, HTTP error)."""

    verb = "failed to fetch"

    def __init__(self, url: str, reason: str, *, status: int | None = None) -> None:
        super().__init__(url, reason)
        self.status = status
