"""Reads about pledge links: whom a link is for, the campaign's lists, the statement queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from tracker.models import (
    Authority,
    Ballot,
    Candidacy,
    Election,
    LinkAnswer,
    Party,
    Person,
    PledgeInvitation,
    Recommendation,
    StatementState,
)
from tracker.queries.candidates import candidacies_by_person

REMIND_BEFORE = timedelta(days=7)


@dataclass(frozen=True)
class Addressee:
    """Whom a link is for and what they answer as, in the words the pages print."""

    name: str
    office: str | None  # "Fictional Party candidate for Fictional Ward, Sheffield"
    poll_date: date | None
    email: str | None


def addressee(session: Session, invitation: PledgeInvitation) -> Addressee:
    """Return whom an invitation is for, with the candidacy of its election."""
    election = session.get(Election, invitation.election_id) if invitation.election_id else None
    poll_date = election.poll_date if election else None
    if invitation.authority_id is not None:
        authority = session.get_one(Authority, invitation.authority_id)
        return Addressee(authority.name, None, poll_date, None)
    person = session.get_one(Person, invitation.person_id)
    rows = candidacies_by_person(session, [person.id]).get(person.id, [])
    mine = [r for r in rows if election is None or r.election_id == election.election_id]
    office = (
        f"{mine[0].party_name} candidate for {mine[0].post_label}, {mine[0].authority_name}"
        if mine
        else None
    )
    poll_date = mine[0].poll_date if mine else poll_date
    return Addressee(person.name, office, poll_date, person.email)


def invitation_by_id(session: Session, invitation_id: int) -> PledgeInvitation | None:
    """Return an invitation by its id."""
    return session.get(PledgeInvitation, invitation_id)


@dataclass(frozen=True)
class StandingCandidate:
    """One candidate on one election's ballots, for making and sending their links."""

    person: Person
    post_label: str
    party_name: str


def election_candidates(session: Session, election: Election) -> list[StandingCandidate]:
    """Return everyone standing in an election, by ward then name (cancelled ballots too)."""
    stmt = (
        select(Person, Ballot.post_label, Party.name)
        .join(Candidacy, col(Candidacy.person_id) == Person.id)
        .join(Ballot, col(Ballot.id) == Candidacy.ballot_id)
        .join(Party, col(Party.id) == Candidacy.party_id)
        .where(Ballot.election_id == election.id)
        .order_by(col(Ballot.post_label), col(Person.name), col(Person.id))
    )
    return [StandingCandidate(*row) for row in session.exec(stmt)]


def latest_election_of_person(session: Session, person_id: int) -> Election | None:
    """Return the newest election a person stood in."""
    stmt = (
        select(Election)
        .join(Ballot, col(Ballot.election_id) == Election.id)
        .join(Candidacy, col(Candidacy.ballot_id) == Ballot.id)
        .where(Candidacy.person_id == person_id)
        .order_by(col(Election.poll_date).desc())
    )
    return session.exec(stmt).first()


def latest_election_of_authority(session: Session, authority_id: int) -> Election | None:
    """Return the newest election held for an authority."""
    stmt = select(Election).where(Election.authority_id == authority_id)
    return session.exec(stmt.order_by(col(Election.poll_date).desc())).first()


@dataclass(frozen=True)
class InvitationRow:
    """An invitation on the campaign's list, with whose it is."""

    invitation: PledgeInvitation
    name: str
    election_id: str | None


def invitations(
    session: Session, *, election: Election | None = None, limit: int = 500
) -> list[InvitationRow]:
    """Return invitations, newest first, optionally for one election."""
    stmt = (
        select(PledgeInvitation, Person.name, Authority.name, Election.election_id)
        .outerjoin(Person, col(Person.id) == PledgeInvitation.person_id)
        .outerjoin(Authority, col(Authority.id) == PledgeInvitation.authority_id)
        .outerjoin(Election, col(Election.id) == PledgeInvitation.election_id)
    )
    if election is not None:
        stmt = stmt.where(PledgeInvitation.election_id == election.id)
    stmt = stmt.order_by(col(PledgeInvitation.id).desc()).limit(limit)
    return [
        InvitationRow(invitation, person or authority or "", election_id)
        for invitation, person, authority, election_id in session.exec(stmt)
    ]


def unsent_invitations(session: Session, election: Election) -> list[PledgeInvitation]:
    """Return an election's live invitations that were never emailed successfully."""
    stmt = select(PledgeInvitation).where(
        PledgeInvitation.election_id == election.id,
        col(PledgeInvitation.revoked_at).is_(None),
        col(PledgeInvitation.send_outcome).is_distinct_from("sent"),
    )
    return list(session.exec(stmt.order_by(col(PledgeInvitation.id))))


def due_reminders(session: Session, *, now: datetime) -> list[PledgeInvitation]:
    """Return sent, unanswered, unrevoked links expiring within a week, not yet reminded."""
    stmt = select(PledgeInvitation).where(
        PledgeInvitation.send_outcome == "sent",
        col(PledgeInvitation.answered_at).is_(None),
        col(PledgeInvitation.reminded_at).is_(None),
        col(PledgeInvitation.revoked_at).is_(None),
        col(PledgeInvitation.expires_at) > now,
        col(PledgeInvitation.expires_at) <= now + REMIND_BEFORE,
    )
    return list(session.exec(stmt.order_by(col(PledgeInvitation.id))))


@dataclass(frozen=True)
class AnswerRow:
    """A link answer with what it answered and whose it was."""

    answer: LinkAnswer
    recommendation: Recommendation
    invitation: PledgeInvitation
    name: str


def _answer_rows(session: Session, where: ColumnElement[bool], limit: int) -> list[AnswerRow]:
    """Select link answers with their recommendation, invitation and subject's name."""
    columns: list[Any] = [LinkAnswer, Recommendation, PledgeInvitation, Person.name, Authority.name]
    stmt = (
        select(*columns)
        .join(Recommendation, col(Recommendation.id) == LinkAnswer.recommendation_id)
        .join(PledgeInvitation, col(PledgeInvitation.id) == LinkAnswer.invitation_id)
        .outerjoin(Person, col(Person.id) == PledgeInvitation.person_id)
        .outerjoin(Authority, col(Authority.id) == PledgeInvitation.authority_id)
        .where(where)
        .order_by(col(LinkAnswer.id).desc())
        .limit(limit)
    )
    return [
        AnswerRow(answer, rec, invitation, person or authority or "")
        for answer, rec, invitation, person, authority in session.exec(stmt)
    ]


def pending_statements(session: Session, *, limit: int = 200) -> list[AnswerRow]:
    """Return statements awaiting a campaigner's approval, newest first."""
    return _answer_rows(
        session, col(LinkAnswer.statement_state) == StatementState.PENDING.value, limit
    )


def recent_link_answers(session: Session, *, limit: int = 100) -> list[AnswerRow]:
    """Return the newest answers given through links, for verifying or withdrawing."""
    return _answer_rows(session, col(LinkAnswer.id).is_not(None), limit)


def link_answer_by_id(session: Session, answer_id: int) -> LinkAnswer | None:
    """Return a link answer by its id."""
    return session.get(LinkAnswer, answer_id)
