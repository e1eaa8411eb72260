"""Campaigners' verdicts on proposed passages: accept as a pledge, or reject with a reason.

Accepting writes the authority's pledge through `tracker.pledging`, with the passage as
the quote and the document (at its page, for PDFs) as the source, so it shows on the
authority's page, in the pledge's history and in the feeds like any other answer. A
verdict is given once: the UPDATE only succeeds while the match is still pending, so two
campaigners reviewing the same passage cannot both act on it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col

from tracker.models import (
    Delivery,
    Document,
    PledgeEvent,
    PledgeStatus,
    Proposal,
    ReviewStatus,
    utcnow,
)
from tracker.pledging import PledgeChange, Subject, find_pledge, save_change

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
    where = f" (page {match.page})" if match.page else ""
    change = PledgeChange(
        status=status,
        delivery=Delivery(current.delivery)
        if current and keep_delivery
        else Delivery.NOT_YET_RATED,
        evidence_url=source_link(document, match.page),
        quote=match.passage[:MAX_QUOTE],
        evidence_date=(document.fetched_at or now).date(),
        note=f"Found by the scraper in “{document.title or document.url}”{where}.",
        private_note=current.private_note if current else None,
    )
    _decide(session, match, ReviewStatus.ACCEPTED, reviewer_id, now, None)
    _, event = save_change(
        session,
        current,
        subject,
        match.recommendation_id,
        change,
        expected_version=current.version if current else 0,
        actor_id=reviewer_id,
        now=now,
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
