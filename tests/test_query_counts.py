"""Every public page runs a fixed number of SQL queries, however many rows it shows.

Each page is requested once with a few fictional candidates and answers, then again after
twice as many more have been added (and the candidate it names has stood again): the
number of SELECT statements must not change, so nothing runs a query per row, and must
stay within the bound stated here. The bounds are today's counts; lower them as pages get
leaner, and raise one only with a reason. The people, parties and council are invented
and their answers are recorded through the real write paths.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from tests.factories import candidate, fictional_council, pledge_of, record
from tests.sql import counted_queries
from tracker.imports.candidates import CandidacyRow, Upsert
from tracker.models import Authority, Person, PledgeStatus, Recommendation

PARTY = ("fictional-party:counted", "Counted Party (fictional)")
FEW = 3
COUNCIL = "Countshire"


@dataclass(frozen=True)
class Page:
    """A public URL (with {rec}, {council}, {party}, {person} and {slug} to fill), its bound."""

    url: str
    bound: int


PAGES = {
    "home": Page("/", 11),
    "recommendations": Page("/recommendations/", 7),
    "recommendation": Page("/recommendations/{rec}", 21),
    "authorities": Page("/authorities/?nation=England", 11),
    "authority": Page("/authorities/{council}", 11),
    "candidates by party": Page("/candidates/?party={party}", 10),
    "candidates by name": Page("/candidates/?q=Counted", 9),
    "candidate": Page("/candidates/{person}-{slug}", 5),
    "parties": Page("/parties/", 8),
    "party": Page("/parties/{party}", 13),
    "feed: all": Page("/feeds/updates.atom", 4),
    # Three more than a candidate's: its documents' freshness, versions and withdrawals.
    "feed: authority": Page("/feeds/authorities/{council}.atom", 7),
    "feed: party": Page("/feeds/parties/{party}.rss", 5),
    "feed: candidate": Page("/feeds/candidates/{person}.atom", 5),
    "api: candidates": Page("/api/v1/candidates?party={party}", 7),
    "api: authorities": Page("/api/v1/authorities?nation=England", 6),
    "api: pledges": Page("/api/v1/pledges?party={party}", 5),
    "api: events": Page("/api/v1/events?party={party}", 3),
    # Downloads are page-cached too: one more query reads the data version (then none at all
    # while the data has not changed).
    "csv: candidates": Page("/candidates.csv?party={party}", 7),
    "csv: authorities": Page("/authorities.csv?nation=England", 6),
    "csv: pledges": Page("/pledges.csv?party={party}", 5),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_queries_do_not_grow_with_rows(
    app: Flask, client: FlaskClient, db: Session, name: str
) -> None:
    page = PAGES[name]
    council = fictional_council(db, COUNCIL)
    recs = list(db.exec(select(Recommendation).order_by(col(Recommendation.position))))
    people = _stand(db, council, FEW, recs)
    first = people[0]
    url = page.url.format(
        rec=recs[0].slug,
        council=council.slug,
        party="counted-party-fictional",
        person=first.id,
        slug=first.slug,
    )
    few = _selects(app, client, url)
    _stand(db, council, 2 * FEW, recs)
    _stand_again(db, first, council)
    record(db, pledge_of(db, recs[0].slug, person=first), PledgeStatus.DECLINED, quote="No.")
    for rec in recs[1:]:
        record(db, pledge_of(db, rec.slug, authority_row=council))
    many = _selects(app, client, url)
    assert many == few, f"{url}: {few} queries for {FEW} candidates, {many} for {3 * FEW}"
    assert many <= page.bound, f"{url} runs {many} queries; its bound is {page.bound}"


def _selects(app: Flask, client: FlaskClient, url: str) -> int:
    """Request `url` (reading a streamed body to its end) and count the SELECTs it ran."""
    with counted_queries(app) as statements:
        response = client.get(url)
        response.get_data()
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return len(statements)


def _stand(db: Session, council: Authority, count: int, recs: list[Recommendation]) -> list[Person]:
    """Stand `count` fictional candidates for the party, each answering some recommendations."""
    people = []
    for n in range(count):
        person = candidate(
            db, f"Counted Person {n} (fictional)", council=council, party=PARTY, ward=f"Ward {n}"
        )
        for rec in recs[: 1 + n % len(recs)]:
            record(db, pledge_of(db, rec.slug, person=person))
        people.append(person)
    record(db, pledge_of(db, recs[0].slug, authority_row=council), PledgeStatus.PARTIAL)
    return people


def _stand_again(db: Session, person: Person, council: Authority) -> None:
    """Give a candidate a second candidacy, in a later election of the same council."""
    poll_date = date(2025, 5, 1)
    row = CandidacyRow(
        line=2,
        person_id=person.id,
        person_name=person.name,
        election_id=f"local.{council.slug}.{poll_date}",
        election_type="local",
        poll_date=poll_date,
        authority_id=council.id,
        ballot_paper_id=f"local.{council.slug}.later-ward.{poll_date}",
        post_label="Later Ward",
        post_id=None,
        ward_gss=None,
        seats_contested=1,
        cancelled=False,
        party_dc_id=PARTY[0],
        party_name=PARTY[1],
        votes_cast=None,
        elected=None,
    )
    Upsert(db).run([row])
    db.flush()
