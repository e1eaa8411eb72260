"""What campaigners need to see: who is still to answer, and what the team changed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from tracker.models import (
    ApiToken,
    Authority,
    Ballot,
    Candidacy,
    Delivery,
    Election,
    FollowUp,
    Person,
    Pledge,
    PledgeEvent,
    PledgeStatus,
    PledgeUpload,
    Recommendation,
    User,
)
from tracker.queries.candidates import (
    CandidacyRow,
    CandidateFilters,
    candidacies_by_person,
    candidate_query,
)
from tracker.queries.pledges import EventRow


@dataclass(frozen=True)
class AuthorityBacklog:
    """How many answers an authority and its candidates still owe."""

    authority: Authority
    candidates: int
    awaiting: int  # candidate × recommendation pairs with no answer


def backlog_by_authority(session: Session, *, limit: int = 20) -> list[AuthorityBacklog]:
    """Return the authorities whose candidates owe the most answers."""
    stood = (
        select(Election.authority_id, Candidacy.person_id)
        .join(Ballot, col(Ballot.election_id) == Election.id)
        .join(Candidacy, col(Candidacy.ballot_id) == Ballot.id)
        .distinct()
        .subquery()
    )
    recommendations = session.exec(select(func.count()).select_from(Recommendation)).one()
    people = dict(
        session.exec(
            select(stood.c.authority_id, func.count()).group_by(stood.c.authority_id)
        ).all()
    )
    answered = dict(
        session.exec(
            select(stood.c.authority_id, func.count())
            .join(Pledge, col(Pledge.person_id) == stood.c.person_id)
            .where(col(Pledge.status) != PledgeStatus.AWAITING.value)
            .group_by(stood.c.authority_id)
        ).all()
    )
    owed = {a: n * recommendations - answered.get(a, 0) for a, n in people.items()}
    top = sorted(owed, key=lambda a: -owed[a])[:limit]
    found = {a.id: a for a in session.exec(select(Authority).where(col(Authority.id).in_(top)))}
    return [AuthorityBacklog(found[a], people[a], owed[a]) for a in top if owed[a] > 0]


def team_activity(session: Session, *, limit: int = 20) -> list[tuple[EventRow, User]]:
    """Return the latest changes campaigners made, newest first, with who made them."""
    entities: list[Any] = [PledgeEvent, Recommendation, Person, Authority, User]
    stmt = (
        select(*entities)
        .join(User, col(User.id) == PledgeEvent.actor_id)
        .join(Pledge, col(Pledge.id) == PledgeEvent.pledge_id)
        .join(Recommendation, col(Recommendation.id) == Pledge.recommendation_id)
        .outerjoin(Person, col(Person.id) == Pledge.person_id)
        .outerjoin(Authority, col(Authority.id) == Pledge.authority_id)
        .order_by(col(PledgeEvent.occurred_at).desc(), col(PledgeEvent.id).desc())
        .limit(limit)
    )
    return [(EventRow(e, r, p, a), u) for e, r, p, a, u in session.exec(stmt)]


def users(session: Session) -> list[User]:
    """Return every account, active first, by email."""
    stmt = select(User).order_by(col(User.is_active).desc(), col(User.email))
    return list(session.exec(stmt))


def tokens_of(session: Session, user_id: int) -> list[ApiToken]:
    """Return a user's tokens, live ones first, newest first."""
    stmt = (
        select(ApiToken)
        .where(ApiToken.user_id == user_id)
        .order_by(col(ApiToken.revoked_at).is_not(None), col(ApiToken.created_at).desc())
    )
    return list(session.exec(stmt))


def upload_of(session: Session, upload_id: int, user_id: int) -> PledgeUpload | None:
    """Return one of the user's own uploads."""
    upload = session.get(PledgeUpload, upload_id)
    return upload if upload is not None and upload.user_id == user_id else None


@dataclass(frozen=True)
class FollowUpRow:
    """An outstanding follow-up: a pledge still unrated after a milestone."""

    follow_up: FollowUp
    pledge: Pledge
    recommendation: Recommendation
    person: Person | None
    authority: Authority | None


def outstanding_follow_ups(session: Session, *, limit: int = 200) -> list[FollowUpRow]:
    """Return follow-ups whose pledge nobody has rated since, newest first."""
    entities: list[Any] = [FollowUp, Pledge, Recommendation, Person, Authority]
    stmt = (
        select(*entities)
        .join(Pledge, col(Pledge.id) == FollowUp.pledge_id)
        .join(Recommendation, col(Recommendation.id) == Pledge.recommendation_id)
        .outerjoin(Person, col(Person.id) == Pledge.person_id)
        .outerjoin(Authority, col(Authority.id) == Pledge.authority_id)
        .where(col(Pledge.delivery) == Delivery.NOT_YET_RATED.value)
        .order_by(col(FollowUp.marked_at).desc(), col(FollowUp.id).desc())
        .limit(limit)
    )
    return [FollowUpRow(*row) for row in session.exec(stmt)]


@dataclass(frozen=True)
class Awaited:
    """A candidate who has not answered at all, with where they stood."""

    person: Person
    standing: CandidacyRow | None


def awaiting_candidates(
    session: Session, *, authority: Authority | None, limit: int = 5000
) -> list[Awaited]:
    """Return the candidates who have answered nothing yet, in an area or everywhere."""
    filters = CandidateFilters(authority=authority, status=PledgeStatus.AWAITING)
    people = list(session.exec(candidate_query(filters).order_by(col(Person.name)).limit(limit)))
    standing = candidacies_by_person(session, [p.id for p in people])
    return [Awaited(p, next(iter(standing.get(p.id, [])), None)) for p in people]
