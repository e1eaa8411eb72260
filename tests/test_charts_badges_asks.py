"""Charts that match the data, badges that are valid SVG, and asks ready to send."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree
from sqlalchemy import text
from sqlmodel import Session, select

from tests.conftest import AuthActions, soup
from tests.factories import candidate, fictional_council, pledge_of, record
from tracker.models import Authority, PledgeEvent, PledgeStatus
from tracker.queries.charts import answers_by_region, pledges_over_time
from tracker.queries.parties import party_records
from tracker.queries.pledges import tallies

SVG = "{http://www.w3.org/2000/svg}"


def bars(page: BeautifulSoup, chart_id: str) -> dict[str, dict[str, int]]:
    """Read a chart's numbers back out of its SVG."""
    chart = page.select_one(f"svg#{chart_id}")
    assert chart is not None and chart["role"] == "img"
    assert chart.select_one(f"title#{chart_id}-title") and chart.select_one(f"desc#{chart_id}-desc")
    return {
        row["data-label"]: {r["data-status"]: int(r["data-value"]) for r in row.select("rect")}
        for row in chart.select("g.chart-row")
    }


def test_the_home_chart_shows_each_recommendation_s_answers(
    client: FlaskClient, db: Session
) -> None:
    people = [candidate(db, f"Chart Person {n}", council=fictional_council(db)) for n in range(3)]
    record(db, pledge_of(db, "pathways-to-support", person=people[0]))
    record(db, pledge_of(db, "pathways-to-support", person=people[1]), PledgeStatus.PARTIAL)
    record(
        db,
        pledge_of(db, "pathways-to-support", person=people[2]),
        PledgeStatus.DECLINED,
        quote="No.",
    )
    drawn = bars(soup(client.get("/")), "chart-recommendations")
    for tally in tallies(db):
        label = f"{tally.recommendation.position}. {tally.recommendation.title}"
        expected = {s.value: n for s, n in tally.candidates.items() if n}
        assert drawn[label] == expected
    assert drawn["4. Create pathways to support services"]["pledged"] == 1


def test_the_timeline_counts_pledges_standing_each_week(client: FlaskClient, db: Session) -> None:
    person = candidate(db, "Timeline Person", council=fictional_council(db))
    pledge = record(db, pledge_of(db, "pathways-to-support", person=person))
    record(db, pledge_of(db, "listen-to-lived-experience", person=person))
    events = db.exec(select(PledgeEvent)).all()
    events[0].occurred_at -= timedelta(days=14)
    db.add(events[0])
    db.flush()
    weeks = pledges_over_time(db)
    assert [count for _, count in weeks] == [1, 1, 2]
    record(db, pledge, PledgeStatus.DECLINED, quote="Changed my mind.")
    assert pledges_over_time(db)[-1][1] == 1
    points = soup(client.get("/")).select("svg#chart-timeline circle")
    assert [int(p["data-value"]) for p in points] == [c for _, c in pledges_over_time(db)]


def test_the_timeline_puts_each_pledge_in_its_utc_week(db: Session) -> None:
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SET LOCAL TIME ZONE 'Asia/Tokyo'"))  # the server's zone must not count
    person = candidate(db, "Midnight Person", council=fictional_council(db))
    record(db, pledge_of(db, "pathways-to-support", person=person))
    record(db, pledge_of(db, "listen-to-lived-experience", person=person))
    first, second = db.exec(select(PledgeEvent).order_by(PledgeEvent.id)).all()
    first.occurred_at = datetime(2024, 5, 5, 23, 30, tzinfo=UTC)  # a Sunday, late
    second.occurred_at = datetime(2024, 5, 6, 0, 30, tzinfo=UTC)  # the Monday after
    db.add_all([first, second])
    db.flush()

    assert pledges_over_time(db) == [(date(2024, 4, 29), 1), (date(2024, 5, 6), 2)]


def test_the_parties_chart_matches_the_party_records(client: FlaskClient, db: Session) -> None:
    council = fictional_council(db)
    party = ("fictional-party:chart", "Chartist Party (fictional)")
    person = candidate(db, "Party Person", council=council, party=party)
    record(db, pledge_of(db, "pathways-to-support", person=person))
    drawn = bars(soup(client.get("/parties/")), "chart-parties")
    record_ = next(r for r in party_records(db) if r.party.name == party[1])
    assert drawn[party[1]] == {s.value: n for s, n in record_.by_status.items() if n}
    assert drawn[party[1]] == {"pledged": 1, "awaiting-response": 4}


def test_the_regions_chart_matches_authorities_answers(client: FlaskClient, db: Session) -> None:
    council = fictional_council(db)
    record(db, pledge_of(db, "pathways-to-support", authority_row=council))
    drawn = bars(soup(client.get("/authorities/")), "chart-regions")
    computed = {
        row.label: {s.value: n for s, n in row.counts.items() if n} for row in answers_by_region(db)
    }
    assert drawn == computed
    region = drawn["Yorkshire and The Humber"]
    councils = db.exec(
        select(Authority).where(
            Authority.region == "Yorkshire and The Humber", Authority.kind != "PFA"
        )
    ).all()
    assert region["pledged"] == 1 and sum(region.values()) >= 4 * len(councils)


def test_badges_are_valid_accessible_svg_with_etags(client: FlaskClient, db: Session) -> None:
    council = fictional_council(db)
    person = candidate(db, "Badge Holder", council=council)
    for slug in ("pathways-to-support", "listen-to-lived-experience"):
        record(db, pledge_of(db, slug, person=person))
    record(db, pledge_of(db, "priority-in-strategic-plans", person=person), PledgeStatus.PARTIAL)
    response = client.get(f"/badges/{person.id}.svg")
    assert response.mimetype == "image/svg+xml" and response.headers["ETag"]
    svg = etree.fromstring(response.data)
    assert svg.tag == f"{SVG}svg" and svg.get("role") == "img"
    title = svg.find(f"{SVG}title").text
    assert title == "Pledged 2 of 5, 1 in part — Modern Slavery Local Pledge"
    assert svg.get("aria-label") == title
    assert float(svg.get("width")) > 200 and svg.get("viewBox")
    again = client.get(
        f"/badges/{person.id}.svg", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304
    district = client.get("/badges/authorities/tewkesbury.svg")
    text = etree.fromstring(district.data).find(f"{SVG}title").text
    assert text.startswith("Pledged 0 of 4")  # a district cannot deliver safeguarding
    assert client.get("/badges/123456789.svg").status_code == 404
    page = soup(client.get(f"/candidates/{person.id}-{person.slug}"))
    snippet = page.select_one("#badge-code").text
    assert f"/badges/{person.id}.svg" in snippet and f"/candidates/{person.id}-" in snippet


def test_a_silent_candidate_gets_an_ask_that_disappears_once_they_answer(
    client: FlaskClient, db: Session
) -> None:
    person = candidate(db, "Quiet Quentin", council=fictional_council(db))
    person.email = "quentin@example.org"
    db.add(person)
    db.flush()
    page = soup(client.get(f"/candidates/{person.id}-{person.slug}"))
    link = page.select_one("section.ask a[href^='mailto:']")["href"]
    parts = urlsplit(link)
    query = parse_qs(parts.query)
    assert unquote(parts.path) == "quentin@example.org"
    assert query["subject"] == ["Will you pledge to tackle modern slavery locally?"]
    body = query["body"][0]
    assert "Dear Quiet Quentin" in body and "4. Create pathways to support services" in body
    assert page.select_one("#ask-text").text == body
    record(db, pledge_of(db, "pathways-to-support", person=person))
    assert soup(client.get(f"/candidates/{person.id}-{person.slug}")).select("section.ask") == []


def test_campaigners_get_a_mail_merge_of_everyone_yet_to_answer(
    client: FlaskClient, auth: AuthActions, db: Session
) -> None:
    council = fictional_council(db)
    quiet = candidate(db, "Ada Awaiting", council=council)
    spoke = candidate(db, "Bo Answered", council=council)
    record(db, pledge_of(db, "pathways-to-support", person=spoke))
    db.commit()
    auth.login_as()
    page = soup(client.get(f"/campaign/asks?authority={council.slug}"))
    assert [a.text for a in page.select("tbody th a")] == ["Ada Awaiting"]
    download = client.get(f"/campaign/asks.csv?authority={council.slug}")
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True))))
    assert [r["name"] for r in rows] == ["Ada Awaiting"]
    assert list(rows[0]) == [
        "name",
        "email",
        "party",
        "authority",
        "ward",
        "election_date",
        "page",
        "subject",
        "body",
    ]
    assert rows[0]["page"].endswith(f"/candidates/{quiet.id}-{quiet.slug}")
    assert "Dear Ada Awaiting" in rows[0]["body"]
    assert client.get("/campaign/asks?authority=atlantis").status_code == 404


def test_the_ask_copies_the_campaign_in_and_asks_for_replies_to_it(
    app: Flask, client: FlaskClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "CAMPAIGN_EMAIL", "campaign@pledge-tracker.invalid")
    person = candidate(db, "Quiet Quentin", council=fictional_council(db))
    person.email = "quentin@example.org"
    db.add(person)
    db.flush()
    page = soup(client.get(f"/candidates/{person.id}-{person.slug}"))
    parts = urlsplit(page.select_one("section.ask a[href^='mailto:']")["href"])
    query = parse_qs(parts.query)
    assert unquote(parts.path) == "quentin@example.org"
    assert query["cc"] == ["campaign@pledge-tracker.invalid"]
    assert "reply to the campaign at campaign@pledge-tracker.invalid" in query["body"][0]
    assert "all we need" not in query["body"][0]
    assert page.select("section.badge") == []


def test_an_ask_without_a_published_address_says_so(client: FlaskClient, db: Session) -> None:
    person = candidate(db, "Unlisted Una", council=fictional_council(db))
    page = soup(client.get(f"/candidates/{person.id}-{person.slug}"))
    link = page.select_one("section.ask a[href^='mailto:']")["href"]
    assert urlsplit(link).path == ""
    assert "no published address" in page.select_one("section.ask p").get_text()
    assert page.select("#badge-code") == []
