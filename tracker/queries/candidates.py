"""Candidates: the filtered list, one person's record, and who stood where."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, exists
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from tracker.models import (
    Authority,
    Ballot,
    Candidacy,
    Election,
    Party,
    Person,
    Pledge,
    PledgeStatus,
)
from tracker.queries.common import Page, matches_terms, paginate


@dataclass(frozen=True)
class CandidateFilters:
    """What the candidate list can be narrowed by; every field is optional."""

    q: str = ""
    authority: Authority | None = None
    party: Party | None = None
    election: Election | None = None
    status: PledgeStatus | None = None


@dataclass(frozen=True)
class NamedSubject:
    """A subject's name and whether it is demonstration data: what `shown_name` labels."""

    name: str
    is_demo: bool


@dataclass(frozen=True)
class CandidacyRow:
    """One candidacy with the names the pages print beside it.

    It carries whether its person and authority are demonstration data, so a page can
    name them through `shown_name` (as `row.person` and `row.authority`) like any other.
    """

    person_id: int
    person_name: str
    person_slug: str
    person_is_demo: bool
    ballot_paper_id: str
    post_label: str
    election_id: str
    poll_date: date
    authority_slug: str
    authority_name: str
    authority_is_demo: bool
    party_slug: str
    party_name: str
    votes_cast: int | None
    elected: bool | None
    ward_gss: str | None

    @property
    def person(self) -> NamedSubject:
        """Return the candidate as `shown_name` names them."""
        return NamedSubject(self.person_name, self.person_is_demo)

    @property
    def authority(self) -> NamedSubject:
        """Return the authority (by its short name) as `shown_name` names it."""
        return NamedSubject(self.authority_name, self.authority_is_demo)


def candidates(
    session: Session, filters: CandidateFilters, *, page: int, per_page: int
) -> Page[Person]:
    """Return one page of people matching the filters, by name."""
    stmt = candidate_query(filters).order_by(col(Person.name), col(Person.id))
    return paginate(session, stmt, page=page, per_page=per_page)


def candidate_query(filters: CandidateFilters) -> SelectOfScalar[Person]:
    """Select the people matching the filters, unordered: pages and downloads share it."""
    stmt = select(Person)
    if (name := matches_terms(Person.name, filters.q)) is not None:
        stmt = stmt.where(name)
    stood = select(Candidacy.person_id).join(Ballot).join(Election)
    narrowed = False
    if filters.authority is not None:
        stood = stood.where(Election.authority_id == filters.authority.id)
        narrowed = True
    if filters.election is not None:
        stood = stood.where(Election.id == filters.election.id)
        narrowed = True
    if filters.party is not None:
        stood = stood.where(Candidacy.party_id == filters.party.id)
        narrowed = True
    if narrowed:
        stmt = stmt.where(col(Person.id).in_(stood))
    if filters.status is not None:
        stmt = stmt.where(_has_status(filters.status))
    return stmt


def _has_status(status: PledgeStatus) -> ColumnElement[bool]:
    """Filter people by status: any pledge with it, or (awaiting) no answer at all yet."""
    mine = col(Pledge.person_id) == Person.id
    if status is PledgeStatus.AWAITING:
        return ~exists().where(mine, col(Pledge.status) != status.value)
    return exists().where(mine, col(Pledge.status) == status.value)


def person_by_id(session: Session, person_id: int) -> Person | None:
    """Return the person with this Democracy Club id, if any."""
    return session.get(Person, person_id)


def candidacies_by_person(
    session: Session, person_ids: Sequence[int]
) -> dict[int, list[CandidacyRow]]:
    """Return each person's candidacies, newest election first, in one query."""
    found: dict[int, list[CandidacyRow]] = defaultdict(list)
    if person_ids:
        for row in _candidacy_rows(session, col(Candidacy.person_id).in_(person_ids)):
            found[row.person_id].append(row)
    return found


def candidacies_for_authority(session: Session, authority_id: int) -> list[CandidacyRow]:
    """Return every candidacy in the authority's elections, newest election first."""
    return _candidacy_rows(session, col(Election.authority_id) == authority_id)


def office_holders(session: Session, authority_id: int) -> list[CandidacyRow]:
    """Return the people elected at the latest election for each of an authority's seats.

    A seat is a post (ward, division, mayoralty or police area); its holders are the
    winners of its most recent ballot with a result. Only Democracy Club's `elected`
    says who won, so a post whose latest results are unknown shows nobody.
    """
    winners = _candidacy_rows(
        session,
        (col(Election.authority_id) == authority_id) & col(Candidacy.elected).is_(True),
    )
    latest: dict[str, date] = {}
    for row in winners:
        latest[row.post_label] = max(row.poll_date, latest.get(row.post_label, row.poll_date))
    return [row for row in winners if row.poll_date == latest[row.post_label]]


def pledges_first(
    holders: list[CandidacyRow], statuses: Mapping[int, Mapping[int, Pledge]]
) -> list[CandidacyRow]:
    """Order office holders so those who pledged come first, then by seat and name."""
    kept = (PledgeStatus.PLEDGED.value, PledgeStatus.PARTIAL.value)
    return sorted(
        holders,
        key=lambda h: (
            -sum(p.status in kept for p in statuses.get(h.person_id, {}).values()),
            h.post_label,
            h.person_name,
        ),
    )


def _candidacy_rows(session: Session, where: ColumnElement[bool]) -> list[CandidacyRow]:
    """Select candidacies with their names, ordered for display."""
    columns: list[Any] = [
        Candidacy.person_id,
        Person.name,
        Person.slug,
        Person.is_demo,
        Ballot.ballot_paper_id,
        Ballot.post_label,
        Election.election_id,
        Election.poll_date,
        Authority.slug,
        Authority.short_name,
        Authority.is_demo,
        Party.slug,
        Party.name,
        Candidacy.votes_cast,
        Candidacy.elected,
        Ballot.ward_gss,
    ]
    stmt = (
        select(*columns)
        .join(Person, col(Person.id) == Candidacy.person_id)
        .join(Ballot, col(Ballot.id) == Candidacy.ballot_id)
        .join(Election, col(Election.id) == Ballot.election_id)
        .join(Authority, col(Authority.id) == Election.authority_id)
        .join(Party, col(Party.id) == Candidacy.party_id)
        .where(where)
        .order_by(
            col(Election.poll_date).desc(),
            col(Ballot.post_label),
            col(Candidacy.votes_cast).desc().nulls_last(),
            col(Person.name),
        )
    )
    return [CandidacyRow(*row) for row in session.exec(stmt)]


def elections(session: Session) -> list[tuple[Election, Authority]]:
    """Return every election with its authority, newest first (for the filter menu)."""
    stmt = (
        select(Election, Authority)
        .join(Authority, col(Authority.id) == Election.authority_id)
        .order_by(col(Election.poll_date).desc(), col(Authority.short_name))
    )
    return list(session.exec(stmt).all())


def election_by_id(session: Session, election_id: str) -> Election | None:
    """Return the election with this Democracy Club id, if any."""
    return session.exec(select(Election).where(Election.election_id == election_id)).first()
