"""Serve public pages from memory until the data changes.

On election night most requests are the same few public pages, asked for by people who
are not signed in. Each worker keeps the pages it has drawn, keyed by address and the
versions of what the page shows (tracker.freshness, tracker.scopes): while no write to
those has been committed the page is sent from memory after one tiny query, and answered
304 to a browser that already has it. A committed write bumps the versions of what it
changed, so the next request for a page showing it draws the page afresh: never stale.
Signed-in campaigners, and pages that write to the session (forms with CSRF tokens, flashed
messages), are never cached. Streamed downloads are kept as they are sent,
so the first download still streams and the next is served from memory.

Text that is kept is also compressed once, when it is kept, and sent gzipped to clients
that accept it: pages and feeds shrink five to ten times, for no work per request. A page
drawn before the latest write is replaced by its new drawing, so the cache holds at most
one copy of each address.

Entity tags never depend on which worker answers, whether its cache is warm, or the
encoding: the gzipped copy carries the weak form of the page's own tag (W/"X" for "X", as
nginx does), and If-None-Match is compared weakly (RFC 9110 section 13.1.2), so a reader
holding either form gets 304 from any worker while nothing changed.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable, Iterable, Iterator

from flask import Flask, Response, current_app, g, request, session
from redis import Redis
from werkzeug.http import is_resource_modified, quote_etag

from tracker import freshness
from tracker.db import database
from tracker.extensions import htmx
from tracker.freshness import committed_versions
from tracker.page_store import CLAIM_MS, Entry, PageCache, RedisPageCache
from tracker.scopes import EVERYTHING, page_scopes, scope_id

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
        "documents",
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
MAX_BODY = 4 * 1024 * 1024  # a larger page or download is drawn every time
COMPRESSIBLE: tuple[str, ...] = (
    "text/",
    "application/json",
    "application/problem+json",
    "image/svg+xml",
)
COMPRESSIBLE += ("application/atom+xml", "application/rss+xml", "application/xml")
MIN_GZIP = 1024  # below this, a body fits a packet or two anyway


def init_app(app: Flask) -> None:
    """Answer cacheable requests from the cache, and remember what they drew.

    With REDIS_URL, pages are kept in Redis under PAGE_CACHE_PREFIX, by default one named
    for the database, so sites sharing a Redis never share pages; otherwise in memory.
    """
    freshness.init_app(app)  # the cache is only as good as its count of writes
    url = app.config.get("REDIS_URL")
    prefix = app.config.get("PAGE_CACHE_PREFIX") or (
        "tracker:pages:" + hashlib.sha256(app.config["DATABASE_URL"].encode()).hexdigest()[:16]
    )
    app.extensions["tracker.page_cache"] = (
        RedisPageCache(Redis.from_url(url, socket_timeout=1.0), prefix + ":")
        if url
        else PageCache()
    )
    app.before_request(_from_cache)
    app.after_request(_remember)
    app.teardown_request(_abandon)


def _cacheable_request() -> bool:
    """Return whether this request may be answered by, and fill, the shared cache."""
    if request.method not in ("GET", "HEAD") or request.cookies.get("session"):
        return False
    return request.blueprint in CACHED_BLUEPRINTS or request.endpoint == HISTORY


def _from_cache() -> Response | None:
    """Answer from the cache (or 304) when the page is unchanged since it was drawn."""
    if not _cacheable_request():
        return None
    scopes = page_scopes(request.endpoint, request.view_args, request.args)
    version = committed_versions(database(), [EVERYTHING, *map(scope_id, scopes)])
    key = f"{request.host}\x1f{request.full_path}\x1f{bool(htmx)}"
    cache = _cache()
    entry = cache.get(key, version) or cache.claim(key, version, wait_s=CLAIM_MS / 1000)
    if entry is None:
        g.page_cache_key = (key, version)  # drawn now, kept once drawn
        return None
    encodings = request.accept_encodings  # absent, it would accept anything: send identity
    zipped = entry.gzipped is not None and encodings.provided and encodings["gzip"] > 0
    headers = [(k, v) for k, v in entry.headers if k.lower() not in ("etag", "content-length")]
    # Another encoding of the same data: the same tag, weak, so either form matches.
    headers.append(("ETag", quote_etag(entry.etag, weak=bool(zipped) or entry.weak)))
    last_modified = next((v for k, v in headers if k.lower() == "last-modified"), None)
    if not is_resource_modified(request.environ, etag=entry.etag, last_modified=last_modified):
        kept = [(k, v) for k, v in headers if k.lower() in REPEATED_ON_304]
        return Response(status=304, headers=kept)
    if zipped:
        headers.append(("Content-Encoding", "gzip"))
        return Response(entry.gzipped, status=entry.status, headers=headers)
    return Response(entry.body, status=entry.status, headers=headers)


def _remember(response: Response) -> Response:
    """Store a freshly drawn public page, and tell browsers to revalidate it."""
    drawn = g.pop("page_cache_key", None)
    if drawn is None:
        return response
    key, version = drawn
    cache = _cache()
    # Reading an empty session is the same for every visitor without one; writing to it
    # (a CSRF token, a flashed message) makes the page theirs alone.
    personal = session.modified or "Set-Cookie" in response.headers
    if response.status_code != 200 or response.direct_passthrough or personal:
        cache.release(key, version)
        return response
    if not response.get_etag()[0]:
        # Named for what the page was drawn from, so every worker names it alike; weak,
        # since two drawings of one version need only mean the same, not match bytewise.
        tag = hashlib.sha256(f"{version}{key}".encode()).hexdigest()[:32]
        response.set_etag(tag, weak=True)
    compressible = (response.mimetype or "").startswith(COMPRESSIBLE)
    _revalidate(response, compressible)
    etag, weak = response.get_etag()
    headers, status = list(response.headers.items()), response.status_code

    def keep(body: bytes | None) -> None:
        if body is None:
            cache.release(key, version)
            return
        zipped = gzip.compress(body, mtime=0) if compressible and len(body) >= MIN_GZIP else None
        cache.put(key, Entry(version, body, status, headers, etag or "", zipped, bool(weak)))

    if response.is_streamed:
        original = response.response
        response.response = _recorded(response.iter_encoded(), keep)
        close = getattr(original, "close", None)
        if close is not None:  # ends the generator (and its connection) even for HEAD
            response.call_on_close(close)
    else:
        body = response.get_data()
        keep(body if len(body) <= MAX_BODY else None)
    return response


def _abandon(_error: BaseException | None) -> None:
    """Free the claim on a page whose drawing failed, so others need not wait it out."""
    drawn = g.pop("page_cache_key", None)
    if drawn is not None:
        _cache().release(*drawn)


def _recorded(chunks: Iterable[bytes], keep: Callable[[bytes | None], None]) -> Iterator[bytes]:
    """Pass a stream through, keeping a copy if it is sent in full and is not too big.

    `keep` is given None for a stream that failed, was dropped midway or is too big.
    """
    kept: list[bytes] | None = []
    size = 0
    whole = False
    try:
        for chunk in chunks:
            yield chunk
            size += len(chunk)
            if kept is not None:
                kept.append(chunk)
                if size > MAX_BODY:
                    kept = None
        whole = True
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
        keep(b"".join(kept) if whole and kept is not None else None)


def _revalidate(response: Response, compressible: bool) -> None:
    """Let browsers keep the page, but ask every time whether it is still current."""
    if not response.cache_control.max_age:
        response.cache_control.no_cache = True
    response.vary.add("Cookie")
    if compressible:
        response.vary.add("Accept-Encoding")  # it may be sent gzipped, from the cache


def _cache() -> PageCache | RedisPageCache:
    """Return where this app keeps its pages."""
    cache: PageCache | RedisPageCache = current_app.extensions["tracker.page_cache"]
    return cache
