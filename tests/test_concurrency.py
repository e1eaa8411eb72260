"""Two campaigners saving the same pledge at once, on real separate connections.

These tests commit for real (each thread has its own connection, as two web workers
would), so they clean up after themselves instead of relying on a rolled-back transaction.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from sqlmodel import Session, col, delete, select

from tests.factories import candidate, fictional_council
from tracker import pledging
from tracker.db import EXTENSION, Database, write_intent
from tracker.models import (
    Authority,
    Ballot,
    Candidacy,
    Election,
    Party,
    Person,
    Pledge,
    PledgeEvent,
    PledgeStatus,
    Recommendation,
)
from tracker.pledging import PledgeChange, StaleEdit, Subject, save_pledge

RACERS = 2
RACETOWN = "racetown-fictional"


@pytest.fixture
def database(app: Flask) -> Iterator[Database]:
    """Return the app's real database, removing what the test committed afterwards."""
    database: Database = app.extensions[EXTENSION]
    yield database
    with database.session() as session:
        people = select(Person.id).where(col(Person.name).startswith("Racing "))
        pledges = select(Pledge.id).where(col(Pledge.person_id).in_(people))
        ballots = select(Ballot.id).where(col(Ballot.post_label) == "Race Ward")
        for stmt in (
            delete(PledgeEvent).where(col(PledgeEvent.pledge_id).in_(pledges)),
            delete(Pledge).where(col(Pledge.person_id).in_(people)),
            delete(Candidacy).where(col(Candidacy.ballot_id).in_(ballots)),
            delete(Ballot).where(col(Ballot.post_label) == "Race Ward"),
            delete(Election).where(col(Election.id).not_in(select(Ballot.election_id))),
            delete(Person).where(col(Person.name).startswith("Racing ")),
            delete(Party).where(col(Party.dc_id) == "fictional-party:race"),
            delete(Authority).where(col(Authority.slug) == RACETOWN),
        ):
            session.exec(stmt)
        session.commit()


def race(database: Database, attempt: Callable[[Session], None]) -> list[str]:
    """Run `attempt` in two threads at once; return "saved" or "stale" for each."""
    outcomes: list[str] = []
    barrier = threading.Barrier(RACERS)
    real_find = pledging.find_pledge

    def find_then_wait(*args: object) -> Pledge | None:
        found = real_find(*args)  # type: ignore[arg-type]
        # Both read the same version before either writes (where the locks allow it).
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=2)
        return found

    def run() -> None:
        with write_intent(), database.session() as session:
            try:
                attempt(session)
                session.commit()
                outcomes.append("saved")
            except StaleEdit:
                session.rollback()
                outcomes.append("stale")

    pledging.find_pledge = find_then_wait  # type: ignore[assignment]
    try:
        threads = [threading.Thread(target=run) for _ in range(RACERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        pledging.find_pledge = real_find
    return sorted(outcomes)


def setup_person(database: Database) -> tuple[int, int]:
    """Commit a fictional candidate and return their id and a recommendation id."""
    with database.session() as session:
        person = candidate(
            session,
            "Racing Rita",
            council=fictional_council(session, "Racetown"),
            ward="Race Ward",
            party=("fictional-party:race", "Racing Party (fictional)"),
        )
        session.commit()
        rec = session.exec(select(Recommendation.id)).first()
        return person.id, rec or 0


@pytest.mark.parametrize("first_version", [0, 1])
def test_exactly_one_of_two_simultaneous_saves_wins(database: Database, first_version: int) -> None:
    person_id, rec_id = setup_person(database)
    subject = Subject(person_id=person_id)
    if first_version:
        with write_intent(), database.session() as session:
            save_pledge(
                session,
                subject,
                rec_id,
                PledgeChange(PledgeStatus.PARTIAL, quote="a"),
                expected_version=0,
            )
            session.commit()

    def attempt(session: Session) -> None:
        change = PledgeChange(PledgeStatus.PLEDGED, quote=f"by {threading.get_ident()}")
        save_pledge(session, subject, rec_id, change, expected_version=first_version)

    assert race(database, attempt) == ["saved", "stale"]
    with database.session() as session:
        pledge = session.exec(select(Pledge).where(Pledge.person_id == person_id)).one()
        events = session.exec(select(PledgeEvent).where(PledgeEvent.pledge_id == pledge.id)).all()
        assert pledge.version == first_version + 1
        assert len(events) == first_version + 1  # the setup's event, if any, and one change
