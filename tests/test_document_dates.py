"""A 2018 strategy accepted today is a 2018 pledge: everywhere the pledge is published."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date

import feedparser
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from scrapers.extract.describe import describe
from scrapers.fetch.fetcher import Fetched
from scrapers.match.scoring import match_document
from scrapers.passages import DocumentBuilder
from tests.conftest import AuthActions, soup
from tests.factories import fictional_council, stored_document
from tracker.models import Authority, Document, Pledge, Proposal, Recommendation, utcnow
from tracker.pipeline.store import store_fetch
from tracker.review import document_label, plan_has_ended

STRATEGY = (
    "Killshire (fictional) Modern Slavery Partnership Strategy 2018–2021\n\n"
    "This strategy was approved by Cabinet on 12 March 2018.\n\n"
    "We will fund a dedicated modern slavery partnership coordinator for the multi-agency "
    "partnership against exploitation.\n"
)
TITLE = "Killshire (fictional) Modern Slavery Partnership Strategy 2018–2021"
URL = "https://killshire.example/strategy.txt"
PARTNERSHIP = "resourced-multi-agency-partnership"


@pytest.fixture
def council(db: Session) -> Authority:
    return fictional_council(db, "Killshire")


def proposal_for(db: Session, proposals: list[Proposal], slug: str) -> Proposal:
    """Return the proposal for one recommendation."""
    (rec_id,) = db.exec(select(Recommendation.id).where(Recommendation.slug == slug)).all()
    return next(p for p in proposals if p.recommendation_id == rec_id)


@pytest.fixture
def accepted(client: FlaskClient, auth: AuthActions, db: Session, council: Authority) -> Proposal:
    """Store the 2018 strategy, as a scrape would, and accept its partnership passage today."""
    proposals = stored_document(db, council, STRATEGY.encode(), URL, title="Strategy (link)")
    db.commit()
    match = proposal_for(db, proposals, PARTNERSHIP)
    auth.login_as()
    response = client.post(
        f"/campaign/review/{match.id}/accept",
        data={"status": "pledged"},
        headers={"HX-Request": "true", "X-CSRFToken": auth.csrf()},
    )
    assert response.status_code == 200
    return match


def scanned_strategy(db: Session, council: Authority) -> Proposal:
    """Store a strategy whose third page was read by OCR, and return its proposal."""
    built = DocumentBuilder()
    built.add_heading("Killshire (fictional) Anti-Slavery Plan 2025-2028", page=3, ocr=True)
    built.add(
        "We will fund a dedicated modern slavery partnership coordinator for the multi-agency "
        "partnership against exploitation.",
        page=3,
        ocr=True,
    )
    extracted = describe(built.build("pdf", page_count=3))
    body = extracted.text.encode()
    fetched = Fetched(
        url="https://killshire.example/scan.pdf",
        final_url="https://killshire.example/scan.pdf",
        status=200,
        content_type="application/pdf",
        body=body,
        sha256=hashlib.sha256(body).hexdigest(),
        fetched_at=utcnow(),
        etag=None,
        last_modified=None,
        redirects=(),
    )
    stored = store_fetch(
        db,
        authority_id=council.id,
        url=fetched.url,
        fetched=fetched,
        extracted=extracted,
        proposals=match_document(extracted),
    )
    db.commit()
    return proposal_for(db, stored.proposed, PARTNERSHIP)


def test_an_accepted_2018_strategy_is_a_2018_pledge_everywhere(
    app: Flask, db: Session, council: Authority, accepted: Proposal
) -> None:
    pledge = db.exec(select(Pledge).where(Pledge.authority_id == council.id)).one()
    assert pledge.evidence_date == date(2018, 3, 12)
    assert pledge.note == (f"Found by the scraper in “{TITLE}” (published 2018, covers 2018–2021).")
    public = app.test_client()
    page = soup(public.get(f"/authorities/{council.slug}"))
    (row,) = [
        r
        for r in page.select("table.pledges tbody tr")
        if r.select_one(f"a[href$='/recommendations/{PARTNERSHIP}']")
    ]
    assert "12 March 2018" in row.select_one(".source").text
    source = row.select_one(".source-document")
    assert source.cite.text == TITLE
    assert "(published 2018)" in source.text
    assert source.select_one(".plan-ended").text == "and has ended"
    (line,) = list(
        csv.DictReader(io.StringIO(public.get(f"/pledges.csv?authority={council.slug}").text))
    )
    assert line["evidence_date"] == "2018-03-12"
    (record,) = public.get(f"/api/v1/pledges?authority={council.slug}").get_json()["results"]
    assert record["date"] == "2018-03-12"
    feed = feedparser.parse(public.get(f"/feeds/authorities/{council.slug}.atom").data)
    assert not feed.bozo
    assert "12 March 2018" in feed.entries[0].content[0].value
    document = db.exec(select(Document).where(Document.url == URL)).one()
    facts = soup(public.get(f"/documents/{document.id}", follow_redirects=True))
    assert facts.select_one(".document__date").text == "12 March 2018"
    assert facts.select_one(".document__period").text == "2018–2021 (ended)"


def test_the_review_card_names_the_document_its_date_and_period(
    client: FlaskClient, auth: AuthActions, db: Session, council: Authority
) -> None:
    proposals = stored_document(db, council, STRATEGY.encode(), URL, title="Strategy (link)")
    db.commit()
    match = proposal_for(db, proposals, PARTNERSHIP)
    auth.login_as()
    card = soup(client.get("/campaign/review/")).select_one(f"#match-{match.id}")
    document = card.select_one(".document")
    assert document.a["href"] == URL
    assert document.cite.text == TITLE  # never the bare address
    assert document.select_one(".document__date").text == "published 12 March 2018"
    assert document.select_one(".document__period").text == "covers 2018–2021 (ended)"
    assert document.select_one(".document__page") is None  # plain text has no pages
    assert card.select_one(".ocr-warning") is None


def test_a_passage_read_by_ocr_is_marked_on_its_card(
    client: FlaskClient, auth: AuthActions, db: Session, council: Authority
) -> None:
    match = scanned_strategy(db, council)
    auth.login_as()
    card = soup(client.get("/campaign/review/")).select_one(f"#match-{match.id}")
    document = card.select_one(".document")
    assert document.a["href"] == "https://killshire.example/scan.pdf#page=3"
    assert document.select_one(".document__page").text == "page 3"
    assert document.select_one(".document__period").text == "covers 2025–2028"
    assert "Read by OCR" in card.select_one(".ocr-warning").text


def test_a_plan_is_over_only_after_its_last_year(db: Session, council: Authority) -> None:
    plan = Document(authority_id=council.id, url=URL, url_hash="x", period_end=2021)
    assert not plan_has_ended(plan, date(2021, 12, 31))
    assert plan_has_ended(plan, date(2022, 1, 1))
    assert not plan_has_ended(Document(authority_id=0, url=URL, url_hash="y"), date(2030, 1, 1))


def test_the_stored_document_knows_its_title_date_and_period(
    db: Session, council: Authority
) -> None:
    stored_document(db, council, STRATEGY.encode(), URL, title="Strategy (link)")
    document = db.exec(select(Document).where(Document.url == URL)).one()
    assert (document.title, document.published_on, document.date_source) == (
        TITLE,
        date(2018, 3, 12),
        "stated",
    )
    assert (document.period_start, document.period_end, document.ocr) == (2018, 2021, False)
    assert document_label(document, 4) == f"“{TITLE}” (published 2018, covers 2018–2021), page 4"


def test_last_modified_dates_a_document_that_gives_only_its_period(
    db: Session, council: Authority
) -> None:
    plan = b"Killshire (fictional) Partnership Plan 2019-2022\n\nWe will train staff.\n"
    stored_document(
        db, council, plan, URL, title="Plan", last_modified="Tue, 14 May 2019 10:00:00 GMT"
    )
    document = db.exec(select(Document).where(Document.url == URL)).one()
    assert (document.published_on, document.date_source) == (date(2019, 5, 14), "last-modified")


def test_last_modified_years_after_the_plan_is_passed_over(db: Session, council: Authority) -> None:
    plan = b"Killshire (fictional) Partnership Plan 2019-2022\n\nWe will train staff.\n"
    stored_document(
        db, council, plan, URL, title="Plan", last_modified="Mon, 02 Feb 2026 10:00:00 GMT"
    )
    document = db.exec(select(Document).where(Document.url == URL)).one()
    assert (document.published_on, document.date_source) == (date(2019, 1, 1), "period")
