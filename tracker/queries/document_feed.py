"""An authority's documents as its feed reads them: versions published, commitments withdrawn.

Beside the pledge events (tracker.queries.events), an authority's feed says when one of its
strategies was first read or read in a new version, and when a new version dropped a
passage a campaigner had accepted as a commitment. Only accepted passages are read here:
pending and rejected ones never reach a feed.

Storing a document is a write no pledge scope holds, so it makes every cached page stale
(tracker.freshness); `document_freshness` then changes the feed's own ETag, so readers
holding the copy from before get the new entries rather than 304.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from tracker.models import (
    Authority,
    Document,
    DocumentVersion,
    Proposal,
    Recommendation,
    Theme,
)
from tracker.queries.documents import pledge_of, withdrawn_commitment


@dataclass(frozen=True)
class DocumentFreshness:
    """What identifies the latest state of an authority's document entries.

    Versions are only ever added, and a passage is withdrawn only as a version is stored,
    so the newest version and the number of versions change whenever an entry would; the
    number of withdrawn commitments covers a withdrawn passage accepted afterwards.
    """

    newest_id: int | None
    newest_at: datetime | None
    versions: int
    withdrawals: int


@dataclass(frozen=True)
class PublishedVersion:
    """One stored version of one of the authority's documents."""

    version: DocumentVersion
    document: Document
    authority: Authority


@dataclass(frozen=True)
class WithdrawnCommitment:
    """An accepted passage, the version that no longer has it, and the pledge it supported."""

    proposal: Proposal
    recommendation: Recommendation
    theme: Theme
    document: Document
    authority: Authority
    version: DocumentVersion  # the one that dropped the passage
    pledge_id: int | None


def document_freshness(session: Session, authority: Authority) -> DocumentFreshness:
    """Return the newest version, how many versions and how many withdrawals, in one query."""
    withdrawals = (
        sa_select(func.count())
        .select_from(Proposal)
        .join(Document, col(Document.id) == Proposal.document_id)
        .where(col(Document.authority_id) == authority.id, *withdrawn_commitment())
        .scalar_subquery()
    )
    stmt: Any = (
        select(
            func.max(DocumentVersion.id),
            func.max(DocumentVersion.fetched_at),
            func.count(col(DocumentVersion.id)),
            withdrawals,
        )
        .select_from(DocumentVersion)
        .join(Document, col(Document.id) == DocumentVersion.document_id)
        .where(col(Document.authority_id) == authority.id)
    )
    newest_id, newest_at, versions, withdrawn = session.exec(stmt).one()
    return DocumentFreshness(newest_id, newest_at, versions, withdrawn)


def published_versions(
    session: Session, authority: Authority, *, limit: int
) -> list[PublishedVersion]:
    """Return the authority's latest stored document versions, newest first."""
    rows = session.exec(
        select(DocumentVersion, Document)
        .join(Document, col(Document.id) == DocumentVersion.document_id)
        .where(col(Document.authority_id) == authority.id)
        .order_by(col(DocumentVersion.fetched_at).desc(), col(DocumentVersion.id).desc())
        .limit(limit)
    ).all()
    return [PublishedVersion(version, document, authority) for version, document in rows]


def withdrawn_commitments_of(
    session: Session, authority: Authority, *, limit: int
) -> list[WithdrawnCommitment]:
    """Return the authority's accepted passages that a newer version dropped, newest first."""
    dropped_by = and_(
        col(DocumentVersion.document_id) == Proposal.document_id,
        col(DocumentVersion.number) == Proposal.withdrawn_in,
    )
    rows = session.execute(
        sa_select(Proposal, Recommendation, Theme, Document, DocumentVersion, pledge_of())
        .join(Recommendation, col(Recommendation.id) == Proposal.recommendation_id)
        .join(Theme, col(Theme.id) == Recommendation.theme_id)
        .join(Document, col(Document.id) == Proposal.document_id)
        .join(DocumentVersion, dropped_by)
        .where(col(Document.authority_id) == authority.id, *withdrawn_commitment())
        .order_by(col(DocumentVersion.fetched_at).desc(), col(Proposal.id).desc())
        .limit(limit)
    ).all()
    return [
        WithdrawnCommitment(proposal, rec, theme, document, authority, version, pledge_id)
        for proposal, rec, theme, document, version, pledge_id in rows
    ]
