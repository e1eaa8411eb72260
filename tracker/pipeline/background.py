"""Read a submitted document soon after it is submitted, with or without a queue.

With REDIS_URL set, an RQ worker reads it (tracker.pipeline.queue). Without one, a small
pool of threads in the web process does, so a campaigner's document is read without an
operator running anything. The pool is bounded twice: few threads (SUBMITTED_READERS),
and at most MAX_WAITING documents waiting for them; beyond that a document waits, as a
pending source, for the next scrape. Each read is the scraper's own (one fetch under
SCRAPER_DEADLINE, no transaction open while it downloads, one short write to store it).

A read starts once the submitting response has been sent and its request's session
closed, so it never shares the request's connection; tests wait for it with `wait`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from functools import partial
from typing import Any

from flask import Flask, current_app
from werkzeug.wrappers import Response

from tracker.db import EXTENSION as DATABASE
from tracker.pipeline.queue import enqueue_source
from tracker.pipeline.run import Summary, scrape_pending

log = logging.getLogger(__name__)

EXTENSION = "tracker.background_reads"
MAX_WAITING = 20


class BackgroundReads:
    """A few threads that read campaigners' submitted documents inside the web process."""

    def __init__(self, app: Flask, workers: int) -> None:
        self.app = app
        self.is_enabled = workers > 0
        # The pool starts its threads on first use, so building it here starts nothing.
        self.pool = ThreadPoolExecutor(max(workers, 1), thread_name_prefix="tracker-read")
        self.waiting: set[Future[Summary | None]] = set()
        self.lock = threading.Lock()

    def after(self, response: Response, source_id: int) -> bool:
        """Read the source once the response is sent; return False if no thread can."""
        with self.lock:
            if not self.is_enabled or len(self.waiting) >= MAX_WAITING:
                return False
        response.call_on_close(partial(self.submit, source_id))
        return True

    def submit(self, source_id: int) -> Future[Summary | None]:
        """Hand the source to the pool now."""
        future = self.pool.submit(self._read, source_id)
        with self.lock:
            self.waiting.add(future)
        future.add_done_callback(self._forget)
        return future

    def wait(self, timeout: float) -> bool:
        """Wait for the reads handed over so far; return whether all of them finished."""
        with self.lock:
            futures = set(self.waiting)
        _, not_done = wait_for(futures, timeout)
        return not not_done

    def close(self) -> None:
        """Stop taking reads and let the running ones end."""
        self.pool.shutdown(wait=True, cancel_futures=True)

    def _forget(self, future: Future[Summary | None]) -> None:
        """Drop a finished read from those counted as waiting."""
        with self.lock:
            self.waiting.discard(future)

    def _read(self, source_id: int) -> Summary | None:
        """Scrape one source with one fetching thread and one extracting helper.

        Failures are logged here: nobody waits on the future in production.
        """
        with self.app.app_context():
            session = self.app.extensions[DATABASE].session()
            try:
                return scrape_pending(
                    session, _one_at_a_time(self.app.config), source_ids=[source_id]
                )
            except Exception:
                log.exception("could not read submitted source %d", source_id)
                return None
            finally:
                session.close()


def read_soon(source_id: int, response: Response) -> bool:
    """Have a submitted source read now, by a queue's worker or else in this process."""
    if enqueue_source(source_id):
        return True
    reads: BackgroundReads = current_app.extensions[EXTENSION]
    return reads.after(response, source_id)


def init_app(app: Flask) -> None:
    """Give the app its pool of background readers (SUBMITTED_READERS threads; 0 for none)."""
    app.extensions[EXTENSION] = BackgroundReads(app, int(app.config["SUBMITTED_READERS"]))


def _one_at_a_time(config: Mapping[str, Any]) -> dict[str, Any]:
    """Return the scrape settings for a single document: one thread, one helper."""
    return {**config, "SCRAPER_WORKERS": 1, "SCRAPER_EXTRACTORS": 1}
