"""Campaigners' verdicts on proposed passages: accept as a pledge, or reject with a reason.

Accepting writes the authority's pledge through `tracker.pledging`, with the passage as
the quote and the document (at its page, for PDFs) as the source, so it shows on the
authority's page, in the pledge's history and in the feeds like any other answer. A
verdict is given once: the UPDATE only succeeds while the match is still pending, so two
campaigners reviewing the same passage cannot both act on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from urllib.parse import unquote, urlsplit

from sqlalchemy import update
from sqlmodel import Session, col

from tracker.models import (
    Delivery,
    Document,
    Pledge,
    PledgeEvent,
    PledgeStatus,
    Proposal,
    ReviewStatus,
    utcnow,
)
from tracker.pledging import PledgeChange, Subject, find_pledge, save_pledge

VERDICTS = (PledgeStatus.PLEDGED, PledgeStatus.PARTIAL)
MAX_QUOTE = 2000
MAX_REASON = 500


class AlreadyReviewed(Exception):
    """Someone else gave this match a verdict first."""


def source_link(document: Document, page: int | None) -> str:
    """Return the address of the passage: the document, at its page when it is a PDF."""
    url = document.final_url or document.url
    is_pdf = (document.content_type or "").startswith("application/pdf")
    return f"{url}#page={page}" if is_pdf and page else url


def evidence_date(document: Document, now: datetime) -> date:
    """Date a commitment found in a document by the document, not by the day it was read.

    A document dated after today (a misread date) cannot date a commitment; the day it was
    fetched is the next best evidence.
    """
    if document.published_on is not None and document.published_on <= now.date():
        return document.published_on
    return (document.fetched_at or now).date()


def document_label(document: Document, page: int | None = None) -> str:
    """Name a document for people: “Title” (published 2018, covers 2018–2021), page 4."""
    name = document_name(document)
    facts = []
    if document.published_on is not None:
        facts.append(f"published {document.published_on.year}")
    if document.period_start is not None and document.period_end is not None:
        facts.append(f"covers {document.period_start}–{document.period_end}")
    label = f"“{name}”" + (f" ({', '.join(facts)})" if facts else "")
    return label + (f", page {page}" if page else "")


def plan_has_ended(document: Document, today: date | None = None) -> bool:
    """Say whether the plan period the document sets out is over (by today, by default)."""
    year = (today or utcnow().date()).year
    return document.period_end is not None and document.period_end < year


def document_name(document: Document) -> str:
    """Return the document's title; an untitled one is named by its file and site, not a URL."""
    if document.title:
        return document.title
    parts = urlsplit(document.final_url or document.url)
    name = unquote(parts.path.rstrip("/").rsplit("/", 1)[-1]) or "home page"
    return f"{name} on {parts.hostname or 'an unknown site'}"


def documents_by_evidence(
    pledges: Iterable[Pledge | None], documents: Iterable[Document]
) -> dict[int, Document]:
    """Map each pledge whose source is one of these documents (at any page) to the document."""
    by_url = {d.final_url or d.url: d for d in documents}
    found = {}
    for pledge in pledges:
        if pledge is None or not pledge.evidence_url:
            continue
        document = by_url.get(pledge.evidence_url.split("#", 1)[0])
        if document is not None:
            found[pledge.id] = document
    return found


def accept_match(
    session: Session,
    match: Proposal,
    *,
    status: PledgeStatus,
    reviewer_id: int,
    now: datetime | None = None,
) -> PledgeEvent | None:
    """Record the passage as the authority's pledge and mark the match accepted."""
    if status not in VERDICTS:
        raise ValueError("a passage can only be accepted as pledged or partly pledged")
    now = now or utcnow()
    document = session.get_one(Document, match.document_id)
    subject = Subject(authority_id=document.authority_id)
    current = find_pledge(session, subject, match.recommendation_id)
    keep_delivery = current is not None and current.status in (s.value for s in VERDICTS)
    change = PledgeChange(
        status=status,
        delivery=Delivery(current.delivery)
        if current and keep_delivery
        else Delivery.NOT_YET_RATED,
        evidence_url=source_link(document, match.page),
        quote=match.passage[:MAX_QUOTE],
        evidence_date=evidence_date(document, now),
        note=f"Found by the scraper in {document_label(document, match.page)}.",
        private_note=current.private_note if current else None,
    )
    _decide(session, match, ReviewStatus.ACCEPTED, reviewer_id, now, None)
    _, event = save_pledge(
        session,
        subject,
        match.recommendation_id,
        change,
        expected_version=current.version if current else 0,
        actor_id=reviewer_id,
        now=now,
        current=current,
    )
    match.pledge_event_id = event.id if event else None
    session.flush()
    return event


def reject_match(
    session: Session, match: Proposal, *, reason: str, reviewer_id: int, now: datetime | None = None
) -> None:
    """Mark the match rejected with the reason; the same passage is not proposed again."""
    _decide(
        session,
        match,
        ReviewStatus.REJECTED,
        reviewer_id,
        now or utcnow(),
        reason.strip()[:MAX_REASON] or None,
    )


def _decide(
    session: Session,
    match: Proposal,
    verdict: ReviewStatus,
    reviewer_id: int,
    now: datetime,
    reason: str | None,
) -> None:
    """Set the verdict if the match is still pending; otherwise someone beat us to it."""
    result = session.exec(
        update(Proposal)
        .where(
            col(Proposal.id) == match.id, col(Proposal.review_status) == ReviewStatus.PENDING.value
        )
        .values(
            review_status=verdict.value, reviewer_id=reviewer_id, reviewed_at=now, reason=reason
        )
        .execution_options(synchronize_session=False)
    )
    session.refresh(match)
    if result.rowcount != 1:
        raise AlreadyReviewed(match.id)
