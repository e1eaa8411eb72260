"""Parties and how their candidates answered."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, col, select

from tracker.models import Candidacy, Party, Person, Pledge, PledgeStatus, Recommendation
from tracker.queries.common import counted
from tracker.queries.pledges import with_awaiting


@dataclass
class PartyRecord:
    """A party with its candidates' answers, counted per status and per recommendation."""

    party: Party
    candidates: int = 0
    answered: int = 0  # candidates who pledged or partly pledged anything
    by_status: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PledgeStatus, 0))
    by_recommendation: dict[int, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: dict.fromkeys(PledgeStatus, 0))
    )

    @property
    def pledge_rate(self) -> float:
        """Return the share of its candidates who pledged at least one recommendation."""
        return self.answered / self.candidates if self.candidates else 0.0


def party_records(
    session: Session, party_ids: list[int] | None = None, *, demo: bool = False
) -> list[PartyRecord]:
    """Return every real party (or those given) with its real candidates' answers, biggest
    first; `demo` counts the demonstration's parties and candidates instead (see `counted`)."""
    standing = (
        select(Candidacy.person_id, Candidacy.party_id)
        .join(Person, col(Person.id) == Candidacy.person_id)
        .join(Party, col(Party.id) == Candidacy.party_id)
        .where(counted(Person, demo=demo), counted(Party, demo=demo))
        .distinct()
    )
    if party_ids is not None:
        standing = standing.where(col(Candidacy.party_id).in_(party_ids))
    stood = standing.subquery()
    parties = select(Party).where(counted(Party, demo=demo))
    if party_ids is not None:
        parties = parties.where(col(Party.id).in_(party_ids))
    records = {p.id: PartyRecord(p) for p in session.exec(parties)}
    for party_id, count in session.exec(
        select(stood.c.party_id, func.count()).group_by(stood.c.party_id)
    ):
        records[party_id].candidates = count
    answered = (
        select(stood.c.party_id, func.count(func.distinct(Pledge.person_id)))
        .join(Pledge, col(Pledge.person_id) == stood.c.person_id)
        .where(col(Pledge.status).in_([PledgeStatus.PLEDGED.value, PledgeStatus.PARTIAL.value]))
        .group_by(stood.c.party_id)
    )
    for party_id, count in session.exec(answered):
        records[party_id].answered = count
    tallies = (
        select(stood.c.party_id, Pledge.recommendation_id, Pledge.status, func.count())
        .join(Pledge, col(Pledge.person_id) == stood.c.person_id)
        .group_by(stood.c.party_id, col(Pledge.recommendation_id), col(Pledge.status))
    )
    for party_id, rec_id, status, count in session.exec(tallies):
        if status != PledgeStatus.AWAITING.value:
            party = records[party_id]
            party.by_status[PledgeStatus(status)] += count
            party.by_recommendation[rec_id][PledgeStatus(status)] += count
    rec_ids = list(session.exec(select(Recommendation.id)))
    for record in records.values():
        record.by_status = with_awaiting(record.by_status, record.candidates * len(rec_ids))
        for rec in rec_ids:
            counts = record.by_recommendation[rec or 0]
            record.by_recommendation[rec or 0] = with_awaiting(counts, record.candidates)
    return sorted(records.values(), key=lambda r: (-r.candidates, r.party.name))


def party_by_slug(session: Session, slug: str) -> Party | None:
    """Return the party with this slug, if any."""
    return session.exec(select(Party).where(Party.slug == slug)).first()


def parties(session: Session) -> list[Party]:
    """Return every party by name (for the filter menu)."""
    return list(session.exec(select(Party).order_by(col(Party.name))))
