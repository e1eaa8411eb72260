"""Pledge events as feeds and the API read them: within a scope, with their context.

Most feed entries come from PledgeEvent. An authority's feed adds its documents' versions
and withdrawn commitments, read with their own freshness in `tracker.queries.document_feed`;
the feed builders in `tracker.feeds` only ever see `Update`s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, col, select

from tracker.models import (
    Authority,
    Ballot,
    Candidacy,
    Election,
    Party,
    Person,
    Pledge,
    PledgeEvent,
    Recommendation,
    Theme,
)
from tracker.queries.candidates import CandidacyRow, candidacies_by_person


@dataclass(frozen=True)
class Scope:
    """Whose pledges a feed or listing follows; an empty scope follows every pledge."""

    recommendation: Recommendation | None = None
    authority: Authority | None = None  # its own pledges and those of its candidates
    person: Person | None = None
    party: Party | None = None


@dataclass(frozen=True)
class Freshness:
    """What identifies the latest state of a scope's events, for ETag and Last-Modified.

    Events are only ever appended, so the newest id and time and the count change
    whenever the feed would.
    """

    newest_id: int | None
    newest_at: datetime | None
    count: int


@dataclass(frozen=True)
class FeedEventRow:
    """A pledge event with its recommendation, theme and subject, as a feed entry needs."""

    event: PledgeEvent
    recommendation: Recommendation
    theme: Theme
    person: Person | None
    authority: Authority | None
    standing: CandidacyRow | None  # the candidacy that names the person's party and ward


@dataclass(frozen=True)
class EventRecord:
    """A pledge event with the public keys of what it was about, as the API lists it."""

    event: PledgeEvent
    recommendation_slug: str
    person_id: int | None
    authority_gss: str | None
    authority_slug: str | None


def in_scope(scope: Scope) -> list[ColumnElement[bool]]:
    """Return conditions on Pledge that keep only the pledges within the scope."""
    conditions: list[ColumnElement[bool]] = []
    if scope.recommendation is not None:
        conditions.append(col(Pledge.recommendation_id) == scope.recommendation.id)
    if scope.person is not None:
        conditions.append(col(Pledge.person_id) == scope.person.id)
    if scope.party is not None:
        stood = select(Candidacy.person_id).where(Candidacy.party_id == scope.party.id)
        conditions.append(col(Pledge.person_id).in_(stood))
    if scope.authority is not None:
        stood = (
            select(Candidacy.person_id)
            .join(Ballot, col(Ballot.id) == Candidacy.ballot_id)
            .join(Election, col(Election.id) == Ballot.election_id)
            .where(Election.authority_id == scope.authority.id)
        )
        conditions.append(
            or_(
                col(Pledge.authority_id) == scope.authority.id,
                col(Pledge.person_id).in_(stood),
            )
        )
    return conditions


def freshness(session: Session, scope: Scope) -> Freshness:
    """Return the newest event id and time in the scope, and how many, in one query."""
    stmt: Any = select(
        func.max(PledgeEvent.id), func.max(PledgeEvent.occurred_at), func.count()
    ).select_from(PledgeEvent)
    if conditions := in_scope(scope):
        stmt = stmt.join(Pledge, col(Pledge.id) == PledgeEvent.pledge_id).where(*conditions)
    newest_id, newest_at, count = session.exec(stmt).one()
    return Freshness(newest_id, newest_at, count)


def feed_events(session: Session, scope: Scope, *, limit: int) -> list[FeedEventRow]:
    """Return the scope's latest events, newest first, with what each was about."""
    entities: list[Any] = [PledgeEvent, Recommendation, Theme, Person, Authority]
    stmt = (
        select(*entities)
        .join(Pledge, col(Pledge.id) == PledgeEvent.pledge_id)
        .join(Recommendation, col(Recommendation.id) == Pledge.recommendation_id)
        .join(Theme, col(Theme.id) == Recommendation.theme_id)
        .outerjoin(Person, col(Person.id) == Pledge.person_id)
        .outerjoin(Authority, col(Authority.id) == Pledge.authority_id)
        .where(*in_scope(scope))
        .order_by(col(PledgeEvent.occurred_at).desc(), col(PledgeEvent.id).desc())
        .limit(limit)
    )
    rows = session.exec(stmt).all()
    standing = candidacies_by_person(session, sorted({p.id for _, _, _, p, _ in rows if p}))
    return [
        FeedEventRow(
            event,
            rec,
            theme,
            person,
            authority,
            preferred_candidacy(standing[person.id], scope) if person else None,
        )
        for event, rec, theme, person, authority in rows
    ]


def preferred_candidacy(candidacies: list[CandidacyRow], scope: Scope) -> CandidacyRow | None:
    """Pick the candidacy that names a person best: in the scope's authority or party if
    it has one, otherwise the latest (candidacies come newest first)."""
    for row in candidacies:
        if scope.authority is not None and row.authority_slug != scope.authority.slug:
            continue
        if scope.party is not None and row.party_slug != scope.party.slug:
            continue
        return row
    return candidacies[0] if candidacies else None


def event_records(
    session: Session, scope: Scope, *, after: int | None, limit: int
) -> list[EventRecord]:
    """Return up to `limit` events in the scope recorded after event `after`, oldest first."""
    columns: list[Any] = [
        PledgeEvent,
        Recommendation.slug,
        Pledge.person_id,
        Authority.gss_code,
        Authority.slug,
    ]
    stmt = (
        select(*columns)
        .join(Pledge, col(Pledge.id) == PledgeEvent.pledge_id)
        .join(Recommendation, col(Recommendation.id) == Pledge.recommendation_id)
        .outerjoin(Authority, col(Authority.id) == Pledge.authority_id)
        .where(*in_scope(scope))
        .order_by(col(PledgeEvent.id))
        .limit(limit)
    )
    if after is not None:
        stmt = stmt.where(col(PledgeEvent.id) > after)
    return [EventRecord(*row) for row in session.exec(stmt)]
