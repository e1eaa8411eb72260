"""Store what a scrape found: the only part of the scraper that writes to the database.

Each document is stored in its own savepoint: either everything about one fetch lands (the
document row, a new version's text, its matches) or nothing does, and a failure only
records itself on the document, leaving earlier versions and matches untouched. Documents
upsert on the hash of their URL; an unchanged document (304, or the same bytes) creates
nothing new. A changed one becomes a new version, and its matches are reconciled with the
last version's: new passages are proposed, missing ones are marked withdrawn, and a
passage campaigners rejected stays rejected.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from email.utils import parsedate_to_datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from scrapers.extract.describe import fits_period
from scrapers.fetch.fetcher import Fetched
from scrapers.match import proposals as matcher
from scrapers.passages import ExtractedDocument
from tracker.models import (
    Document,
    DocumentPage,
    DocumentStatus,
    DocumentVersion,
    Proposal,
    Recommendation,
    utcnow,
)

log = logging.getLogger(__name__)

MIN_SCORE = 0.5  # weaker proposals are not worth a campaigner's evening
MAX_MATCHES = 500  # more than this from one document means the matcher misfired
MAX_PASSAGE = 4000
RECOMMENDATION_IDS = "tracker.recommendation_ids"  # the session.info key they are kept under


class SanityError(ValueError):
    """What a scrape produced looks wrong; it is recorded as a failure, not stored."""


@dataclass
class Stored:
    """What storing one fetch did."""

    document: Document
    outcome: str  # new, changed, unchanged, not-modified, needs-ocr, refused, failed
    proposed: list[Proposal] = field(default_factory=list)
    withdrawn: list[Proposal] = field(default_factory=list)


def url_hash(url: str) -> str:
    """Return the key a document URL is stored under."""
    return hashlib.sha256(url.strip().encode("utf-8")).hexdigest()


def fingerprint(recommendation: str, passage: str) -> str:
    """Return a key for a passage's words, the same however its spacing or case changes."""
    words = " ".join(passage.lower().split())
    return hashlib.sha256(f"{recommendation}\n{words}".encode()).hexdigest()


def store_fetch(
    session: Session,
    *,
    authority_id: int,
    url: str,
    fetched: Fetched,
    extracted: ExtractedDocument | None,
    proposals: Sequence[matcher.Proposal],
    title: str | None = None,
) -> Stored:
    """Record a successful fetch and, when the bytes are new, their text and matches."""
    with session.begin_nested():
        document = _document(session, authority_id, url)
        document.last_seen = fetched.fetched_at
        document.fetched_at = fetched.fetched_at
        document.final_url = fetched.final_url
        document.etag = fetched.etag or document.etag
        document.last_modified = fetched.last_modified or document.last_modified
        if fetched.status == 304:
            document.status = DocumentStatus.NOT_MODIFIED.value
            document.error = None
            return Stored(document, "not-modified")
        if fetched.sha256 == document.sha256:
            document.status = _status(extracted)
            return Stored(document, "unchanged")
        outcome = "changed" if document.version else "new"
        _describe(document, fetched, extracted, title)
        if extracted is None or extracted.status == "needs-ocr":
            document.status = DocumentStatus.NEEDS_OCR.value
            document.error = extracted.message if extracted else None
            return Stored(document, "needs-ocr")
        _check(extracted, proposals)
        document.version += 1
        document.status = DocumentStatus.OK.value
        document.error = None
        session.flush()  # a new document is inserted once, whole, and gets its id here
        session.add(
            DocumentVersion(
                document_id=document.id,
                number=document.version,
                sha256=fetched.sha256,
                fetched_at=fetched.fetched_at,
                text=extracted.text,
            )
        )
        _index_pages(session, document, extracted)
        proposed, withdrawn = _reconcile(session, document, proposals, fetched.fetched_at)
        return Stored(document, outcome, proposed, withdrawn)


def store_failure(
    session: Session, *, authority_id: int, url: str, status: DocumentStatus, error: str
) -> Stored:
    """Record that a document could not be fetched or read, keeping what was stored before."""
    with session.begin_nested():
        document = _document(session, authority_id, url)
        document.status = status.value
        document.error = error[:2000]
        document.last_seen = utcnow()
        return Stored(document, status.value if status is DocumentStatus.REFUSED else "failed")


def _document(session: Session, authority_id: int, url: str) -> Document:
    """Return the document stored under this URL for the authority, creating it.

    A new one is not flushed yet, so it is inserted with everything the fetch says about it.
    """
    key = url_hash(url)
    stmt = select(Document).where(Document.authority_id == authority_id, Document.url_hash == key)
    document = session.exec(stmt).first()
    if document is None:
        document = Document(authority_id=authority_id, url=url, url_hash=key)
        session.add(document)
    return document


def _describe(
    document: Document, fetched: Fetched, extracted: ExtractedDocument | None, title: str | None
) -> None:
    """Copy what the new bytes are onto the document row."""
    document.sha256 = fetched.sha256
    document.size = len(fetched.body)
    document.content_type = (fetched.content_type or "")[:200] or None
    document.page_count = extracted.page_count if extracted else None
    found = extracted.title if extracted else None
    document.title = (found or title or document.title or "")[:500] or None
    document.published_on, document.date_source = _written(extracted, fetched.last_modified)
    period = extracted.period if extracted else None
    document.period_start, document.period_end = period or (None, None)
    document.ocr = bool(extracted and extracted.ocr)


def _written(
    extracted: ExtractedDocument | None, last_modified: str | None
) -> tuple[date | None, str | None]:
    """Date the document: from what it says of itself, else from the server's Last-Modified.

    A server's Last-Modified beats only the guess from the plan's first year, and only when
    it falls inside the plan's period (a file uploaded again years later says nothing).
    """
    day = extracted.date if extracted else None
    source = extracted.date_source if extracted else None
    if source in (None, "period"):
        modified = _http_date(last_modified)
        period = extracted.period if extracted else None
        if modified is not None and fits_period(modified, period):
            return modified, "last-modified"
    return day, source


def _http_date(value: str | None) -> date | None:
    """Read an HTTP date ("Tue, 13 Mar 2018 10:00:00 GMT"); None if absent or malformed."""
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError):
        return None


def _status(extracted: ExtractedDocument | None) -> str:
    """Return the status an unchanged document keeps."""
    if extracted is not None and extracted.status == "needs-ocr":
        return DocumentStatus.NEEDS_OCR.value
    return DocumentStatus.OK.value


def _check(extracted: ExtractedDocument, proposals: Sequence[matcher.Proposal]) -> None:
    """Refuse output that cannot be right, before it replaces anything (LGSF's report())."""
    if not extracted.text.strip():
        raise SanityError("the document has a text layer but no words were extracted")
    if len(proposals) > MAX_MATCHES:
        raise SanityError(f"the matcher proposed {len(proposals)} passages; refusing to store")
    for proposal in proposals:
        if not 0 <= proposal.start < proposal.end <= len(extracted.text):
            raise SanityError(f"a match points outside the text ({proposal.start}-{proposal.end})")


def _index_pages(session: Session, document: Document, extracted: ExtractedDocument) -> None:
    """Make the new version's pages the document's searchable text, replacing the old ones."""
    session.execute(delete(DocumentPage).where(col(DocumentPage.document_id) == document.id))
    pages: dict[int | None, list[str]] = {}
    for passage in extracted.passages:
        pages.setdefault(passage.page, []).append(passage.text)
    for position, (page, texts) in enumerate(pages.items()):
        session.add(
            DocumentPage(
                document_id=document.id, position=position, page=page, text="\n\n".join(texts)
            )
        )


def _reconcile(
    session: Session, document: Document, proposals: Sequence[matcher.Proposal], now: datetime
) -> tuple[list[Proposal], list[Proposal]]:
    """Bring the document's matches in line with the new version's proposals."""
    recommendations = _recommendation_ids(session)
    existing: dict[tuple[int | None, str], Proposal] = {}
    if document.version > 1:  # a first version has no matches before it
        existing = {
            (m.recommendation_id, m.fingerprint): m
            for m in session.exec(select(Proposal).where(Proposal.document_id == document.id))
        }
    seen: set[tuple[int | None, str]] = set()
    proposed: list[Proposal] = []
    for proposal in sorted(proposals, key=lambda p: -p.score):
        rec_id = recommendations.get(proposal.recommendation)
        if rec_id is None or proposal.score < MIN_SCORE:
            continue
        key = (rec_id, fingerprint(proposal.recommendation, proposal.text))
        if key in seen:
            continue
        seen.add(key)
        match = existing.get(key)
        if match is None:
            match = Proposal(
                document_id=document.id,
                recommendation_id=rec_id,
                fingerprint=key[1],
                first_version=document.version,
                created_at=now,
                passage="",
                start=0,
                end=0,
                score=0.0,
                rule="",
            )
            session.add(match)
            proposed.append(match)
        match.passage = proposal.text[:MAX_PASSAGE]
        match.page, match.start, match.end = proposal.page, proposal.start, proposal.end
        match.score, match.rule = round(proposal.score, 3), proposal.rule[:100]
        match.withdrawn_in = None
    withdrawn = [m for k, m in existing.items() if k not in seen and m.withdrawn_in is None]
    for match in withdrawn:
        match.withdrawn_in = document.version
    session.flush()
    return proposed, withdrawn


def _recommendation_ids(session: Session) -> dict[str, int | None]:
    """Return each recommendation's id by slug, read once per session (they never change)."""
    ids: dict[str, int | None] | None = session.info.get(RECOMMENDATION_IDS)
    if ids is None:
        ids = {r.slug: r.id for r in session.exec(select(Recommendation))}
        session.info[RECOMMENDATION_IDS] = ids
    return ids
