"""The review queue: proposed passages accepted as pledges or rejected for good."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import feedparser
import pytest
from bs4 import BeautifulSoup, Tag
from flask import Flask
from flask.testing import FlaskClient
from pytest_httpserver import HTTPServer
from sqlmodel import Session, select

from tests.conftest import ROOT, AuthActions, soup
from tests.factories import authority, fictional_council, pledge_of, record, stored_document
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
from tracker.pipeline.background import EXTENSION as READS
from tracker.pipeline.background import BackgroundReads
from tracker.pledging import PledgeChange, Subject, save_pledge
from tracker.review import (
    AlreadyReviewed,
    accept_match,
    document_label,
    document_name,
    documents_by_evidence,
    evidence_date,
    plan_has_ended,
    reject_match,
    source_link,
)

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
        "Testshire Council (fictional) pledged: Resource multi-agency partnerships",
        "New strategy published: Testshire modern slavery strategy (fictional)",
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
    assert "You, in another tab or window, rejected it" in soup(late).text
    assert db.exec(select(Pledge)).all() == []


# When a colleague's verdict came first: an hour ago, as evidence may not be dated later.
DECIDED = datetime.now(UTC).replace(minute=15, second=0, microsecond=0) - timedelta(hours=1)


def _late_verdict(
    client: FlaskClient, auth: AuthActions, db: Session, match: Proposal, role: str
) -> Tag:
    """Have a colleague accept the passage as partly pledged, then reject it too late as
    `role`; return the passage as the late reviewer's htmx answer swaps it in."""
    colleague = auth.user(email="colleague@example.org")
    decided = DECIDED
    accept_match(db, match, status=PledgeStatus.PARTIAL, reviewer_id=colleague.id, now=decided)
    db.commit()
    auth.login_as(role)
    late = client.post(
        f"/campaign/review/{match.id}/reject",
        data={"reason": "not a commitment"},
        headers={**HX, "X-CSRFToken": auth.csrf()},
    )
    assert late.status_code == 409 and b"<html" not in late.data
    item = soup(late).select_one(f"article#match-{match.id}.review-item--decided")
    assert item is not None and item.select("form") == []  # nothing left to decide on
    return item


@pytest.mark.parametrize(
    ("role", "who"),
    [("campaigner", "Another member of the team"), ("admin", "colleague@example.org")],
)
def test_a_late_verdict_swaps_in_the_colleague_s_as_it_stands(
    client: FlaskClient,
    auth: AuthActions,
    db: Session,
    proposed: dict[str, Proposal],
    role: str,
    who: str,
) -> None:
    item = _late_verdict(client, auth, db, proposed["resourced-multi-agency-partnership"], role)
    said = " ".join(item.text.split())
    when = f"{DECIDED:%H}:15 UTC on {DECIDED.day} {DECIDED:%B %Y}"
    assert f"{who} accepted it as partly pledged at {when}." in said, said
    assert item.select_one("a[href^='/authorities/']") is not None  # the accepted pledge
    if role == "campaigner":
        assert "colleague@example.org" not in said


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
    assert bad.status_code == 422
    refused = soup(bad).select_one("form[action='/campaign/review/sources']")
    assert "cannot be read" in refused.select_one("#source-url-error").text
    assert refused.select_one("#source-url")["value"] == "file:///etc/passwd"
    assert refused.select_one("#source-authority")["value"] == council.slug


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


HERTFORDSHIRE = "E10000015"


def filter_field(page: BeautifulSoup) -> Tag:
    """Return the queue's authority filter."""
    field = page.select_one("form.filters input[name=authority]")
    assert field is not None
    return field


@pytest.mark.parametrize(
    "typed", ["Hertfordshire", "hertfordshire county council", "HERTS", "E10000015", "HRT"]
)
def test_the_queue_is_filtered_by_an_authority_s_name_in_any_spelling(
    client: FlaskClient, auth: AuthActions, proposed: dict[str, Proposal], typed: str
) -> None:
    auth.login_as()
    response = client.get("/campaign/review/", query_string={"authority": typed})
    assert response.status_code == 200
    page = soup(response)
    assert filter_field(page)["value"] == "Hertfordshire County Council"
    assert page.select("article.review-item") == []  # Testshire's passages are filtered out
    # Every authority is suggested, by the name the field then shows.
    suggested = [o["value"] for o in page.select(f"datalist#{filter_field(page)['list']} option")]
    assert "Hertfordshire County Council" in suggested and "Sheffield City Council" in suggested


@pytest.mark.parametrize("typed", ["testshire council (fictional)", "  Testshire  (Fictional) "])
def test_a_fictional_council_is_found_by_its_own_name(
    client: FlaskClient, auth: AuthActions, db: Session, typed: str
) -> None:
    store(db, fictional_council(db))
    store(db, fictional_council(db, "Otherton"), url="https://otherton.example/s.pdf")
    auth.login_as()
    page = soup(client.get("/campaign/review/", query_string={"authority": typed}))
    names = {item.h3.a.text for item in page.select("article.review-item")}
    assert names == {"Testshire Council (fictional)"}


def test_a_name_shared_by_two_councils_names_both_and_keeps_what_was_typed(
    client: FlaskClient, auth: AuthActions, proposed: dict[str, Proposal]
) -> None:
    auth.login_as()
    response = client.get("/campaign/review/?authority=Northants")
    assert response.status_code == 400
    page = soup(response)
    field = filter_field(page)
    assert (field["value"], field["aria-invalid"]) == ("Northants", "true")
    error = page.select_one(f"#{field['aria-describedby'].split()[-1]}").text
    assert "North Northamptonshire Council" in error and "West Northamptonshire Council" in error
    assert page.select("article.review-item") == []  # not the whole queue, unfiltered


def test_an_unknown_name_says_so_and_suggests_names_like_it(
    client: FlaskClient, auth: AuthActions, proposed: dict[str, Proposal]
) -> None:
    auth.login_as()
    response = client.get("/campaign/review/?authority=Hertfordshir")
    assert response.status_code == 404
    page = soup(response)
    assert filter_field(page)["value"] == "Hertfordshir"
    error = page.select_one("#filter-authority-error").text
    assert error.startswith("There is no authority called “Hertfordshir”. Did you mean")
    assert "“Hertfordshire County Council”" in error


def test_a_document_is_submitted_for_an_authority_named_as_people_say_it(
    app: Flask, client: FlaskClient, auth: AuthActions, db: Session
) -> None:
    auth.login_as()
    token = auth.form_token("/campaign/review/")
    data = {"csrf_token": token, "url": "https://herts.example/plan.pdf", "back": "/campaign/"}
    response = client.post("/campaign/review/sources", data={**data, "authority": "herts"})
    assert (response.status_code, response.headers["Location"]) == (303, "/campaign/")
    source = db.exec(select(Source).where(Source.url == "https://herts.example/plan.pdf")).one()
    assert source.authority_id == authority(db, HERTFORDSHIRE).id
    refused = client.post("/campaign/review/sources", data={**data, "authority": "Northants"})
    assert refused.status_code == 422
    form = soup(refused).select_one("form[action='/campaign/review/sources']")
    assert form.select_one("#source-authority")["value"] == "Northants"
    assert form.select_one("#source-url")["value"] == "https://herts.example/plan.pdf"
    assert form.select_one("input[name=back]")["value"] == "/campaign/"
    error = form.select_one("#source-authority-error").text
    assert "North Northamptonshire Council" in error and "West Northamptonshire Council" in error
    assert len(db.exec(select(Source)).all()) == 1


@pytest.mark.parametrize(
    ("authority", "url"),
    [("Atlantis", "https://testshire.example/plan.pdf"), ("testshire-fictional", "file:///x")],
    ids=["unknown authority", "bad address"],
)
def test_a_refused_submission_redraws_the_filtered_queue_it_came_from(
    client: FlaskClient,
    auth: AuthActions,
    db: Session,
    proposed: dict[str, Proposal],
    authority: str,
    url: str,
) -> None:
    store(db, fictional_council(db, "Otherton"), url="https://otherton.example/s.pdf")
    auth.login_as()
    filtered = "/campaign/review/?authority=otherton-fictional&recommendation=" + (
        "safeguarding-and-independent-advocacy"
    )
    shown = soup(client.get(filtered))
    wanted = [a["id"] for a in shown.select("article.review-item")]
    back = shown.select_one("form[action='/campaign/review/sources'] input[name=back]")["value"]
    refused = client.post(
        "/campaign/review/sources",
        data={"csrf_token": auth.csrf(), "authority": authority, "url": url, "back": back},
    )
    assert refused.status_code == 422
    page = soup(refused)
    assert [a["id"] for a in page.select("article.review-item")] == wanted and len(wanted) == 1
    assert filter_field(page)["value"] == "Otherton Council (fictional)"
    chosen = page.select_one("#filter-recommendation option[selected]")
    assert chosen is not None and chosen["value"] == "safeguarding-and-independent-advocacy"
    verdicts = {i["value"] for i in page.select("form.verdict input[name=back]")}
    assert verdicts == {filtered}, verdicts  # a verdict from here comes back here too


def test_without_javascript_a_verdict_lands_on_the_next_passage(
    client: FlaskClient, auth: AuthActions, proposed: dict[str, Proposal]
) -> None:
    auth.login_as()
    queue = "/campaign/review/?authority=testshire-fictional"

    def decide(position: int) -> str:
        page = soup(client.get(queue))
        form = page.select("article.review-item form[action$='/reject']")[position]
        fields = {i["name"]: i.get("value", "") for i in form.select("input")}
        return client.post(form["action"], data=fields).headers["Location"]

    first, second = (i["id"] for i in soup(client.get(queue)).select("article.review-item"))
    assert decide(0) == f"{queue}#{second}"
    assert decide(0) == f"{queue}#review-empty"
    assert soup(client.get(queue)).select_one("#review-empty").get("hidden") is None
    assert first != second


def test_a_verdict_never_sends_the_browser_to_an_anchor_it_did_not_come_from(
    client: FlaskClient, auth: AuthActions, proposed: dict[str, Proposal]
) -> None:
    auth.login_as()
    match = proposed["resourced-multi-agency-partnership"]
    response = client.post(
        f"/campaign/review/{match.id}/reject",
        data={"csrf_token": auth.csrf(), "then": "x'><script>", "back": "/campaign/review/"},
    )
    assert response.headers["Location"] == "/campaign/review/"


def test_the_queue_speaks_plainly_with_no_commands(client: FlaskClient, auth: AuthActions) -> None:
    auth.login_as()
    page = soup(client.get("/campaign/review/"))
    empty = page.select_one("#review-empty").text
    assert empty.startswith("Nothing is waiting for review.")
    assert "`" not in page.text and "tracker scrape" not in page.text
    for template in (ROOT / "templates").rglob("*.html"):
        assert "tracker scrape" not in template.read_text(encoding="utf-8"), template


@pytest.fixture
def reads(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[BackgroundReads]:
    """Give the app one background reader, as a site without Redis has."""
    readers = BackgroundReads(app, workers=1)
    monkeypatch.setitem(app.extensions, READS, readers)
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    yield readers
    readers.close()


def test_without_a_queue_a_submitted_document_is_read_in_the_background(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    db: Session,
    council: Authority,
    reads: BackgroundReads,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "SCRAPER_ALLOW_HOSTS", [f"127.0.0.1:{httpserver.port}"])
    monkeypatch.setitem(app.config, "SCRAPER_MIN_INTERVAL", 0.0)
    httpserver.expect_request("/robots.txt").respond_with_data("Not found", status=404)
    httpserver.expect_request("/strategy.txt").respond_with_data(
        STRATEGY, content_type="text/plain; charset=utf-8"
    )
    url = f"http://127.0.0.1:{httpserver.port}/strategy.txt"
    auth.login_as()
    response = client.post(
        "/campaign/review/sources",
        data={"csrf_token": auth.csrf(), "authority": council.name, "url": url},
        buffered=True,  # the response is closed, so the read is handed over, as a server does
    )
    assert response.status_code == 303
    assert reads.wait(timeout=120)
    flashed = soup(client.get(response.headers["Location"])).select_one(".flashes").text
    assert "It is being read now" in flashed
    queue = soup(client.get(f"/campaign/review/?authority={council.slug}"))
    passages = [item.select_one("mark").text for item in queue.select("article.review-item")]
    assert any("partnership coordinator" in passage for passage in passages)
    db.expire_all()
    source = db.exec(select(Source).where(Source.url == url)).one()
    assert source.pending is False


@pytest.mark.parametrize(
    ("url", "final_url", "name"),
    [
        ("https://t.invalid/plans/Slavery%20Plan.pdf", None, "Slavery Plan.pdf on t.invalid"),
        ("https://t.invalid/plans/", None, "plans on t.invalid"),
        ("https://t.invalid/", None, "home page on t.invalid"),
        ("https://t.invalid", None, "home page on t.invalid"),
        ("https://old.invalid/a.pdf", "https://new.invalid/b.pdf", "b.pdf on new.invalid"),
        ("plan.pdf", None, "plan.pdf on an unknown site"),
    ],
)
def test_an_untitled_document_is_named_by_its_file_and_site(
    url: str, final_url: str | None, name: str
) -> None:
    assert (
        document_name(Document(authority_id=1, url=url, url_hash="", final_url=final_url)) == name
    )
    titled = Document(authority_id=1, url=url, url_hash="", title="Plan (fictional)")
    assert document_name(titled) == "Plan (fictional)"


def test_a_label_gives_the_facts_known_of_a_document() -> None:
    plan = Document(
        authority_id=1, url=URL, url_hash="", title="Plan", published_on=date(2018, 3, 1)
    )
    assert document_label(plan) == "“Plan” (published 2018)"
    plan.period_start = 2018
    assert document_label(plan, 4) == "“Plan” (published 2018), page 4"  # half a period
    plan.period_end = 2021
    assert document_label(plan) == "“Plan” (published 2018, covers 2018–2021)"
    plan.published_on = None
    assert document_label(plan) == "“Plan” (covers 2018–2021)"


def test_a_plan_has_ended_only_after_its_last_year() -> None:
    plan = Document(authority_id=1, url=URL, url_hash="", period_start=2018, period_end=2021)
    assert not plan_has_ended(plan, date(2021, 12, 31))
    assert plan_has_ended(plan, date(2022, 1, 1))
    plan.period_end = 2999
    assert not plan_has_ended(plan)  # by today
    assert plan_has_ended(plan, date(3000, 1, 1))
    assert not plan_has_ended(Document(authority_id=1, url=URL, url_hash=""), date(3000, 1, 1))


def test_a_commitment_is_dated_by_its_document_unless_the_date_is_ahead() -> None:
    now = datetime(2026, 5, 4, 12, tzinfo=UTC)
    fetched = datetime(2026, 5, 1, 9, tzinfo=UTC)
    plan = Document(authority_id=1, url=URL, url_hash="", fetched_at=fetched)
    assert evidence_date(plan, now) == fetched.date()
    plan.published_on = now.date()  # published the day it is read: still its own date
    assert evidence_date(plan, now) == now.date()
    plan.published_on = date(2026, 5, 5)
    assert evidence_date(plan, now) == fetched.date()


def test_pledges_are_matched_to_their_source_documents_at_any_page() -> None:
    moved = Document(
        id=1, authority_id=1, url="https://t.invalid/a.pdf", url_hash="", final_url=URL
    )
    stayed = Document(id=2, authority_id=1, url="https://t.invalid/b.pdf", url_hash="")
    pledges = [
        None,
        Pledge(id=10, recommendation_id=1, authority_id=1),  # no source
        Pledge(id=11, recommendation_id=1, authority_id=1, evidence_url=f"{URL}#page=3"),
        Pledge(id=12, recommendation_id=2, authority_id=1, evidence_url=stayed.url),
        Pledge(id=13, recommendation_id=3, authority_id=1, evidence_url="https://t.invalid/a.pdf"),
    ]
    assert documents_by_evidence(pledges, [moved, stayed]) == {11: moved, 12: stayed}


def test_accepting_keeps_the_internal_note_and_dates_the_change_by_the_verdict(
    db: Session, auth: AuthActions, council: Authority, proposed: dict[str, Proposal]
) -> None:
    earlier = pledge_of(db, "resourced-multi-agency-partnership", authority_row=council)
    subject = Subject(authority_id=council.id)
    noted = PledgeChange(PledgeStatus.DECLINED, quote="Not now.", private_note="Ask again.")
    save_pledge(db, subject, earlier.recommendation_id, noted, expected_version=0)
    now = datetime.now(UTC) + timedelta(hours=1)  # not the clock: the verdict's own time
    match = proposed["resourced-multi-agency-partnership"]
    event = accept_match(
        db, match, status=PledgeStatus.PLEDGED, reviewer_id=auth.user().id or 0, now=now
    )
    pledge = pledge_of(db, "resourced-multi-agency-partnership", authority_row=council)
    assert pledge.private_note == "Ask again."
    assert event is not None and event.occurred_at == now and pledge.updated_at == now
