"""Scorecards: how much of what is theirs to do each authority has pledged and written down.

The method, published at /methodology: an authority is scored only on the
recommendations its type can deliver (see the responsibility table). Each pledged one
counts 1, each partly pledged one 0.5; the score is that sum over the number it can
deliver. Evidence counts the deliverable recommendations with at least one passage a
campaigner accepted from the authority's own documents. Authorities are compared only
with others of the same type, because councils' powers differ.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func
from sqlmodel import Session, col, select

from tracker.models import (
    Authority,
    Document,
    PledgeEvent,
    PledgeStatus,
    Proposal,
    Recommendation,
    ReviewStatus,
)
from tracker.queries.common import counted
from tracker.queries.pledges import recommendations, statuses_by_authority
from tracker.responsibilities import Table, applicable_ids, responsibility_table

SORTS = ("score", "evidence", "name")


@dataclass(frozen=True)
class Scorecard:
    """One authority's record on what is its to deliver."""

    authority: Authority
    applicable: int
    pledged: int
    partial: int
    evidence: int

    @property
    def score(self) -> float:
        """Return the share of its deliverable recommendations pledged (partial = half)."""
        if not self.applicable:
            return 0.0
        return (self.pledged + 0.5 * self.partial) / self.applicable


class Standing(NamedTuple):
    """A scorecard and its place in the league table (None when the table ranks nobody)."""

    rank: int | None
    card: Scorecard


def standings(cards: list[Scorecard]) -> list[Standing]:
    """Rank scorecards by score, equal scores sharing a rank (1, 1, 3), keeping their order.

    Breaking ties by name ranked an all-0% table "1 of 36" alphabetically, which reads as
    a verdict nobody earned, so a table where no score differs ranks nobody. Equal
    fractions divide to the same float, so comparing scores exactly is safe.
    """
    scores = sorted((c.score for c in cards), reverse=True)
    if len(set(scores)) < 2:
        return [Standing(rank=None, card=c) for c in cards]
    first: dict[float, int] = {}
    for position, score in enumerate(scores, start=1):
        first.setdefault(score, position)
    return [Standing(rank=first[c.score], card=c) for c in cards]


def scorecards(
    session: Session, *, kind: str, region: str | None = None, sort: str = "score"
) -> list[Scorecard]:
    """Return the scorecards of every real authority of one type (and region), ranked."""
    stmt = select(Authority).where(Authority.kind == kind, counted(Authority))
    if region:
        stmt = stmt.where(Authority.region == region)
    found = list(session.exec(stmt))
    cards = scorecards_of(session, found, recommendations(session), responsibility_table(session))
    if sort == "name":
        return sorted(cards, key=lambda c: c.authority.name)
    if sort == "evidence":
        return sorted(cards, key=lambda c: (-c.evidence, -c.score, c.authority.short_name))
    return sorted(cards, key=lambda c: (-c.score, -c.evidence, c.authority.short_name))


def scorecard(session: Session, authority: Authority) -> Scorecard:
    """Return one authority's scorecard."""
    table = responsibility_table(session)
    return scorecards_of(session, [authority], recommendations(session), table)[0]


def scorecards_of(
    session: Session, found: list[Authority], recs: list[Recommendation], table: Table
) -> list[Scorecard]:
    """Count pledges and accepted evidence for the authorities, two queries in all."""
    ids = [a.id for a in found]
    answers = statuses_by_authority(session, ids)
    evidence: dict[int, set[int]] = defaultdict(set)
    accepted = (
        select(Document.authority_id, Proposal.recommendation_id)
        .join(Document, col(Document.id) == Proposal.document_id)
        .where(
            col(Document.authority_id).in_(ids),
            col(Proposal.review_status) == ReviewStatus.ACCEPTED.value,
        )
        .distinct()
    )
    for authority_id, rec_id in session.exec(accepted):
        evidence[authority_id].add(rec_id)
    cards = []
    for authority in found:
        mine = applicable_ids(authority, recs, table)
        said = {rec: pledge.status for rec, pledge in answers[authority.id].items()}
        cards.append(
            Scorecard(
                authority=authority,
                applicable=len(mine),
                pledged=sum(1 for r in mine if said.get(r) == PledgeStatus.PLEDGED.value),
                partial=sum(1 for r in mine if said.get(r) == PledgeStatus.PARTIAL.value),
                evidence=len(mine & evidence[authority.id]),
            )
        )
    return cards


def data_as_of(session: Session) -> datetime | None:
    """Return when the data last changed (the newest pledge event)."""
    return session.exec(select(func.max(PledgeEvent.occurred_at))).one()
