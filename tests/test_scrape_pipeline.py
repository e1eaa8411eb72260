"""How a scrape schedules its work: hosts in turn, a bounded queue, helpers on every core.

The network and extraction are stand-ins here, so the tests see the order and overlap of
the work; tests/test_scrape.py runs the real thing end to end.
"""

from __future__ import annotations

import hashlib
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import cast

from sqlmodel import Session, select

from scrapers.extract.dispatch import extract
from scrapers.extract.pool import Extractor, ExtractorPool, Reading
from scrapers.fetch.fetcher import Fetched, Fetcher
from scrapers.fetch.schedule import HostQueue
from scrapers.fetch.throttle import HostThrottle
from scrapers.match.scoring import MAX_PER_RECOMMENDATION, match_document
from scrapers.passages import ExtractionError
from tests.extract_stand_ins import match_or_hang
from tests.factories import fictional_council
from tests.fetch_fakes import FakeClock
from tracker.models import Document, DocumentStatus, Proposal
from tracker.pipeline.run import Scrape, Summary, Target
from tracker.pipeline.store import MAX_MATCHES

PAGE = b"<html><body><h1>Fictional strategy</h1><p>Nothing to see.</p></body></html>"


class SlowSite:
    """Answers every URL with a small page after a pause, noting how many it has begun."""

    def __init__(self, pause: float = 0.005) -> None:
        self.pause = pause
        self.begun: list[str] = []
        self.robots: list[str] = []
        self._lock = threading.Lock()

    def ready_in(self, host: str) -> float:
        return 0.0

    def learn_robots(self, url: str) -> None:
        with self._lock:
            self.robots.append(url)

    def get(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> Fetched:
        with self._lock:
            self.begun.append(url)
        time.sleep(self.pause)
        return Fetched(
            url=url,
            final_url=url,
            status=200,
            content_type="text/html",
            body=PAGE,
            sha256=hashlib.sha256(PAGE).hexdigest(),
            fetched_at=datetime.now(UTC),
            etag=None,
            last_modified=None,
            redirects=(),
        )


class PlainExtractor:
    """Reads the page's text without a helper process; refuses bodies it is told to."""

    def __init__(self, refuse: str = "") -> None:
        self.refuse = refuse

    def read_and_match(self, body: bytes, content_type: str | None) -> Reading:
        if self.refuse and self.refuse.encode() in body:
            raise ExtractionError("unreadable (fictional)")
        document = extract(body, content_type)
        return document, match_document(document) if document.status == "ok" else []


def targets(authority_id: int, hosts: int, per_host: int) -> list[Target]:
    """List each host's documents together, as discovery does."""
    return [
        Target(authority_id, f"https://council-{h}.example/doc-{d}")
        for h in range(hosts)
        for d in range(per_host)
    ]


def test_hosts_take_turns_one_request_each_keeping_their_own_order() -> None:
    queue = HostQueue(targets(1, hosts=3, per_host=2), url=lambda t: t.url)
    always = lambda _host: 0.0  # noqa: E731
    first = [queue.take(always) for _ in range(3)]
    assert queue.take(always) is None  # every host with work left has a request in flight
    for target in first:
        assert target is not None
        queue.release(target)
    second = [queue.take(always) for _ in range(3)]
    assert [t.url[8:] if t else None for t in first + second] == [
        "council-0.example/doc-0",
        "council-1.example/doc-0",
        "council-2.example/doc-0",
        "council-0.example/doc-1",
        "council-1.example/doc-1",
        "council-2.example/doc-1",
    ]
    assert not queue


def test_the_host_free_soonest_goes_first() -> None:
    queue = HostQueue(targets(1, hosts=3, per_host=1), url=lambda t: t.url)
    waits = {"council-0.example": 0.7, "council-1.example": 0.0, "council-2.example": 0.2}
    order = [queue.take(waits.__getitem__) for _ in range(3)]
    assert [t.url[8:17] for t in order if t] == ["council-1", "council-2", "council-0"]


def test_the_throttle_says_how_long_a_host_would_wait() -> None:
    clock = FakeClock()
    throttle = HostThrottle(clock)
    assert throttle.free_in("council-0.example") == 0.0
    throttle.wait("council-0.example", 1.0)
    clock.advance(0.25)
    assert throttle.free_in("council-0.example") == 0.75
    assert throttle.free_in("council-1.example") == 0.0
    clock.advance(5)
    assert throttle.free_in("council-0.example") == 0.0


def test_only_a_few_documents_per_worker_wait_to_be_stored(db: Session) -> None:
    council = fictional_council(db)
    site = SlowSite()
    scrape = Scrape(db, cast(Fetcher, site), PlainExtractor(), workers=4)
    waiting: list[int] = []

    def note(summary: Summary) -> None:
        stored = sum(summary.outcomes.values())
        waiting.append(len(site.begun) - stored)

    summary = scrape.run(targets(council.id, hosts=10, per_host=6), note)
    assert summary.outcomes["new"] == 60 and len(waiting) == 60
    # However long the queue, bodies held in memory stay bounded by the pool, not the run.
    assert max(waiting) <= 4
    assert site.begun[:10] == [f"https://council-{h}.example/doc-0" for h in range(10)]
    assert len(set(site.begun)) == 60
    assert site.robots == [f"https://council-{h}.example/doc-0" for h in range(10)]


def test_an_unreadable_document_is_recorded_and_the_run_goes_on(db: Session) -> None:
    council = fictional_council(db)
    unreadable = PAGE.replace(b"Nothing", b"Garbled")

    class MixedSite(SlowSite):
        def get(
            self, url: str, *, etag: str | None = None, last_modified: str | None = None
        ) -> Fetched:
            fetched = super().get(url)
            if url.endswith("doc-1"):
                return Fetched(**{**fetched.__dict__, "body": unreadable})
            return fetched

    scrape = Scrape(db, cast(Fetcher, MixedSite()), PlainExtractor(refuse="Garbled"), workers=2)
    summary = scrape.run(targets(council.id, hosts=2, per_host=3))
    assert summary.outcomes == {"new": 4, "failed": 2}
    failed = db.exec(select(Document).where(Document.status == DocumentStatus.FAILED)).all()
    assert sorted(d.url for d in failed) == [
        "https://council-0.example/doc-1",
        "https://council-1.example/doc-1",
    ]
    assert all(d.error == "unreadable (fictional)" for d in failed)


def test_a_document_whose_matching_overruns_fails_alone_at_its_deadline(db: Session) -> None:
    council = fictional_council(db)
    hanging = PAGE.replace(b"Nothing to see", b"We hang while matching")

    class HangingSite(SlowSite):
        def get(
            self, url: str, *, etag: str | None = None, last_modified: str | None = None
        ) -> Fetched:
            fetched = super().get(url)
            if url.endswith("doc-1"):
                return Fetched(**{**fetched.__dict__, "body": hanging})
            return fetched

    with Extractor(timeout_s=2, match=match_or_hang) as helper:
        scrape = Scrape(db, cast(Fetcher, HangingSite()), helper, workers=1)
        summary = scrape.run(targets(council.id, hosts=1, per_host=3))
    assert summary.outcomes == {"new": 2, "failed": 1}
    failed = db.exec(select(Document).where(Document.status == DocumentStatus.FAILED)).one()
    assert failed.url.endswith("doc-1")
    assert failed.error == "reading and matching timed out (over 2 s)"


def strategy(paragraphs: int) -> bytes:
    """Return a fictional council's strategy making the same commitment once per ward."""
    pledges = "".join(
        f"<p>Killshire Council (fictional) will fund an Independent Child Trafficking Advocate"
        f" for every child at risk of modern slavery in ward {n}.</p>"
        for n in range(paragraphs)
    )
    return f"<html><body><h1>Killshire (fictional) strategy</h1>{pledges}</body></html>".encode()


class ChangingSite(SlowSite):
    """Answers with whatever page it was last given."""

    def __init__(self, page: bytes) -> None:
        super().__init__(pause=0)
        self.page = page

    def get(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> Fetched:
        fetched = super().get(url)
        sha256 = hashlib.sha256(self.page).hexdigest()
        return Fetched(**{**fetched.__dict__, "body": self.page, "sha256": sha256})


def test_the_real_matcher_bounds_what_a_document_puts_before_reviewers(db: Session) -> None:
    """However many paragraphs commit, a reviewer sees a few proposals per recommendation.

    The matcher merges near-duplicates and keeps its best few; the store's MAX_MATCHES is
    only the backstop for a matcher that misfires (tests/test_store.py reaches it).
    """
    council = fictional_council(db)
    site = ChangingSite(strategy(MAX_MATCHES + 1))
    assert len(match_document(extract(site.page, "text/html"))) <= MAX_PER_RECOMMENDATION * 5
    scrape = Scrape(db, cast(Fetcher, site), PlainExtractor(), workers=1)
    target = [Target(council.id, "https://killshire.example/strategy")]
    assert scrape.run(target).outcomes == {"new": 1}
    stored = db.exec(select(Proposal)).all()
    advocacy = [p for p in stored if "Advocate" in p.passage]
    assert 1 <= len(advocacy) <= MAX_PER_RECOMMENDATION
    assert len(stored) <= MAX_PER_RECOMMENDATION * 5


def test_the_extractor_pool_works_on_documents_at_once() -> None:
    pages = [PAGE.replace(b"Nothing", f"Page {n}".encode()) for n in range(6)]
    with ExtractorPool(2, timeout_s=20) as pool, ThreadPoolExecutor(6) as threads:
        extracted = list(threads.map(lambda body: pool.extract(body, "text/html"), pages))
        with_garbage = threads.submit(pool.extract, b"%PDF-1.4 not really", "application/pdf")
        assert isinstance(with_garbage.exception(timeout=30), ExtractionError)
        again = pool.extract(pages[0], "text/html")  # a failure hands its helper back
    assert [f"Page {n}" in doc.text for n, doc in enumerate(extracted)] == [True] * 6
    assert again.text == extracted[0].text
