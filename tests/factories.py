"""Builders for test data that go through the real write paths.

People, parties and `fictional_council` are invented; `authority` returns the real ones
imported for the test session. Pledges and commitments are only ever recorded for the
invented ones: no test attributes an invented pledge to a real person or body.
"""

from __future__ import annotations

import hashlib
import itertools
from datetime import date, datetime

from sqlmodel import Session, select

from scrapers.extract.dispatch import extract
from scrapers.fetch.fetcher import Fetched
from scrapers.match.scoring import match_document
from tracker.imports.candidates import CandidacyRow, Upsert
from tracker.models import (
    Authority,
    Delivery,
    Person,
    Pledge,
    PledgeStatus,
    Proposal,
    Recommendation,
    utcnow,
)
from tracker.pipeline.store import store_fetch
from tracker.pledging import PledgeChange, Subject, find_pledge, save_pledge

SHEFFIELD = "E08000019"
_ids = itertools.count(800_000_001)


def authority(session: Session, gss_code: str = SHEFFIELD) -> Authority:
    """Return a real authority by GSS code."""
    return session.exec(select(Authority).where(Authority.gss_code == gss_code)).one()


def fictional_council(
    session: Session, name: str = "Testshire", *, demo: bool = False
) -> Authority:
    """Return an invented council (created on first use) to record pledges against.

    It stands for an ordinary tracked council, so public counts include it; `demo` marks
    it as demonstration data instead, which every public figure leaves out.
    """
    slug = f"{name.lower()}-fictional"
    found = session.exec(select(Authority).where(Authority.slug == slug)).first()
    if found is not None:
        return found
    council = Authority(
        slug=slug,
        name=f"{name} Council (fictional)",
        short_name=f"{name} (fictional)",
        gss_code=f"X9900{sum(map(ord, name)) % 10000:04d}",
        kind="UA",
        kind_name="Unitary authority",
        nation="England",
        region="Yorkshire and The Humber",
        is_demo=demo,
    )
    session.add(council)
    session.flush()
    return council


def candidate(
    session: Session,
    name: str = "Testy McTestface",
    *,
    gss_code: str = SHEFFIELD,
    council: Authority | None = None,
    party: tuple[str, str] = ("fictional-party:1", "Fictional Party"),
    ward: str = "Fictional Ward",
    ward_gss: str | None = None,
    poll_date: date = date(2024, 5, 2),
    elected: bool | None = None,
    votes: int | None = None,
) -> Person:
    """Stand a fictional person in a local election (for a real authority by default)."""
    council = council or authority(session, gss_code)
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
        authority_id=council.id,
        ballot_paper_id=f"local.{council.slug}.{ward_slug}.{poll_date}",
        post_label=ward,
        post_id=None,
        ward_gss=ward_gss,
        seats_contested=1,
        cancelled=False,
        party_dc_id=party[0],
        party_name=party[1],
        votes_cast=votes,
        elected=elected,
    )
    Upsert(session).run([row])
    return session.get_one(Person, person_id)


def pledge_of(
    session: Session,
    slug: str,
    *,
    person: Person | None = None,
    authority_row: Authority | None = None,
) -> Pledge:
    """Return a subject's pledge on a recommendation, or an unsaved stand-in (version 0)."""
    rec = session.exec(select(Recommendation).where(Recommendation.slug == slug)).one()
    subject = Subject(
        person_id=person.id if person else None,
        authority_id=authority_row.id if authority_row else None,
    )
    found = find_pledge(session, subject, rec.id)
    if found is not None:
        return found
    return Pledge(
        recommendation_id=rec.id,
        person_id=subject.person_id,
        authority_id=subject.authority_id,
        version=0,
    )


def record(
    session: Session,
    pledge: Pledge,
    status: PledgeStatus = PledgeStatus.PLEDGED,
    *,
    quote: str | None = "We will make this a priority.",
    evidence_url: str | None = "https://example.org/evidence",
    delivery: Delivery = Delivery.NOT_YET_RATED,
    actor_id: int | None = None,
    now: datetime | None = None,
) -> Pledge:
    """Record an answer through the real write path and return the saved pledge."""
    change = PledgeChange(status=status, delivery=delivery, quote=quote, evidence_url=evidence_url)
    subject = Subject(person_id=pledge.person_id, authority_id=pledge.authority_id)
    saved, _ = save_pledge(
        session,
        subject,
        pledge.recommendation_id,
        change,
        expected_version=pledge.version,
        actor_id=actor_id,
        now=now,
    )
    session.flush()
    assert saved is not None
    return saved


def stored_document(
    session: Session,
    council: Authority,
    body: bytes,
    url: str,
    *,
    title: str,
    content_type: str = "text/plain",
    last_modified: str | None = None,
) -> list[Proposal]:
    """Store a fetched document (text) through the real store, as a scrape would.

    Returns the passages it proposed for review; the caller commits.
    """
    fetched = Fetched(
        url=url,
        final_url=url,
        status=200,
        content_type=content_type,
        body=body,
        sha256=hashlib.sha256(body).hexdigest(),
        fetched_at=utcnow(),
        etag=None,
        last_modified=last_modified,
        redirects=(),
    )
    extracted = extract(body, content_type)
    stored = store_fetch(
        session,
        authority_id=council.id,
        url=url,
        fetched=fetched,
        extracted=extracted,
        proposals=match_document(extracted),
        title=title,
    )
    return stored.proposed
