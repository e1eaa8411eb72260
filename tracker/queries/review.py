"""The review queue and the documents read for each authority."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from scrapers.match.training import Verdict
from tracker.models import (
    Authority,
    Document,
    DocumentVersion,
    PledgeEvent,
    PledgeStatus,
    Proposal,
    Recommendation,
    ReviewStatus,
    User,
)
from tracker.queries.common import Page, PageNotFound

CONTEXT = 240  # characters of the document shown either side of a passage


@dataclass(frozen=True)
class QueueItem:
    """A proposed passage with its document, authority, recommendation and surroundings."""

    match: Proposal
    document: Document
    authority: Authority
    recommendation: Recommendation
    before: str
    after: str


@dataclass(frozen=True)
class DocumentRow:
    """A document read for an authority, with how its passages were judged."""

    document: Document
    accepted: int
    pending: int


def review_queue(
    session: Session,
    *,
    authority: Authority | None,
    recommendation: Recommendation | None,
    page: int,
    per_page: int,
) -> Page[QueueItem]:
    """Return one page of passages awaiting review, best first, with their context."""
    waiting = [
        col(Proposal.review_status) == ReviewStatus.PENDING.value,
        col(Proposal.withdrawn_in).is_(None),
    ]
    if authority is not None:
        waiting.append(col(Document.authority_id) == authority.id)
    if recommendation is not None:
        waiting.append(col(Proposal.recommendation_id) == recommendation.id)
    count = (
        select(func.count())
        .select_from(Proposal)
        .join(Document, col(Document.id) == Proposal.document_id)
        .where(*waiting)
    )
    total = session.exec(count).one()
    if page > 1 and (page - 1) * per_page >= total:
        raise PageNotFound(page)
    text = DocumentVersion.text
    start = case((col(Proposal.start) < CONTEXT, 1), else_=col(Proposal.start) - CONTEXT + 1)
    columns: list[Any] = [
        Proposal,
        Document,
        Authority,
        Recommendation,
        func.substr(text, start, col(Proposal.start) + 1 - start),
        func.substr(text, col(Proposal.end) + 1, CONTEXT),
    ]
    stmt = (
        select(*columns)
        .join(Document, col(Document.id) == Proposal.document_id)
        .join(Authority, col(Authority.id) == Document.authority_id)
        .join(Recommendation, col(Recommendation.id) == Proposal.recommendation_id)
        .outerjoin(
            DocumentVersion,
            (col(DocumentVersion.document_id) == Document.id)
            & (col(DocumentVersion.number) == Document.version),
        )
        .where(*waiting)
        .order_by(col(Proposal.score).desc(), col(Proposal.id))
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    items = [
        QueueItem(m, d, a, r, before or "", after or "")
        for m, d, a, r, before, after in session.exec(stmt)
    ]
    return Page(items=items, number=page, per_page=per_page, total=total)


def queue_item(session: Session, match_id: int) -> QueueItem | None:
    """Return one match as a queue item (for re-rendering it after a verdict)."""
    match = session.get(Proposal, match_id)
    if match is None:
        return None
    document = session.get_one(Document, match.document_id)
    return QueueItem(
        match,
        document,
        session.get_one(Authority, document.authority_id),
        session.get_one(Recommendation, match.recommendation_id),
        "",
        "",
    )


@dataclass(frozen=True)
class GivenVerdict:
    """A verdict already on a passage: who gave it and, for an acceptance, as what."""

    reviewer: User | None
    status: PledgeStatus | None  # pledged or partly pledged; None for a rejection


def verdict_given(session: Session, match: Proposal) -> GivenVerdict:
    """Return who reviewed the passage and what the acceptance recorded (for a late verdict)."""
    event = session.get(PledgeEvent, match.pledge_event_id) if match.pledge_event_id else None
    return GivenVerdict(
        session.get(User, match.reviewer_id) if match.reviewer_id else None,
        PledgeStatus(event.to_status) if event else None,
    )


def documents_of(session: Session, authority_id: int) -> list[DocumentRow]:
    """Return the documents read for an authority, newest first, with verdict counts."""
    accepted = func.sum(
        case((col(Proposal.review_status) == ReviewStatus.ACCEPTED.value, 1), else_=0)
    )
    open_ = (col(Proposal.review_status) == ReviewStatus.PENDING.value) & col(
        Proposal.withdrawn_in
    ).is_(None)
    pending = func.sum(case((open_, 1), else_=0))
    stmt = (
        select(Document, accepted, pending)
        .outerjoin(Proposal, col(Proposal.document_id) == Document.id)
        .where(Document.authority_id == authority_id)
        .group_by(col(Document.id))
        .order_by(col(Document.last_seen).desc())
    )
    return [DocumentRow(d, a or 0, p or 0) for d, a, p in session.exec(stmt)]


@dataclass(frozen=True)
class ReviewedText:
    """A stored document text and the verdicts given on passages proposed in it."""

    document_id: int
    text: str
    verdicts: list[Verdict]


def reviewed_texts(session: Session) -> list[ReviewedText]:
    """Return every accepted or rejected passage, grouped by the text it was found in."""
    stmt = (
        select(Proposal, Recommendation.slug, DocumentVersion.text)
        .join(Recommendation, col(Recommendation.id) == Proposal.recommendation_id)
        .join(
            DocumentVersion,
            (col(DocumentVersion.document_id) == Proposal.document_id)
            & (col(DocumentVersion.number) == Proposal.first_version),
        )
        .where(
            col(Proposal.review_status).in_(
                [ReviewStatus.ACCEPTED.value, ReviewStatus.REJECTED.value]
            )
        )
        .order_by(col(Proposal.document_id), col(Proposal.first_version), col(Proposal.id))
    )
    grouped: dict[tuple[int, int], ReviewedText] = {}
    for match, slug, text in session.exec(stmt):
        key = (match.document_id, match.first_version)
        item = grouped.setdefault(key, ReviewedText(match.document_id, text, []))
        accepted = match.review_status == ReviewStatus.ACCEPTED.value
        item.verdicts.append(Verdict(slug, match.start, accepted))
    return list(grouped.values())
