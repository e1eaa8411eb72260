"""Background scraping: an RQ queue when REDIS_URL is set, served by `tracker worker`.

Without Redis, the web process reads submitted URLs itself (tracker.pipeline.background).
Several workers, on several machines, can share one queue.
"""

from __future__ import annotations

import logging

from flask import current_app
from redis import Redis
from rq import Queue

from tracker.pipeline.run import scrape_pending

log = logging.getLogger(__name__)

QUEUE = "scrape"
JOB_TIMEOUT = 30 * 60


def scrape_queue() -> Queue | None:
    """Return the scrape queue, or None when no Redis is configured."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    return Queue(QUEUE, connection=Redis.from_url(url))


def enqueue_source(source_id: int) -> bool:
    """Queue a submitted source for a worker; return False if there is no queue."""
    queue = scrape_queue()
    if queue is None:
        return False
    queue.enqueue(scrape_source, source_id, job_timeout=JOB_TIMEOUT)
    log.info("queued source %d for scraping", source_id)
    return True


def scrape_source(source_id: int) -> dict[str, int]:
    """Scrape one submitted source (run by an RQ worker); return the outcome counts."""
    from tracker import create_app
    from tracker.db import EXTENSION, get_session

    app = create_app()
    try:
        # No write intent around the whole scrape: it takes one short write transaction
        # per document, and must not hold the write lock while it fetches.
        with app.app_context():
            summary = scrape_pending(get_session(), app.config, source_ids=[source_id])
    finally:
        app.extensions[EXTENSION].engine.dispose()  # the job's own connections end with it
    return dict(summary.outcomes)
