"""Extract documents in sandboxed helper processes, reused from one document to the next.

Each helper is a process of its own (started with `spawn`, so it inherits no threads and no
state), with its address space capped at MEMORY above what it needs to start; the parent
gives each document a deadline and kills a helper that overruns it. A hostile document can
therefore at worst exhaust its helper's memory, overrun the deadline or crash the helper:
each ends as an `ExtractionError` for that document alone, and a fresh helper takes the
next one. A helper that failed in any way other than refusing a document exits, and each
retires after DOCUMENTS_PER_HELPER documents, so no state or fragmentation piles up.

A helper given a matcher (`match`) also matches the document it has just read, before
answering, so the matcher runs under the same deadline and memory cap: a document that
reads cheaply but matches expensively costs its own helper, never the scrape.

Reusing a helper, rather than forking a sandboxed child per document as `extract_isolated`
does, saves the fork's 4-5 ms of CPU a document: most of a small web page's cost.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import threading
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any, Protocol, Self

from scrapers.extract.dispatch import DEFAULT_MEMORY_BYTES, DEFAULT_TIMEOUT_S, extract
from scrapers.extract.sandbox import cap_address_space
from scrapers.passages import ExtractedDocument, ExtractionError

logger = logging.getLogger(__name__)
WARM_UP_PAGE = b"<html><head><title>Warm-up</title></head><body><p>Text.</p></body></html>"
DOCUMENTS_PER_HELPER = 500
START_TIMEOUT_S = 60.0  # a helper imports the parsers and warms them up first
READY = "ready"
Reader = Callable[[bytes, "str | None"], ExtractedDocument]
# What the matching stage makes of a document (scrapers.match.scoring.match_document); the
# pool, being the extract stage, does not depend on what it returns.
Matcher = Callable[[ExtractedDocument], Sequence[Any]]
Reading = tuple[ExtractedDocument, list[Any]]  # a document and its matcher's proposals


class Reads(Protocol):
    """Anything that reads a document's bytes and matches them: one helper or a pool."""

    def read_and_match(self, body: bytes, content_type: str | None) -> Reading:
        """Extract and match a document, or raise ExtractionError."""
        ...


class _Closes:
    """A context manager that closes what it manages when the block ends."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop whatever is running."""
        raise NotImplementedError


class Extractor(_Closes):
    """A helper process that extracts one document at a time; safe to share between threads.

    `read` is the extraction itself and `match` the matcher run on each readable document,
    both named by reference so the helper can import them (tests give stand-ins that hang
    or crash).
    """

    def __init__(
        self,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        memory_bytes: int = DEFAULT_MEMORY_BYTES,
        read: Reader = extract,
        match: Matcher | None = None,
    ) -> None:
        self.timeout_s = timeout_s
        self.memory_bytes = memory_bytes
        self.read = read
        self.match = match
        self._lock = threading.Lock()
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None
        self._served = 0

    def extract(self, body: bytes, content_type: str | None) -> ExtractedDocument:
        """Extract in the helper; raise ExtractionError if the document cannot be read."""
        return self.read_and_match(body, content_type)[0]

    def read_and_match(self, body: bytes, content_type: str | None) -> Reading:
        """Extract, then match (with a matcher), in the helper within one deadline; raise
        ExtractionError if the document cannot be read or matched in time."""
        with self._lock:
            conn = self._connection()
            try:
                conn.send((body, content_type))
                answered = conn.poll(self.timeout_s)
                reply = conn.recv() if answered else None
            except (EOFError, OSError) as exc:
                self._stop(kill=True)  # the helper died; the next document starts a new one
                raise ExtractionError(f"the extractor crashed on this document ({exc})") from exc
            if reply is None:
                self._stop(kill=True)
                doing = "reading and matching" if self.match else "extraction"
                raise ExtractionError(f"{doing} timed out (over {self.timeout_s:g} s)")
            ok, result, keep = reply
            self._served += 1
            if not keep or self._served >= DOCUMENTS_PER_HELPER:
                self._stop()
        if not ok:
            raise ExtractionError(str(result))
        document, proposals = result
        assert isinstance(document, ExtractedDocument)  # noqa: S101 (our helper's answer)  # nosec B101
        return document, proposals

    def close(self) -> None:
        """Stop the helper process."""
        with self._lock:
            self._stop()

    def _connection(self) -> Connection:
        """Return the pipe to a running helper, starting one if needed."""
        if self._conn is None or self._process is None or not self._process.is_alive():
            self._stop(kill=True)
            context = multiprocessing.get_context("spawn")
            parent, child = context.Pipe()
            self._process = context.Process(
                target=_serve,
                args=(child, self.memory_bytes, self.read, self.match),
                name="tracker-extractor",
                daemon=True,
            )
            self._process.start()
            child.close()
            self._conn = parent
            self._served = 0
            if not _ready(parent):  # a document's deadline starts once its helper is up
                self._stop(kill=True)
                raise ExtractionError("the extractor could not start")
        return self._conn

    def _stop(self, *, kill: bool = False) -> None:
        """Ask the helper to exit (or kill it), close the pipe, and wait until it has gone."""
        if self._conn is not None:
            if not kill:
                try:
                    self._conn.send(None)
                except OSError:
                    logger.debug("extractor helper already gone")
            self._conn.close()
            self._conn = None
        if self._process is not None:
            if kill:
                self._process.kill()
            self._process.join(timeout=5)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()
            self._process = None


class ExtractorPool(_Closes):
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
        match: Matcher | None = None,
    ) -> None:
        self._helpers = [
            Extractor(timeout_s=timeout_s, memory_bytes=memory_bytes, match=match)
            for _ in range(max(1, size))
        ]
        self._free: queue.SimpleQueue[Extractor] = queue.SimpleQueue()
        for helper in self._helpers:
            self._free.put(helper)

    def extract(self, body: bytes, content_type: str | None) -> ExtractedDocument:
        """Extract in the next free helper, waiting for one if all are busy."""
        return self.read_and_match(body, content_type)[0]

    def read_and_match(self, body: bytes, content_type: str | None) -> Reading:
        """Extract and match in the next free helper, waiting for one if all are busy."""
        helper = self._free.get()
        try:
            return helper.read_and_match(body, content_type)
        finally:
            self._free.put(helper)

    def close(self) -> None:
        """Stop every helper."""
        for helper in self._helpers:
            helper.close()


def _ready(conn: Connection) -> bool:
    """Wait for a new helper to say it has started, warmed up and capped its memory."""
    try:
        return conn.poll(START_TIMEOUT_S) and conn.recv() == READY
    except (EOFError, OSError):
        return False


def _serve(conn: Connection, memory_bytes: int, read: Reader, match: Matcher | None) -> None:
    """Answer extraction requests until told to stop (None), the parent goes, or a failure.

    Each answer is (ok, the document and its proposals or a message, whether this helper
    carries on). Only a readable document is matched.
    """
    _warm_up(read, match)
    cap_address_space(memory_bytes)
    conn.send(READY)
    while True:
        answer: tuple[bool, Reading | str, bool]
        try:
            request = conn.recv()  # a body too big for the cap fails here, as out of memory
            if request is None:
                return
            body, content_type = request
            document = read(body, content_type)
            found = list(match(document)) if match and document.status == "ok" else []
            answer = (True, (document, found), True)
        except EOFError:
            return
        except ExtractionError as exc:
            answer = (False, str(exc), True)
        except MemoryError:
            answer = (
                False,
                f"extraction ran out of memory (limit {memory_bytes // 2**20} MiB)",
                False,
            )
        except RecursionError:
            answer = (False, "the document is nested too deeply to read", False)
        except Exception as exc:  # any failure must reach the parent as a message
            answer = (False, f"the extractor failed unexpectedly ({type(exc).__name__})", False)
        conn.send(answer)
        if not answer[2]:
            return


def _warm_up(read: Reader, match: Matcher | None) -> None:
    """Read (and match) a tiny page of our own once, before the memory cap and any real
    document.

    The parsers build caches on first use (compiled patterns, parser registries) and the
    matcher loads its model; done here, they count as the helper's starting size, not
    against a document's allowance.
    """
    page = read(WARM_UP_PAGE, "text/html; charset=utf-8")
    read(WARM_UP_PAGE, "text/plain; charset=utf-8")
    if match is not None:
        match(page)
