"""Pledges as the pages show them: per subject, per recommendation, and in total."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import case, exists, func, or_
from sqlmodel import Session, col, select

from tracker.models import (
    Authority,
    Ballot,
    Candidacy,
    Election,
    EventKind,
    Person,
    Pledge,
    PledgeEvent,
    PledgeStatus,
    Recommendation,
    Theme,
    User,
)
from tracker.queries.common import Page, counted, counted_pledge, paginate

StatusCounts = dict[str, int]


@dataclass(frozen=True)
class RecommendationTally:
    """How every subject stands on one recommendation, split by kind of subject."""

    recommendation: Recommendation
    candidates: StatusCounts
    authorities: StatusCounts


def recommendations(session: Session) -> list[Recommendation]:
    """Return the five recommendations in the campaign's order."""
    return list(session.exec(select(Recommendation).order_by(col(Recommendation.position))))


def themes(session: Session) -> list[Theme]:
    """Return the three themes in the campaign's order."""
    return list(session.exec(select(Theme).order_by(col(Theme.position))))


def recommendation_by_slug(session: Session, slug: str) -> Recommendation | None:
    """Return the recommendation with this slug, if any."""
    return session.exec(select(Recommendation).where(Recommendation.slug == slug)).first()


def tallies(session: Session) -> list[RecommendationTally]:
    """Count answers by recommendation and status, candidates apart from authorities.

    Subjects with no pledge row have not answered, so they count as awaiting a response.
    Demonstration data is left out (see `counted`).
    """
    is_person = case((col(Pledge.person_id).is_(None), 0), else_=1)
    rows = session.exec(
        select(Pledge.recommendation_id, Pledge.status, is_person, func.count())
        .where(col(Pledge.status) != PledgeStatus.AWAITING.value, counted_pledge())
        .group_by(col(Pledge.recommendation_id), col(Pledge.status), is_person)
    ).all()
    answered: dict[tuple[int, int], StatusCounts] = defaultdict(
        lambda: dict.fromkeys(PledgeStatus, 0)
    )
    for rec_id, status, person, count in rows:
        answered[(rec_id, person)][PledgeStatus(status)] = count
    people = session.exec(select(func.count()).where(counted(Person))).one()
    bodies = session.exec(select(func.count()).where(counted(Authority))).one()
    return [
        RecommendationTally(
            rec,
            with_awaiting(answered[(rec.id, 1)], people),
            with_awaiting(answered[(rec.id, 0)], bodies),
        )
        for rec in recommendations(session)
    ]


def with_awaiting(counts: StatusCounts, total: int) -> StatusCounts:
    """Fill in the awaiting count: everyone asked who has not answered."""
    answered = sum(n for status, n in counts.items() if status != PledgeStatus.AWAITING)
    return {**counts, PledgeStatus.AWAITING: total - answered}


def statuses_by_person(session: Session, person_ids: Sequence[int]) -> dict[int, dict[int, Pledge]]:
    """Return each person's pledges keyed by recommendation id, in one query."""
    found: dict[int, dict[int, Pledge]] = defaultdict(dict)
    if person_ids:
        for pledge in session.exec(select(Pledge).where(col(Pledge.person_id).in_(person_ids))):
            found[pledge.person_id or 0][pledge.recommendation_id] = pledge
    return found


def statuses_by_authority(
    session: Session, authority_ids: Sequence[int]
) -> dict[int, dict[int, Pledge]]:
    """Return each authority's pledges keyed by recommendation id, in one query."""
    found: dict[int, dict[int, Pledge]] = defaultdict(dict)
    if authority_ids:
        stmt = select(Pledge).where(col(Pledge.authority_id).in_(authority_ids))
        for pledge in session.exec(stmt):
            found[pledge.authority_id or 0][pledge.recommendation_id] = pledge
    return found


def answers(
    session: Session,
    recommendation: Recommendation,
    *,
    status: PledgeStatus | None,
    page: int,
    per_page: int,
) -> Page[Pledge]:
    """Return one page of answers to a recommendation (not the silent ones), newest first."""
    stmt = select(Pledge).where(Pledge.recommendation_id == recommendation.id)
    if status is None:
        stmt = stmt.where(Pledge.status != PledgeStatus.AWAITING.value)
    else:
        stmt = stmt.where(Pledge.status == status.value)
    stmt = stmt.order_by(col(Pledge.updated_at).desc(), col(Pledge.id).desc())
    return paginate(session, stmt, page=page, per_page=per_page)


def answers_by_authority(
    session: Session, recommendation: Recommendation
) -> list[tuple[Authority, StatusCounts]]:
    """Count answers to a recommendation per real authority: its own, and its real
    candidates'."""
    stood = (
        select(Candidacy.person_id, Election.authority_id)
        .join(Ballot, col(Ballot.id) == Candidacy.ballot_id)
        .join(Election, col(Election.id) == Ballot.election_id)
        .distinct()
        .subquery()
    )
    answered = col(Pledge.status) != PledgeStatus.AWAITING.value
    mine = Pledge.recommendation_id == recommendation.id
    via_people = (
        select(stood.c.authority_id, Pledge.status, func.count())
        .join(Pledge, col(Pledge.person_id) == stood.c.person_id)
        .where(mine, answered, counted_pledge())
        .group_by(stood.c.authority_id, col(Pledge.status))
    )
    own = (
        select(Pledge.authority_id, Pledge.status, func.count())
        .where(mine, answered, counted_pledge(), col(Pledge.authority_id).is_not(None))
        .group_by(col(Pledge.authority_id), col(Pledge.status))
    )
    counts: dict[int, StatusCounts] = defaultdict(lambda: dict.fromkeys(PledgeStatus, 0))
    for authority_id, status, count in [*session.exec(via_people), *session.exec(own)]:
        counts[authority_id][PledgeStatus(status)] += count
    found = session.exec(
        select(Authority).where(col(Authority.id).in_(list(counts)), counted(Authority))
    ).all()
    return sorted(
        ((a, counts[a.id]) for a in found),
        key=lambda pair: (-sum(pair[1].values()), pair[0].short_name),
    )


def people_by_id(session: Session, ids: Sequence[int]) -> dict[int, Person]:
    """Return the people with these ids."""
    return {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(ids)))}


def authorities_by_id(session: Session, ids: Sequence[int]) -> dict[int, Authority]:
    """Return the authorities with these ids."""
    stmt = select(Authority).where(col(Authority.id).in_(ids))
    return {a.id: a for a in session.exec(stmt)}


def pledges_of_subject(
    session: Session, *, person_id: int | None = None, authority_id: int | None = None
) -> list[tuple[Recommendation, Pledge | None]]:
    """Return each recommendation with the subject's pledge on it (None if unanswered)."""
    mine = (
        col(Pledge.person_id) == person_id
        if person_id is not None
        else col(Pledge.authority_id) == authority_id
    )
    stmt = (
        select(Recommendation, Pledge)
        .outerjoin(Pledge, (col(Pledge.recommendation_id) == Recommendation.id) & mine)
        .order_by(col(Recommendation.position))
    )
    return list(session.exec(stmt).all())


@dataclass(frozen=True)
class EventRow:
    """A change to a pledge with what it was about and whose it was."""

    event: PledgeEvent
    recommendation: Recommendation
    person: Person | None
    authority: Authority | None

    @property
    def subject_name(self) -> str:
        """Return the name of the person or authority the pledge belongs to."""
        if self.person is not None:
            return self.person.name
        return self.authority.name if self.authority else ""


def recent_events(session: Session, *, limit: int = 10) -> list[EventRow]:
    """Return the latest changes to any pledge with their subjects, newest first."""
    stmt = (
        select(PledgeEvent, Recommendation, Person, Authority)
        .join(Pledge, col(Pledge.id) == PledgeEvent.pledge_id)
        .join(Recommendation, col(Recommendation.id) == Pledge.recommendation_id)
        .outerjoin(Person, col(Person.id) == Pledge.person_id)
        .outerjoin(Authority, col(Authority.id) == Pledge.authority_id)
        .order_by(col(PledgeEvent.occurred_at).desc(), col(PledgeEvent.id).desc())
        .limit(limit)
    )
    return [EventRow(*row) for row in session.exec(stmt)]


def has_demo_data(session: Session) -> bool:
    """Return whether any fictional demonstration data is loaded (the banner shows then).

    Every page asks, so it is one query whether or not there is any.
    """
    councils = exists().where(col(Authority.is_demo))
    people = exists().where(col(Person.is_demo))
    return bool(session.exec(select(or_(councils, people))).one())


def headline_counts(session: Session) -> dict[str, int]:
    """Return how many real candidates, councils and police areas the tracker follows."""
    councils = select(func.count()).where(Authority.kind != "PFA", counted(Authority))
    police = select(func.count()).where(Authority.kind == "PFA", counted(Authority))
    people = select(func.count()).where(counted(Person))
    return {
        "candidates": session.exec(people).one(),
        "councils": session.exec(councils).one(),
        "police_areas": session.exec(police).one(),
    }


def last_change(session: Session, pledge_id: int) -> tuple[PledgeEvent, User | None] | None:
    """Return a pledge's latest change with who made it (timed follow-ups are no one's)."""
    stmt = (
        select(PledgeEvent, User)
        .outerjoin(User, col(User.id) == PledgeEvent.actor_id)
        .where(PledgeEvent.pledge_id == pledge_id, PledgeEvent.kind == EventKind.CHANGE.value)
        .order_by(col(PledgeEvent.version).desc(), col(PledgeEvent.id).desc())
        .limit(1)
    )
    row = session.exec(stmt).first()
    return (row[0], row[1]) if row else None


def pledge_history(session: Session, pledge_id: int) -> list[tuple[PledgeEvent, User | None]]:
    """Return every change to a pledge, oldest first, with who made it."""
    stmt = (
        select(PledgeEvent, User)
        .outerjoin(User, col(User.id) == PledgeEvent.actor_id)
        .where(PledgeEvent.pledge_id == pledge_id)
        .order_by(col(PledgeEvent.occurred_at), col(PledgeEvent.id))
    )
    return list(session.exec(stmt).all())
