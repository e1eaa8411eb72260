"""A clearly fictional council, with fictional candidates and pledges, for demonstrations.

Real people and bodies only ever get pledges a campaigner recorded with evidence. To show
what a lively tracker looks like, this module invents Exampleshire: every name in it is
made up and marked as such, its evidence links point at example.org (reserved for
examples), and every page shows a banner while it is loaded.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Protocol

from sqlmodel import Session, col, delete, select

from tracker.models import (
    Authority,
    Ballot,
    Candidacy,
    Delivery,
    Election,
    Party,
    Person,
    Pledge,
    PledgeEvent,
    PledgeStatus,
    Recommendation,
    utcnow,
)
from tracker.pledging import PledgeChange, Subject, save_pledge

POLL_DATE = date(2024, 5, 2)
ELECTION_ID = f"local.exampleshire-fictional.{POLL_DATE}"
FIRST_PERSON_ID = 990_000_001  # far above Democracy Club's ids, which are in the 100,000s
PARTIES = [
    ("demo-party:1", "Example Party (fictional)", "example-party-fictional"),
    ("demo-party:2", "Sample Alliance (fictional)", "sample-alliance-fictional"),
]
# (name, ward, party index, votes, elected)
PEOPLE = [
    ("Alex Example", "North Ward", 0, 1520, True),
    ("Sam Sample", "North Ward", 1, 1210, False),
    ("Jo Placeholder", "South Ward", 0, 980, False),
    ("Chris Dummy", "South Ward", 1, 1375, True),
    ("Pat Testcase", "East Ward", 0, 1102, True),
    ("Robin Mockup", "East Ward", 1, 1001, False),
]
# (person index or None for the council, recommendation position, status, days ago)
PLEDGES = [
    (0, 1, PledgeStatus.PLEDGED, 30),
    (0, 2, PledgeStatus.PLEDGED, 30),
    (0, 4, PledgeStatus.PARTIAL, 21),
    (1, 5, PledgeStatus.PLEDGED, 14),
    (2, 3, PledgeStatus.DECLINED, 12),
    (3, 1, PledgeStatus.PLEDGED, 9),
    (3, 2, PledgeStatus.PLEDGED, 9),
    (3, 3, PledgeStatus.PLEDGED, 9),
    (3, 4, PledgeStatus.PLEDGED, 9),
    (3, 5, PledgeStatus.PLEDGED, 9),
    (None, 2, PledgeStatus.PARTIAL, 5),
    (None, 4, PledgeStatus.PLEDGED, 2),
]


def load_demo(session: Session) -> str:
    """Create Exampleshire and its demonstration pledges, unless already there."""
    if session.exec(select(Authority).where(col(Authority.is_demo))).first():
        return "already loaded"
    council = Authority(
        slug="exampleshire-fictional",
        name="Exampleshire Council (fictional)",
        short_name="Exampleshire (fictional)",
        kind="UA",
        kind_name="Unitary authority",
        nation="England",
        is_demo=True,
    )
    parties = [Party(dc_id=i, name=n, slug=s, is_demo=True) for i, n, s in PARTIES]
    session.add_all([council, *parties])
    session.flush()
    election = Election(
        election_id=ELECTION_ID, kind="local", poll_date=POLL_DATE, authority_id=council.id
    )
    session.add(election)
    session.flush()
    people = _stand_candidates(session, election, parties)
    for index, position, status, days in PLEDGES:
        subject = people[index] if index is not None else None
        _pledge(session, subject, council, position, status, days)
    return f"Exampleshire (fictional) with {len(people)} candidates and {len(PLEDGES)} pledges"


def _stand_candidates(session: Session, election: Election, parties: list[Party]) -> list[Person]:
    """Create the fictional candidates and their ballots."""
    ballots: dict[str, Ballot] = {}
    people = []
    for offset, (name, ward, party, votes, elected) in enumerate(PEOPLE):
        slug = ward.lower().replace(" ", "-")
        if ward not in ballots:
            ballots[ward] = Ballot(
                ballot_paper_id=f"local.exampleshire-fictional.{slug}.{POLL_DATE}",
                election_id=election.id,
                post_label=ward,
                seats_contested=1,
            )
            session.add(ballots[ward])
        person = Person(
            id=FIRST_PERSON_ID + offset,
            name=name,
            slug=name.lower().replace(" ", "-"),
            is_demo=True,
        )
        session.add(person)
        session.flush()
        session.add(
            Candidacy(
                person_id=person.id,
                ballot_id=ballots[ward].id,
                party_id=parties[party].id,
                votes_cast=votes,
                elected=elected,
            )
        )
        people.append(person)
    return people


def _pledge(
    session: Session,
    person: Person | None,
    council: Authority,
    position: int,
    status: PledgeStatus,
    days_ago: int,
) -> None:
    """Record one demonstration pledge through the real write path."""
    recommendation = session.exec(
        select(Recommendation).where(Recommendation.position == position)
    ).one()
    if person is not None:
        subject, who, slug = Subject(person_id=person.id), person.name, person.slug
    else:
        subject, who, slug = Subject(authority_id=council.id), council.name, council.slug
    when = utcnow() - timedelta(days=days_ago)
    change = PledgeChange(
        status=status,
        delivery=Delivery.IN_PROGRESS
        if person is None and status is PledgeStatus.PLEDGED
        else Delivery.NOT_YET_RATED,
        evidence_url=f"https://example.org/exampleshire/{slug}/pledge-{position}",
        quote=f"Demonstration text: {who} answered recommendation {position} "
        f"({status.label.lower()}). This is not a real statement.",
        evidence_date=when.date(),
        note="Fictional demonstration data.",
    )
    save_pledge(session, subject, recommendation.id, change, expected_version=0, now=when)


def remove_demo(session: Session) -> int:
    """Delete every fictional row; return how many rows went."""
    people = list(session.exec(select(Person.id).where(col(Person.is_demo))))
    councils = list(session.exec(select(Authority.id).where(col(Authority.is_demo))))
    pledges = select(Pledge.id).where(
        col(Pledge.person_id).in_(people) | col(Pledge.authority_id).in_(councils)
    )
    elections = select(Election.id).where(col(Election.authority_id).in_(councils))
    ballots = select(Ballot.id).where(col(Ballot.election_id).in_(elections))
    removed = 0
    for stmt in (
        delete(PledgeEvent).where(col(PledgeEvent.pledge_id).in_(pledges)),
        delete(Pledge).where(col(Pledge.id).in_(pledges)),
        delete(Candidacy).where(col(Candidacy.ballot_id).in_(ballots)),
        delete(Ballot).where(col(Ballot.id).in_(ballots)),
        delete(Election).where(col(Election.id).in_(elections)),
        delete(Person).where(col(Person.is_demo)),
        delete(Party).where(col(Party.is_demo)),
        delete(Authority).where(col(Authority.is_demo)),
    ):
        removed += session.exec(stmt).rowcount
    return removed


class Named(Protocol):
    """A subject as a page names it: a person, an authority, or a query row standing for one."""

    @property
    def name(self) -> str:
        """Return the name as stored."""
        ...

    @property
    def is_demo(self) -> bool:
        """Return whether the subject is demonstration data."""
        ...


def shown_name(subject: Named) -> str:
    """Return a subject's name as pages print it: demonstration rows always say they are
    fictional, even where the name alone ("Chris Dummy") would not."""
    if subject.is_demo and "(fictional)" not in subject.name:
        return f"{subject.name} (fictional)"
    return subject.name
