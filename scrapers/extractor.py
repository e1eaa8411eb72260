"""Extract documents in a helper process that has no threads of its own.

`extract_isolated` forks a sandboxed child per document. Forking a process that is running
other threads is unsafe: a lock another thread holds at that moment stays held forever in
the child, which then hangs until its deadline. The scraper fetches with a pool of threads,
so it hands the bytes to this single-threaded helper (started with `spawn`, so it inherits
no threads either), and the forks happen there.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import threading
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Protocol

from scrapers.extract import DEFAULT_MEMORY_BYTES, DEFAULT_TIMEOUT_S, extract, extract_isolated
from scrapers.passages import ExtractedDocument, ExtractionError

logger = logging.getLogger(__name__)
WARM_UP_PAGE = b"<html><head><title>Warm-up</title></head><body><p>Text.</p></body></html>"


class Extracts(Protocol):
    """Anything that turns a document's bytes into passages: one helper or a pool."""

    def extract(self, body: bytes, content_type: str | None) -> ExtractedDocument:
        """Extract a document, or raise ExtractionError."""
        ...


class Extractor:
    """A helper process that extracts one document at a time; safe to share between threads."""

    def __init__(
        self, *, timeout_s: float = DEFAULT_TIMEOUT_S, memory_bytes: int = DEFAULT_MEMORY_BYTES
    ) -> None:
        self.timeout_s = timeout_s
        self.memory_bytes = memory_bytes
        self._lock = threading.Lock()
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None

    def __enter__(self) -> Extractor:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def extract(self, body: bytes, content_type: str | None) -> ExtractedDocument:
        """Extract in the helper's sandboxed child; raise ExtractionError if that fails."""
        with self._lock:
            conn = self._connection()
            try:
                conn.send((body, content_type))
                ok, result = conn.recv()
            except (EOFError, OSError) as exc:
                self._stop()  # the helper died; the next document starts a new one
                raise ExtractionError(f"the extractor stopped unexpectedly ({exc})") from exc
        if not ok:
            raise ExtractionError(str(result))
        assert isinstance(result, ExtractedDocument)  # noqa: S101 (our helper's answer)  # nosec B101
        return result

    def close(self) -> None:
        """Stop the helper process."""
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.send(None)
                except OSError:
                    logger.debug("extractor helper already gone")
            self._stop()

    def _connection(self) -> Connection:
        """Return the pipe to a running helper, starting one if needed."""
        if self._conn is None or self._process is None or not self._process.is_alive():
            self._stop()
            context = multiprocessing.get_context("spawn")
            parent, child = context.Pipe()
            self._process = context.Process(
                target=_serve,
                args=(child, self.timeout_s, self.memory_bytes),
                name="tracker-extractor",
                daemon=True,
            )
            self._process.start()
            child.close()
            self._conn = parent
        return self._conn

    def _stop(self) -> None:
        """Close the pipe and make sure the helper has exited."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._process is not None:
            self._process.join(timeout=5)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()
            self._process = None


class ExtractorPool:
    """Several helpers, so documents are extracted on every core at once.

    A scrape's fetch threads each hand their document to whichever helper is free; one
    helper would leave all but one core idle while documents queue for it.
    """

    def __init__(
        self,
        size: int,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        memory_bytes: int = DEFAULT_MEMORY_BYTES,
    ) -> None:
        self._helpers = [
            Extractor(timeout_s=timeout_s, memory_bytes=memory_bytes) for _ in range(max(1, size))
        ]
        self._free: queue.SimpleQueue[Extractor] = queue.SimpleQueue()
        for helper in self._helpers:
            self._free.put(helper)

    def __enter__(self) -> ExtractorPool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def extract(self, body: bytes, content_type: str | None) -> ExtractedDocument:
        """Extract in the next free helper, waiting for one if all are busy."""
        helper = self._free.get()
        try:
            return helper.extract(body, content_type)
        finally:
            self._free.put(helper)

    def close(self) -> None:
        """Stop every helper."""
        for helper in self._helpers:
            helper.close()


def _serve(conn: Connection, timeout_s: float, memory_bytes: int) -> None:
    """Answer extraction requests until told to stop (None) or the parent goes away."""
    _warm_up()
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        if request is None:
            return
        body, content_type = request
        try:
            doc = extract_isolated(
                body, content_type, timeout_s=timeout_s, memory_bytes=memory_bytes
            )
        except ExtractionError as exc:
            conn.send((False, str(exc)))
        else:
            conn.send((True, doc))


def _warm_up() -> None:
    """Read a tiny page of our own once, here, before any fork.

    The parsers build caches on first use (compiled patterns, parser registries); built
    in the helper, every sandboxed child inherits them instead of building its own,
    which saves about a quarter of a small web page's cost.
    """
    extract(WARM_UP_PAGE, "text/html; charset=utf-8")
    extract(WARM_UP_PAGE, "text/plain; charset=utf-8")
