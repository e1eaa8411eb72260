"""Builders for test data that go through the real write paths.

People and parties made here are fictional; authorities are the real ones imported for
the test session, looked up by GSS code.
"""

from __future__ import annotations

import itertools
from datetime import date

from sqlmodel import Session, select

from tracker.imports.candidates import CandidacyRow, Upsert
from tracker.models import Authority, Delivery, Person, Pledge, PledgeStatus, Recommendation
from tracker.pledging import PledgeChange, record_pledge

SHEFFIELD = "E08000019"
_ids = itertools.count(800_000_001)


def authority(session: Session, gss_code: str = SHEFFIELD) -> Authority:
    """Return a real authority by GSS code."""
    return session.exec(select(Authority).where(Authority.gss_code == gss_code)).one()


def candidate(
    session: Session,
    name: str = "Testy McTestface",
    *,
    gss_code: str = SHEFFIELD,
    party: tuple[str, str] = ("fictional-party:1", "Fictional Party"),
    ward: str = "Fictional Ward",
    poll_date: date = date(2024, 5, 2),
    elected: bool | None = None,
    votes: int | None = None,
) -> Person:
    """Stand a fictional person in a local election for a real authority."""
    council = authority(session, gss_code)
    person_id = next(_ids)
    ward_slug = ward.lower().replace(" ", "-")
    election_id = f"local.{council.slug}.{poll_date}"
    row = CandidacyRow(
        line=2,
        person_id=person_id,
        person_name=name,
        election_id=election_id,
        election_type="local",
        poll_date=poll_date,
        authority_id=council.id or 0,
        ballot_paper_id=f"local.{council.slug}.{ward_slug}.{poll_date}",
        post_label=ward,
        post_id=None,
        ward_gss=None,
        seats_contested=1,
        cancelled=False,
        party_dc_id=party[0],
        party_name=party[1],
        votes_cast=votes,
        elected=elected,
    )
    Upsert(session).run([row])
    return session.get_one(Person, person_id)


def pledge_of(session: Session, slug: str, *, person: Person | None = None,
              authority_row: Authority | None = None) -> Pledge:  # fmt: skip
    """Return a subject's pledge row for the recommendation with this slug."""
    stmt = select(Pledge).join(Recommendation).where(Recommendation.slug == slug)
    if person is not None:
        stmt = stmt.where(Pledge.person_id == person.id)
    else:
        assert authority_row is not None
        stmt = stmt.where(Pledge.authority_id == authority_row.id)
    return session.exec(stmt).one()


def record(
    session: Session,
    pledge: Pledge,
    status: PledgeStatus = PledgeStatus.PLEDGED,
    *,
    quote: str | None = "We will make this a priority.",
    evidence_url: str | None = "https://example.org/evidence",
    delivery: Delivery = Delivery.NOT_YET_RATED,
    actor_id: int | None = None,
) -> Pledge:
    """Record a pledge through the real write path and return it refreshed."""
    change = PledgeChange(status=status, delivery=delivery, quote=quote,
                          evidence_url=evidence_url)  # fmt: skip
    record_pledge(session, pledge, change, expected_version=pledge.version, actor_id=actor_id)
    session.flush()
    return pledge
