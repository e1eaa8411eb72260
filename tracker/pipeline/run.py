"""Run a scrape: fetch -> extract -> match -> store, for many authorities at once.

Fetching is slow and polite (a second between requests to one host), so a pool of threads
fetches from many hosts at once, hands each document to a pool of extraction helpers (one
per core, `scrapers.extract.pool`: processes, never a thread that could be forked mid-lock)
that read and match it under one deadline; this thread stores each document as it is
ready, one transaction each.

No transaction is ever open while a document downloads or is read: what the run needs is
read and committed before the first fetch, and each document is stored in a short write
transaction of its own. On SQLite a writer holds the whole database's write lock, so a
transaction left open across a slow download would stop every sign-in and every edit.
"""

from __future__ import annotations

import logging
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, as_completed, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from scrapers.extract.pool import ExtractorPool, Reads
from scrapers.fetch.discover import discover, normalise_url
from scrapers.fetch.fetcher import Fetched, Fetcher, FetchFailed, FetchRefused
from scrapers.fetch.netguard import parse_allow_hosts
from scrapers.fetch.schedule import HostQueue
from scrapers.match.proposals import Proposal
from scrapers.match.scoring import match_document
from scrapers.passages import ExtractedDocument, ExtractionError
from tracker.db import write_intent
from tracker.models import Authority, Document, DocumentStatus, Source
from tracker.pipeline.store import SanityError, Stored, store_failure, store_fetch, url_hash

log = logging.getLogger(__name__)

MAX_URL = 2000  # Source.url's length
SOURCES_TOML = Path(__file__).resolve().parents[2] / "scrapers" / "sources.toml"


@dataclass(frozen=True)
class Target:
    """One URL to fetch for one authority."""

    authority_id: int
    url: str
    title: str | None = None
    source_id: int | None = None  # a campaigner's submission, settled once stored


@dataclass
class Summary:
    """What a scrape did, for the closing table and the exit status."""

    outcomes: Counter[str] = field(default_factory=Counter)
    proposed: int = 0
    withdrawn: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """Return whether anything failed or was refused."""
        return bool(self.problems)

    def add(self, stored: Stored) -> None:
        """Count one stored document."""
        self.outcomes[stored.outcome] += 1
        self.proposed += len(stored.proposed)
        self.withdrawn += len(stored.withdrawn)
        if stored.outcome in ("failed", "refused"):
            self.problems.append((stored.document.url, stored.document.error or stored.outcome))


@dataclass(frozen=True)
class Read:
    """One target after a pool thread fetched, extracted and matched it: what to store."""

    target: Target
    fetched: Fetched | None = None  # None: fetching or reading failed, as `error` says
    extracted: ExtractedDocument | None = None  # None for a 304 or a failure
    proposals: list[Proposal] = field(default_factory=list)
    error: str | None = None
    status: DocumentStatus | None = None


Progress = Callable[[Summary], None]


def seed_sources(session: Session, path: Path | None = None) -> int:
    """Load the websites and known documents the project keeps; return sources added."""
    path = path or SOURCES_TOML
    seeds = tomllib.loads(path.read_text(encoding="utf-8"))
    by_gss = {a.gss_code: a for a in session.exec(select(Authority)) if a.gss_code}
    added = 0
    for gss_code, entry in seeds.items():
        authority = by_gss.get(gss_code)
        if authority is None:  # not imported (yet): nothing to attach its sources to
            log.warning("%s: no authority has GSS code %s; skipped", path.name, gss_code)
            continue
        authority.website = entry.get("website") or authority.website
        for url in [entry.get("website"), *entry.get("documents", [])]:
            if url:
                added += add_source(session, authority.id, url, origin="seed") is not None
    session.flush()
    return added


def add_source(
    session: Session,
    authority_id: int,
    url: str,
    *,
    origin: str,
    pending: bool = False,
    added_by_id: int | None = None,
) -> Source | None:
    """Remember a URL to scrape for an authority; return it if it is new."""
    clean = normalise_url(url)
    if clean is None:
        raise ValueError(f"{url!r} is not an http(s) address")
    if len(clean) > MAX_URL:
        raise ValueError(f"addresses are limited to {MAX_URL:,} characters")
    stmt = select(Source).where(Source.authority_id == authority_id, Source.url == clean)
    existing = session.exec(stmt).first()
    if existing is not None:
        existing.pending = existing.pending or pending
        return None
    source = Source(
        authority_id=authority_id,
        url=clean,
        origin=origin,
        pending=pending,
        added_by_id=added_by_id,
    )
    session.add(source)
    session.flush()
    return source


class Scrape:
    """One scrape run: a fetcher, an extractor and a session, used from this thread."""

    def __init__(
        self, session: Session, fetcher: Fetcher, extractor: Reads, *, workers: int = 16
    ) -> None:
        self.session = session
        self.fetcher = fetcher
        self.extractor = extractor
        self.workers = workers

    def discover(self, authorities: Sequence[Authority], *, max_pages: int = 50) -> list[Target]:
        """Find documents from each authority's seeded pages, crawling sites in parallel."""
        starts = self._starts(authorities)
        self.session.commit()  # end the read before crawling: nothing held while fetching
        targets: list[Target] = []
        with ThreadPoolExecutor(self.workers) as pool:
            crawls = {
                pool.submit(discover, self.fetcher, urls, max_pages=max_pages): aid
                for aid, urls in starts.items()
            }
            for done in as_completed(crawls):
                aid = crawls[done]
                targets += [Target(aid, url) for url in starts[aid]]
                targets += [Target(aid, c.url, c.link_text or None) for c in done.result()]
        return _unique(targets)

    def run(self, targets: Sequence[Target], progress: Progress | None = None) -> Summary:
        """Fetch and read every target in the pool, storing each here as it is ready.

        Each free thread is given a document from the host that may be asked soonest
        (`scrapers.fetch.schedule`), so threads fetch rather than sit out politeness intervals;
        and no more documents are in flight than threads, so memory stays flat however
        many there are.
        """
        summary = Summary()
        validators = self._validators(targets)
        self.session.commit()  # end the read before fetching: nothing held while fetching
        queue = HostQueue(targets, url=lambda target: target.url)
        with ThreadPoolExecutor(self.workers) as pool:
            for first in queue.heads():  # robots.txt first, each host's interval running
                pool.submit(self.fetcher.learn_robots, first.url)
            in_flight: dict[Future[Read], Target] = {}
            while queue or in_flight:
                while len(in_flight) < self.workers:
                    target = queue.take(self.fetcher.ready_in)
                    if target is None:
                        break
                    known = validators.get(url_hash(target.url), (None, None))
                    in_flight[pool.submit(self._read, target, *known)] = target
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    queue.release(in_flight.pop(future))
                    summary.add(self._store_and_settle(future.result()))
                    if progress:
                        progress(summary)
        return summary

    def _read(self, target: Target, etag: str | None, last_modified: str | None) -> Read:
        """Fetch, extract and match one target in a pool thread; failures come back as
        values, not raises, so one bad document never stops the run."""
        try:
            fetched = self.fetcher.get(target.url, etag=etag, last_modified=last_modified)
        except FetchRefused as refused:
            return Read(target, error=str(refused), status=DocumentStatus.REFUSED)
        except FetchFailed as failed:
            return Read(target, error=str(failed), status=DocumentStatus.FAILED)
        if fetched.status == 304:  # unchanged since the last run: nothing to read
            return Read(target, fetched)
        try:  # matched in the helper too, under the document's deadline
            extracted, proposals = self.extractor.read_and_match(fetched.body, fetched.content_type)
        except ExtractionError as problem:
            log.warning("could not read %s: %s", target.url, problem)
            return Read(target, error=str(problem), status=DocumentStatus.FAILED)
        return Read(target, fetched, extracted, proposals)

    def _store_and_settle(self, read: Read) -> Stored:
        """Store one document and settle its source in one short write transaction.

        It takes the write lock when it begins (see `tracker.db.write_intent`) and commits
        before the next document is waited for.
        """
        with write_intent():
            stored = self._store(read)
            self._settle(read.target)
            self.session.commit()
        return stored

    def _store(self, read: Read) -> Stored:
        """Store one read document, or record why it could not be read."""
        target = read.target
        if read.fetched is None:
            return store_failure(
                self.session,
                authority_id=target.authority_id,
                url=target.url,
                status=read.status or DocumentStatus.FAILED,
                error=read.error or "",
            )
        try:
            return store_fetch(
                self.session,
                authority_id=target.authority_id,
                url=target.url,
                fetched=read.fetched,
                extracted=read.extracted,
                proposals=read.proposals,
                title=target.title,
            )
        except SanityError as problem:
            log.warning("could not store %s: %s", target.url, problem)
            return store_failure(
                self.session,
                authority_id=target.authority_id,
                url=target.url,
                status=DocumentStatus.FAILED,
                error=str(problem),
            )

    def _settle(self, target: Target) -> None:
        """Mark a submitted source done, in the same transaction as its document."""
        if target.source_id is not None:
            source = self.session.get(Source, target.source_id)
            if source is not None:
                source.pending = False

    def _validators(self, targets: Iterable[Target]) -> dict[str, tuple[str | None, str | None]]:
        """Return the stored ETag and Last-Modified of every target already seen."""
        hashes = [url_hash(t.url) for t in targets]
        stmt = select(Document).where(col(Document.url_hash).in_(hashes))
        return {
            d.url_hash: (d.etag, d.last_modified)
            for d in self.session.exec(stmt)
            if d.status != DocumentStatus.FAILED
        }

    def _starts(self, authorities: Sequence[Authority]) -> dict[int, list[str]]:
        """Return each authority's seeded and submitted URLs."""
        ids = [a.id for a in authorities]
        starts: dict[int, list[str]] = {}
        for source in self.session.exec(select(Source).where(col(Source.authority_id).in_(ids))):
            starts.setdefault(source.authority_id, []).append(source.url)
        return starts


def pending_targets(session: Session, source_ids: Iterable[int] | None = None) -> list[Target]:
    """Return campaigners' submitted URLs still waiting (or just those named).

    They stay pending until their document is stored, so a scrape that dies midway leaves
    the rest for the next run.
    """
    stmt = select(Source).where(col(Source.pending))
    if source_ids is not None:
        stmt = stmt.where(col(Source.id).in_(list(source_ids)))
    return [Target(s.authority_id, s.url, source_id=s.id) for s in session.exec(stmt)]


def _unique(targets: Iterable[Target]) -> list[Target]:
    """Drop repeats of the same authority and URL, keeping the first (best-titled) one."""
    seen: dict[tuple[int, str], Target] = {}
    for target in targets:
        seen.setdefault((target.authority_id, target.url), target)
    return list(seen.values())


@contextmanager
def open_scrape(session: Session, config: Mapping[str, Any]) -> Iterator[Scrape]:
    """Set up a scrape from the app's settings, and tear down its threads and helper."""
    allowed = parse_allow_hosts(config.get("SCRAPER_ALLOW_HOSTS", ()))
    fetcher = Fetcher(
        allow_hosts=allowed,
        min_interval=float(config["SCRAPER_MIN_INTERVAL"]),
        max_seconds=float(config["SCRAPER_DEADLINE"]),
    )
    with (
        fetcher,
        ExtractorPool(int(config["SCRAPER_EXTRACTORS"]), match=match_document) as extractor,
    ):
        yield Scrape(session, fetcher, extractor, workers=int(config["SCRAPER_WORKERS"]))


def scrape_pending(
    session: Session,
    config: Mapping[str, Any],
    *,
    source_ids: Iterable[int] | None = None,
    progress: Progress | None = None,
) -> Summary:
    """Scrape campaigners' submitted URLs that are still waiting."""
    targets = pending_targets(session, source_ids)
    session.commit()  # end the read before fetching
    with open_scrape(session, config) as scrape:
        return scrape.run(targets, progress)
