"""Where drawn pages are kept: in each worker's memory, or in Redis when REDIS_URL is set.

A worker keeping its own copies draws a page once per change per worker; in Redis, shared
by every worker and machine, it is drawn once per change. A page is a Redis hash (its
versions and headers as JSON, its body, its gzipped body) under the site's prefix,
written in one MULTI so a reader never sees half of one, and kept a day at most: an
address nobody asks for again makes room. Validity is decided as in memory, by the
versions read from the database (tracker.freshness), so Redis never decides freshness
and a page from Redis is never stale.

When a page goes stale, the first worker to miss it claims it (SET NX with a short life)
and draws it; the others wait for that drawing instead of drawing it too. If Redis cannot
be reached, pages are drawn as if nothing were kept, and the trouble is logged.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass

from redis import Redis, RedisError

log = logging.getLogger(__name__)

MAX_BYTES = 64 * 1024 * 1024  # per worker, in memory
LIFETIME_S = 24 * 3600  # a page kept this long unasked for is dropped
CLAIM_MS = 2_000  # a drawing worker that died frees its claim after this long
POLL_S = 0.01  # how often a waiting worker looks for the claimed drawing


@dataclass(frozen=True)
class Entry:
    """A page drawn at some versions: its bytes (and gzipped), status, headers, entity tag."""

    version: tuple[int, ...]
    body: bytes
    status: int
    headers: list[tuple[str, str]]
    etag: str
    gzipped: bytes | None = None
    weak: bool = False  # whether the identity copy's tag is weak (the gzipped one always is)

    @property
    def size(self) -> int:
        """Return the bytes this entry holds."""
        return len(self.body) + len(self.gzipped or b"")


class PageCache:
    """An LRU of drawn pages within a byte budget, safe to share between a worker's threads."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.size = 0  # bytes of the bodies held
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, version: tuple[int, ...]) -> Entry | None:
        """Return the page stored under `key` if drawn at `version`, marking it recently used.

        A page drawn at other versions can never be sent again, so it is dropped.
        """
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.version != version:
                del self._entries[key]
                self.size -= entry.size
                return None
            self._entries.move_to_end(key)
            return entry

    def claim(self, key: str, version: tuple[int, ...], *, wait_s: float) -> Entry | None:
        """Return None: no other worker draws into this memory, so draw the page here."""
        return None

    def release(self, key: str, version: tuple[int, ...]) -> None:
        """Do nothing: a page drawn into memory was never claimed."""

    def clear(self) -> None:
        """Forget every page."""
        with self._lock:
            self._entries.clear()
            self.size = 0

    def put(self, key: str, entry: Entry) -> None:
        """Store a page, forgetting the least recently used until it fits the budget."""
        with self._lock:
            replaced = self._entries.pop(key, None)
            self.size -= replaced.size if replaced else 0
            self._entries[key] = entry
            self.size += entry.size
            while self.size > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self.size -= dropped.size


class RedisPageCache:
    """Pages in Redis under one prefix, with the interface of the in-memory PageCache."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix

    def get(self, key: str, version: tuple[int, ...]) -> Entry | None:
        """Return the page stored under `key` if drawn at `version`."""
        try:
            fields: dict[bytes, bytes] = self.redis.hgetall(self._name(key))  # type: ignore[assignment]
        except RedisError as error:
            log.warning("page cache: Redis unavailable, drawing %s: %s", key, error)
            return None
        if not fields or b"meta" not in fields:
            return None
        meta = json.loads(fields[b"meta"])
        if tuple(meta["version"]) != version:
            return None  # drawn from another state of the data; the next drawing replaces it
        return Entry(
            version,
            fields.get(b"body", b""),
            meta["status"],
            [(name, value) for name, value in meta["headers"]],
            meta["etag"],
            fields.get(b"gzipped"),
            meta["weak"],
        )

    def claim(self, key: str, version: tuple[int, ...], *, wait_s: float) -> Entry | None:
        """Return the page if another worker draws it within `wait_s`; None: draw it here.

        The claim is per version, so a drawing of an older state never holds up a newer one.
        """
        claim = self._claim(key, version)
        try:
            if self.redis.set(claim, b"1", nx=True, px=CLAIM_MS):
                return None
            for _ in _polls(wait_s):
                drawing = self.redis.exists(claim)  # before looking: put() frees it last
                if (entry := self.get(key, version)) is not None:
                    return entry
                if not drawing:  # the drawing failed or was not kept
                    return None
        except RedisError as error:
            log.warning("page cache: Redis unavailable, drawing %s: %s", key, error)
        return None

    def release(self, key: str, version: tuple[int, ...]) -> None:
        """Free the claim on a page that will not be kept (an error, a personal page)."""
        try:
            self.redis.delete(self._claim(key, version))
        except RedisError as error:
            log.warning("page cache: Redis unavailable, claim on %s left to lapse: %s", key, error)

    def put(self, key: str, entry: Entry) -> None:
        """Store a page (replacing any other drawing), and free the claim on it."""
        meta = {
            "version": list(entry.version),
            "status": entry.status,
            "headers": entry.headers,
            "etag": entry.etag,
            "weak": entry.weak,
        }
        name = self._name(key)
        fields: dict[str, bytes] = {"meta": json.dumps(meta).encode(), "body": entry.body}
        if entry.gzipped is not None:
            fields["gzipped"] = entry.gzipped
        try:
            with self.redis.pipeline(transaction=True) as pipe:
                pipe.delete(name)
                pipe.hset(name, mapping=fields)  # type: ignore[arg-type]
                pipe.expire(name, LIFETIME_S)
                pipe.delete(self._claim(key, entry.version))
                pipe.execute()
        except RedisError as error:
            log.warning("page cache: Redis unavailable, not keeping %s: %s", key, error)

    def clear(self) -> None:
        """Forget every page under this prefix."""
        names = list(self.redis.scan_iter(match=self.prefix + "*", count=500))
        for start in range(0, len(names), 500):
            self.redis.delete(*names[start : start + 500])

    def _name(self, key: str) -> str:
        """Return the Redis key of a page: addresses can be long, so they are hashed."""
        return self.prefix + _digest(key)

    def _claim(self, key: str, version: tuple[int, ...]) -> str:
        """Return the Redis key of the claim on drawing a page at `version`."""
        return self._name(key) + ":drawing:" + _digest(repr(version))


def _digest(text: str) -> str:
    """Return a short, stable digest of `text`."""
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _polls(wait_s: float) -> Iterator[None]:
    """Yield every POLL_S until `wait_s` has passed."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        time.sleep(POLL_S)
        yield None
