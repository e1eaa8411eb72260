"""Serve public pages from memory until the data changes.

On election night most requests are the same few public pages, asked for by people who
are not signed in. Each worker keeps the pages it has drawn, keyed by address and the
data version (tracker.freshness): while no write has been committed the page is sent
from memory after one tiny query, and answered 304 to a browser that already has it.
Any committed write bumps the version, so the next request draws the page afresh:
never stale. Signed-in campaigners, and pages that write to the session (forms with CSRF
tokens, flashed messages), are never cached. Streamed downloads are kept as they are sent,
so the first download still streams and the next is served from memory.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from flask import Flask, Response, current_app, g, request, session
from werkzeug.http import is_resource_modified

from tracker.db import database
from tracker.extensions import htmx
from tracker.freshness import committed_version

CACHED_BLUEPRINTS = frozenset(
    {
        "pages",
        "recommendations",
        "authorities",
        "candidates",
        "parties",
        "scorecards",
        "badges",
        "feeds",
        "api",
        "downloads",
    }
)
HISTORY = "pledges.history"
# What a 304 repeats of the full answer (RFC 9110 section 15.4.5), plus CORS for scripts.
REPEATED_ON_304 = frozenset(
    {
        "etag",
        "cache-control",
        "vary",
        "last-modified",
        "expires",
        "access-control-allow-origin",
        "access-control-expose-headers",
    }
)
MAX_BYTES = 64 * 1024 * 1024  # per worker
MAX_BODY = 4 * 1024 * 1024  # a larger page or download is drawn every time


@dataclass(frozen=True)
class Entry:
    """A drawn page: its bytes, status, headers and entity tag."""

    body: bytes
    status: int
    headers: list[tuple[str, str]]
    etag: str


class PageCache:
    """An LRU of drawn pages within a byte budget, safe to share between a worker's threads."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.size = 0  # bytes of the bodies held
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Entry | None:
        """Return the page stored under `key`, marking it recently used."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def clear(self) -> None:
        """Forget every page."""
        with self._lock:
            self._entries.clear()
            self.size = 0

    def put(self, key: str, entry: Entry) -> None:
        """Store a page, forgetting the least recently used until it fits the budget."""
        with self._lock:
            replaced = self._entries.pop(key, None)
            self.size -= len(replaced.body) if replaced else 0
            self._entries[key] = entry
            self.size += len(entry.body)
            while self.size > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self.size -= len(dropped.body)


def init_app(app: Flask) -> None:
    """Answer cacheable requests from the cache, and remember what they drew."""
    app.extensions["tracker.page_cache"] = PageCache()
    app.before_request(_from_cache)
    app.after_request(_remember)


def _cacheable_request() -> bool:
    """Return whether this request may be answered by, and fill, the shared cache."""
    if request.method not in ("GET", "HEAD") or request.cookies.get("session"):
        return False
    return request.blueprint in CACHED_BLUEPRINTS or request.endpoint == HISTORY


def _from_cache() -> Response | None:
    """Answer from the cache (or 304) when the page is unchanged since it was drawn."""
    if not _cacheable_request():
        return None
    version = committed_version(database())
    key = f"{version}\x1f{request.host}\x1f{request.full_path}\x1f{bool(htmx)}"
    g.page_cache_key = key
    entry = _cache().get(key)
    if entry is None:
        return None
    last_modified = next((v for k, v in entry.headers if k.lower() == "last-modified"), None)
    if not is_resource_modified(request.environ, etag=entry.etag, last_modified=last_modified):
        kept = [(k, v) for k, v in entry.headers if k.lower() in REPEATED_ON_304]
        return Response(status=304, headers=kept)
    return Response(entry.body, status=entry.status, headers=entry.headers)


def _remember(response: Response) -> Response:
    """Store a freshly drawn public page, and tell browsers to revalidate it."""
    key = g.pop("page_cache_key", None)
    if key is None or response.status_code != 200 or response.direct_passthrough:
        return response
    # Reading an empty session is the same for every visitor without one; writing to it
    # (a CSRF token, a flashed message) makes the page theirs alone.
    if session.modified or "Set-Cookie" in response.headers:
        return response
    if not response.get_etag()[0]:
        response.set_etag(hashlib.sha256(key.encode()).hexdigest()[:32])
    _revalidate(response)
    cache, etag = _cache(), response.get_etag()[0] or ""
    headers, status = list(response.headers.items()), response.status_code

    def keep(body: bytes) -> None:
        cache.put(key, Entry(body, status, headers, etag))

    if response.is_streamed:
        response.response = _recorded(response.iter_encoded(), keep)
    elif len(body := response.get_data()) <= MAX_BODY:
        keep(body)
    return response


def _recorded(chunks: Iterable[bytes], keep: Callable[[bytes], None]) -> Iterator[bytes]:
    """Pass a stream through, keeping a copy if it is sent in full and is not too big."""
    kept: list[bytes] | None = []
    size = 0
    try:
        for chunk in chunks:
            yield chunk
            size += len(chunk)
            if kept is not None:
                kept.append(chunk)
                if size > MAX_BODY:
                    kept = None
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    if kept is not None:
        keep(b"".join(kept))


def _revalidate(response: Response) -> None:
    """Let browsers keep the page, but ask every time whether it is still current."""
    if not response.cache_control.max_age:
        response.cache_control.no_cache = True
    response.vary.add("Cookie")


def _cache() -> PageCache:
    """Return this worker's cache."""
    cache: PageCache = current_app.extensions["tracker.page_cache"]
    return cache
