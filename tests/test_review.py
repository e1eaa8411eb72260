"""The review queue: proposed passages accepted as pledges or rejected for good."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from tests.conftest import AuthActions, soup
from tests.factories import fictional_council, pledge_of, record, stored_document
from tests.sql import FIND_PLEDGE, counted_queries
from tracker.models import (
    Authority,
    Delivery,
    Document,
    Pledge,
    PledgeEvent,
    PledgeStatus,
    Proposal,
    Recommendation,
    Source,
)
from tracker.review import AlreadyReviewed, accept_match, reject_match, source_link

STRATEGY = (
    b"Testshire modern slavery strategy (fictional)\n\n"
    b"We will fund a dedicated modern slavery partnership coordinator for the multi-agency "
    b"partnership against exploitation.\n\n"
    b"We will commission an Independent Modern Slavery Advocate service for survivors.\n"
)
URL = "https://testshire.example/strategy.pdf"
HX = {"HX-Request": "true"}


def store(
    db: Session, council: Authority, body: bytes = STRATEGY, url: str = URL
) -> list[Proposal]:
    """Store a fetched document through the real store, as a scrape would."""
    proposed = stored_document(
        db,
        council,
        body,
        url,
        title="Testshire strategy (fictional)",
        content_type="text/plain",  # a PDF address serving plain text: no pages
    )
    db.commit()
    return proposed


@pytest.fixture
def council(db: Session) -> Authority:
    return fictional_council(db)


@pytest.fixture
def proposed(db: Session, council: Authority) -> dict[str, Proposal]:
    recs = {r.id: r.slug for r in db.exec(select(Recommendation))}
    return {recs[m.recommendation_id]: m for m in store(db, council)}


def test_the_queue_shows_passages_best_first_with_context_and_source(
    client: FlaskClient, auth: AuthActions, proposed: dict[str, Proposal]
) -> None:
    auth.login_as()
    page = soup(client.get("/campaign/review/"))
    items = page.select("article.review-item")
    assert len(items) == len(proposed) >= 2
    scores = [float(i.select_one(".meta").text.split()[1]) for i in items]
    assert scores == sorted(scores, reverse=True)
    partnership = page.select_one(f"#match-{proposed['resourced-multi-agency-partnership'].id}")
    assert "partnership coordinator" in partnership.select_one("mark").text
    assert partnership.select_one(".meta a[href^='https://testshire.example/strategy.pdf']")
    assert "Testshire Council (fictional)" in partnership.h3.text


def test_the_queue_filters_by_authority_and_recommendation(
    client: FlaskClient, auth: AuthActions, db: Session, proposed: dict[str, Proposal]
) -> None:
    store(db, fictional_council(db, "Otherton"), url="https://otherton.example/s.pdf")
    auth.login_as()
    everything = soup(client.get("/campaign/review/")).select("article.review-item")
    only = soup(client.get("/campaign/review/?authority=testshire-fictional")).select(
        "article.review-item"
    )
    assert len(everything) == 2 * len(only)
    one = soup(client.get("/campaign/review/?recommendation=safeguarding-and-independent-advocacy"))
    assert len(one.select("article.review-item")) == 2
    assert client.get("/campaign/review/?authority=atlantis").status_code == 404


def test_accepting_records_the_pledge_with_the_passage_as_evidence(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    db: Session,
    council: Authority,
    proposed: dict[str, Proposal],
) -> None:
    user = auth.login_as()
    match = proposed["resourced-multi-agency-partnership"]
    response = client.post(
        f"/campaign/review/{match.id}/accept",
        data={"status": "pledged"},
        headers={**HX, "X-CSRFToken": auth.csrf()},
    )
    assert response.status_code == 200 and "<html" not in response.get_data(as_text=True)
    assert "Accepted" in soup(response).select_one("article.review-item--decided").text
    db.expire_all()
    pledge = db.exec(select(Pledge).where(Pledge.authority_id == council.id)).one()
    assert (pledge.status, pledge.quote) == ("pledged", match.passage)
    assert pledge.evidence_url == URL  # plain text has no pages, so no #page=
    event = db.exec(select(PledgeEvent).where(PledgeEvent.pledge_id == pledge.id)).one()
    assert event.actor_id == user.id
    db.refresh(match)
    assert (match.review_status, match.reviewer_id, match.pledge_event_id) == (
        "accepted",
        user.id,
        event.id,
    )
    public = app.test_client()
    row = soup(public.get(f"/authorities/{council.slug}")).select("table.pledges tbody tr")[1]
    assert row.select_one(".status").text == "Pledged"
    feed = feedparser.parse(public.get(f"/feeds/authorities/{council.slug}.atom").data)
    assert not feed.bozo
    assert [e.title for e in feed.entries] == [
        "Testshire Council (fictional) pledged: Resource multi-agency partnerships"
    ]
    assert "partnership coordinator" in feed.entries[0].content[0].value
    assert soup(client.get("/campaign/review/")).select(f"#match-{match.id}") == []


def test_accepting_over_an_earlier_answer_keeps_its_delivery_rating(
    db: Session, auth: AuthActions, council: Authority, proposed: dict[str, Proposal]
) -> None:
    reviewer = auth.user()
    earlier = pledge_of(db, "resourced-multi-agency-partnership", authority_row=council)
    record(db, earlier, PledgeStatus.PLEDGED, delivery=Delivery.IN_PROGRESS)
    match = proposed["resourced-multi-agency-partnership"]
    document = db.get_one(Document, match.document_id)
    document.content_type, match.page = "application/pdf", 4  # read from a PDF's fourth page
    event = accept_match(db, match, status=PledgeStatus.PARTIAL, reviewer_id=reviewer.id or 0)
    assert event is not None and (event.from_status, event.to_status) == ("pledged", "partial")
    pledge = pledge_of(db, "resourced-multi-agency-partnership", authority_row=council)
    assert (pledge.version, pledge.delivery) == (2, "in-progress")
    assert pledge.note == f"Found by the scraper in “{document.title}”, page 4."
    assert pledge.evidence_url == f"{URL}#page=4"
    assert document.fetched_at is not None
    assert pledge.evidence_date == document.fetched_at.date()


def test_accepting_over_a_refusal_starts_delivery_unrated(
    db: Session, auth: AuthActions, council: Authority, proposed: dict[str, Proposal]
) -> None:
    reviewer = auth.user()
    earlier = pledge_of(db, "resourced-multi-agency-partnership", authority_row=council)
    record(db, earlier, PledgeStatus.DECLINED)
    match = proposed["resourced-multi-agency-partnership"]
    accept_match(db, match, status=PledgeStatus.PLEDGED, reviewer_id=reviewer.id or 0)
    pledge = pledge_of(db, "resourced-multi-agency-partnership", authority_row=council)
    assert (pledge.status, pledge.delivery, pledge.version) == ("pledged", "not-yet-rated", 2)
    title = db.get_one(Document, match.document_id).title
    assert pledge.note == f"Found by the scraper in “{title}”."


def test_a_passage_is_never_accepted_as_a_refusal(
    db: Session, auth: AuthActions, proposed: dict[str, Proposal]
) -> None:
    match = proposed["resourced-multi-agency-partnership"]
    with pytest.raises(ValueError, match="^a passage can only be accepted as pledged or partly"):
        accept_match(db, match, status=PledgeStatus.DECLINED, reviewer_id=auth.user().id or 0)
    db.refresh(match)
    assert (match.review_status, db.exec(select(Pledge)).all()) == ("pending", [])


def test_rejecting_hides_the_passage_for_good(
    client: FlaskClient,
    auth: AuthActions,
    db: Session,
    council: Authority,
    proposed: dict[str, Proposal],
) -> None:
    auth.login_as()
    match = proposed["safeguarding-and-independent-advocacy"]
    token = auth.form_token("/campaign/review/")
    response = client.post(
        f"/campaign/review/{match.id}/reject",
        data={"reason": "A service, not a commitment", "csrf_token": token},
    )
    assert response.status_code == 303 and response.headers["Location"] == "/campaign/review/"
    assert "Rejected" in soup(client.get("/campaign/review/")).select_one(".flashes").text
    db.refresh(match)
    assert (match.review_status, match.reason) == ("rejected", "A service, not a commitment")
    assert db.exec(select(Pledge)).all() == []
    store(db, council, body=STRATEGY + b"\nA new paragraph about the weather.\n")
    again = soup(client.get("/campaign/review/")).select(f"#match-{match.id}")
    assert again == []  # the same words, in a new version, are not proposed again


def test_a_passage_is_reviewed_only_once(
    db: Session, auth: AuthActions, proposed: dict[str, Proposal]
) -> None:
    first, second = auth.user(), auth.user(email="second@example.org")
    match = proposed["resourced-multi-agency-partnership"]
    decided = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=5)
    accept_match(db, match, status=PledgeStatus.PARTIAL, reviewer_id=first.id, now=decided)
    with pytest.raises(AlreadyReviewed) as caught:
        reject_match(db, match, reason="late", reviewer_id=second.id)
    assert caught.value.args == (match.id,)
    assert (match.review_status, match.reviewer_id) == ("accepted", first.id)
    assert match.reviewed_at == decided


def test_a_second_reviewer_gets_a_409(
    client: FlaskClient, auth: AuthActions, db: Session, proposed: dict[str, Proposal]
) -> None:
    auth.login_as()
    match = proposed["resourced-multi-agency-partnership"]
    headers = {**HX, "X-CSRFToken": auth.csrf()}
    client.post(f"/campaign/review/{match.id}/reject", data={"reason": ""}, headers=headers)
    late = client.post(
        f"/campaign/review/{match.id}/accept", data={"status": "pledged"}, headers=headers
    )
    assert late.status_code == 409
    assert "Someone else" in soup(late).text
    assert db.exec(select(Pledge)).all() == []


def test_only_pledged_or_partial_can_be_chosen(
    client: FlaskClient, auth: AuthActions, proposed: dict[str, Proposal]
) -> None:
    auth.login_as()
    match = proposed["resourced-multi-agency-partnership"]
    response = client.post(
        f"/campaign/review/{match.id}/accept",
        data={"status": "declined"},
        headers={**HX, "X-CSRFToken": auth.csrf()},
    )
    assert response.status_code == 400


def test_pdf_sources_link_to_the_page(db: Session, council: Authority) -> None:
    pdf = Document(
        authority_id=council.id,
        url="https://x.example/a.pdf",
        url_hash="a",
        content_type="application/pdf",
    )
    page = Document(
        authority_id=council.id,
        url="https://x.example/a",
        url_hash="b",
        content_type="text/html",
    )
    assert source_link(pdf, 7) == "https://x.example/a.pdf#page=7"
    assert source_link(page, 7) == "https://x.example/a"
    assert source_link(pdf, None) == "https://x.example/a.pdf"


def test_campaigners_submit_documents_to_read(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    db: Session,
    council: Authority,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    auth.login_as()
    page = soup(client.get(f"/authorities/{council.slug}"))
    form = page.select_one("section[aria-labelledby=documents-heading] form")
    response = client.post(
        form["action"],
        data={
            "csrf_token": form.select_one("[name=csrf_token]")["value"],
            "authority": council.slug,
            "url": "https://testshire.example/plan.pdf",
            "back": f"/authorities/{council.slug}",
        },
    )
    assert response.status_code == 303
    flashed = soup(client.get(response.headers["Location"])).select_one(".flashes").text
    assert "It will be read the next time the scraper runs" in flashed and "`" not in flashed
    source = db.exec(select(Source).where(Source.authority_id == council.id)).one()
    assert (source.url, source.pending, source.origin) == (
        "https://testshire.example/plan.pdf",
        True,
        "submitted",
    )
    bad = client.post(
        form["action"],
        data={"csrf_token": auth.csrf(), "authority": council.slug, "url": "file:///etc/passwd"},
    )
    assert "cannot be scraped" in soup(client.get(bad.headers["Location"])).text


def test_the_public_sees_documents_read_but_not_the_queue(
    app: Flask, db: Session, council: Authority, proposed: dict[str, Proposal]
) -> None:
    public = app.test_client()
    rows = soup(public.get(f"/authorities/{council.slug}")).select(
        "section[aria-labelledby=documents-heading] tbody tr"
    )
    # The document's own title (its first heading) names it, not the link that led to it.
    assert [r.th.a.text for r in rows] == ["Testshire modern slavery strategy (fictional)"]
    assert "to review" not in rows[0].text
    queue = public.get("/campaign/review/")
    assert queue.status_code == 302 and queue.headers["Location"].startswith("/login")


def test_accepting_reads_the_authority_pledge_once(
    app: Flask, client: FlaskClient, auth: AuthActions, proposed: dict[str, Proposal]
) -> None:
    """accept_match reads the pledge to keep its delivery and saves over that copy."""
    auth.login_as()
    match = proposed["resourced-multi-agency-partnership"]
    headers = {**HX, "X-CSRFToken": auth.csrf()}
    with counted_queries(app) as statements:
        url = f"/campaign/review/{match.id}/accept"
        response = client.post(url, data={"status": "pledged"}, headers=headers)
    assert response.status_code == 200
    assert len([s for s in statements if FIND_PLEDGE.search(s)]) == 1
