"""Atom and RSS feeds: what entries say, which feed they join, and conditional polling."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import feedparser
import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree
from sqlmodel import Session, select

from tests.conftest import AuthActions, soup
from tests.factories import candidate, fictional_council, pledge_of, record
from tests.sql import counted_queries
from tracker.feeds import CAMPAIGN_START, entry_title
from tracker.models import (
    Authority,
    Delivery,
    Person,
    PledgeEvent,
    PledgeStatus,
    Recommendation,
    Theme,
)
from tracker.queries.candidates import CandidacyRow
from tracker.queries.events import FeedEventRow

ATOM = "{http://www.w3.org/2005/Atom}"
RED_ROSETTE = ("fictional-party:labour", "Red Rosette Party (fictional)")
GREEN_LEAF = ("fictional-party:green", "Green Leaf Party (fictional)")
TAG_ID = re.compile(r"tag:pledge-tracker\.invalid,2024:pledge-event/\d+")


def parse(response: Any) -> Any:
    """Parse a feed, failing on anything feedparser finds malformed."""
    assert response.status_code == 200, response.get_data(as_text=True)
    feed = feedparser.parse(response.get_data())
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


@pytest.fixture
def jane(db: Session) -> Person:
    return candidate(
        db, "Jane Smith", council=fictional_council(db), party=RED_ROSETTE, ward="Maple"
    )


# What an entry says


COUNCIL = "Testshire Council (fictional)"


def _row(
    from_status: str,
    to_status: str,
    from_delivery: str = "not-yet-rated",
    to_delivery: str = "not-yet-rated",
    *,
    person: bool = True,
) -> FeedEventRow:
    """Build an in-memory event row: the builders need no database."""
    event_row = PledgeEvent(
        id=7,
        pledge_id=3,
        occurred_at=datetime(2024, 4, 2, tzinfo=UTC),
        from_status=from_status,
        to_status=to_status,
        from_delivery=from_delivery,
        to_delivery=to_delivery,
        version=2,
    )
    rec = Recommendation(
        slug="resourced-multi-agency-partnership", title="Resource multi-agency partnerships"
    )
    standing = CandidacyRow(
        1,
        "Jane Smith",
        "jane-smith",
        False,
        "local.testshire-fictional.maple.2024-05-02",
        "Maple",
        "local.testshire-fictional.2024-05-02",
        datetime(2024, 5, 2).date(),
        "testshire-fictional",
        "Testshire (fictional)",
        False,
        "red-rosette-party-fictional",
        "Red Rosette Party (fictional)",
        None,
        None,
        None,
    )
    return FeedEventRow(
        event=event_row,
        recommendation=rec,
        theme=Theme(slug="t", title="T"),
        person=Person(id=1, name="Jane Smith", slug="jane-smith") if person else None,
        authority=None if person else Authority(name=COUNCIL, slug="testshire-fictional"),
        standing=standing if person else None,
    )


JANE = "Jane Smith (Red Rosette Party (fictional), Testshire (fictional) — Maple)"
REC = "Resource multi-agency partnerships"


@pytest.mark.parametrize(
    ("args", "person", "title"),
    [
        (("awaiting-response", "pledged"), True, f"{JANE} pledged: {REC}"),
        (("awaiting-response", "partial"), False, f"{COUNCIL} partly pledged: {REC}"),
        (("partial", "pledged"), True, f"{JANE} fully pledged: {REC}"),
        (("pledged", "declined"), False, f"{COUNCIL} declined: {REC}"),
        (
            ("declined", "awaiting-response"),
            True,
            f"{JANE} is shown as awaiting a response again: {REC}",
        ),
        (
            ("pledged", "pledged", "not-yet-rated", "in-progress"),
            True,
            f"{JANE} started delivering: {REC}",
        ),
        (
            ("pledged", "pledged", "in-progress", "delivered"),
            False,
            f"{COUNCIL} delivered: {REC}",
        ),
        (
            ("partial", "partial", "in-progress", "stalled"),
            True,
            f"{JANE} stalled on delivering: {REC}",
        ),
        (("pledged", "pledged", "stalled", "broken"), True, f"{JANE} broke their pledge: {REC}"),
        (
            ("pledged", "pledged", "stalled", "broken"),
            False,
            f"{COUNCIL} broke its pledge: {REC}",
        ),
        (
            ("pledged", "pledged", "delivered", "not-yet-rated"),
            True,
            f"Delivery rating cleared for {JANE}: {REC}",
        ),
        (("pledged", "pledged"), True, f"New evidence for {JANE}: {REC}"),
    ],
)
def test_entry_titles_read_alone(args: tuple[str, ...], person: bool, title: str) -> None:
    assert entry_title(_row(*args, person=person)) == title


def test_entry_for_a_recorded_pledge(client: FlaskClient, db: Session, jane: Person) -> None:
    record(
        db,
        pledge_of(db, "resourced-multi-agency-partnership", person=jane),
        quote="We will fund it.",
        evidence_url="https://example.org/jane",
    )
    (entry,) = parse(client.get(f"/feeds/candidates/{jane.id}.atom")).entries
    assert entry.title == f"{JANE} pledged: {REC}"
    (event,) = db.exec(select(PledgeEvent)).all()
    assert entry.link == f"http://localhost/pledges/{event.pledge_id}/history#event-{event.id}"
    history = soup(client.get(entry.link.removeprefix("http://localhost").split("#")[0]))
    assert history.select_one(f"li#event-{event.id}") is not None
    assert TAG_ID.fullmatch(entry.id)
    assert {(t.term, t.scheme.rsplit(":", 1)[1]) for t in entry.tags} == {
        ("governance-and-strategy", "theme"),
        ("resourced-multi-agency-partnership", "recommendation"),
    }
    content = BeautifulSoup(entry.content[0].value, "html.parser")
    assert content.select_one("blockquote").text == "We will fund it."
    assert content.select_one("a[href='https://example.org/jane']") is not None


def test_evidence_is_escaped_not_interpreted(client: FlaskClient, db: Session) -> None:
    person = candidate(db, "Bobby <b>Tables</b> & Co")
    quote = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'
    pledge = record(db, pledge_of(db, "pathways-to-support", person=person), quote=quote)
    logged = db.exec(select(PledgeEvent).where(PledgeEvent.pledge_id == pledge.id)).one()
    logged.evidence_url = "javascript:alert(1)"  # bypassing validation, as bad data might
    db.add(logged)
    db.flush()
    # Read the raw XML: the HTML inside <content> must parse back to the quote verbatim,
    # with no element injected and no link to a script.
    raw = client.get(f"/feeds/candidates/{person.id}.atom").get_data()
    entry = etree.fromstring(raw).find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title").startswith("Bobby Tables & Co (")
    html = BeautifulSoup(entry.findtext(f"{ATOM}content"), "html.parser")
    assert html.select_one("blockquote p").text == quote
    assert html.select("script, img, b") == []
    assert html.select("a[href^='javascript']") == []
    assert "Source: javascript:alert(1)" in html.text


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_a_name_holding_markup_cannot_become_markup_in_a_title(
    client: FlaskClient, db: Session, fmt: str
) -> None:
    # A reader that renders titles as HTML decodes the XML once and renders what is left.
    council = fictional_council(db, "Markupshire")
    person = candidate(db, "Mallory <img src=x onerror=alert(1)> Smith", council=council)
    record(db, pledge_of(db, "pathways-to-support", person=person), quote="Yes.")
    channel = etree.fromstring(client.get(f"/feeds/candidates/{person.id}.{fmt}").get_data())
    ns = "" if fmt == "rss" else ATOM
    texts = [node.text or "" for node in channel.iter(f"{ns}title", f"{ns}subtitle")]
    texts += [channel.findtext("channel/description") or ""] if fmt == "rss" else []
    assert any("Mallory  Smith" in text for text in texts)
    for text in texts:
        assert BeautifulSoup(text, "html.parser").find() is None, text


# Which feeds an entry joins, in what order


def test_subscribe_record_then_poll(client: FlaskClient, db: Session, jane: Person) -> None:
    """Done when: subscribe to an authority, record a pledge, see it once; poll again: 304."""
    url = "/feeds/authorities/testshire-fictional.atom"
    assert parse(client.get(url)).entries == []
    record(db, pledge_of(db, "resourced-multi-agency-partnership", person=jane))
    response = client.get(url)
    feed = parse(response)
    assert [e.title for e in feed.entries] == [f"{JANE} pledged: {REC}"]
    again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == response.headers["ETag"]


def test_feeds_hold_what_they_follow(client: FlaskClient, db: Session, jane: Person) -> None:
    testshire = fictional_council(db)
    otherham = fictional_council(db, "Otherham")
    tom = candidate(db, "Tom Other", council=otherham, party=GREEN_LEAF)
    record(db, pledge_of(db, "pathways-to-support", person=jane))
    record(db, pledge_of(db, "pathways-to-support", authority_row=testshire), PledgeStatus.PARTIAL)
    record(db, pledge_of(db, "listen-to-lived-experience", person=tom), PledgeStatus.DECLINED)

    def subjects(url: str) -> set[str]:
        """Return the subject pages the feed's entries point to ("All of X's pledges")."""
        entries = parse(client.get(url)).entries
        assert len({entry.link for entry in entries}) == len(entries)  # each its own link
        return {
            BeautifulSoup(e.summary, "html.parser").select("a")[-1]["href"].rsplit("/", 1)[1]
            for e in entries
        }

    jane_page, tom_page = f"{jane.id}-jane-smith", f"{tom.id}-tom-other"
    council_page = "testshire-fictional"
    assert subjects("/feeds/updates.atom") == {jane_page, council_page, tom_page}
    assert subjects("/feeds/authorities/testshire-fictional.atom") == {jane_page, council_page}
    assert subjects("/feeds/authorities/otherham-fictional.rss") == {tom_page}
    assert subjects("/feeds/parties/red-rosette-party-fictional.atom") == {jane_page}
    assert subjects(f"/feeds/candidates/{tom.id}.rss") == {tom_page}
    assert subjects("/feeds/recommendations/pathways-to-support.atom") == {jane_page, council_page}


def test_newest_first_and_only_the_latest(
    app: Flask, client: FlaskClient, db: Session, jane: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    pledge = record(db, pledge_of(db, "pathways-to-support", person=jane), PledgeStatus.PARTIAL)
    pledge = record(db, pledge, PledgeStatus.PLEDGED)
    record(db, pledge, PledgeStatus.PLEDGED, delivery=Delivery.IN_PROGRESS)
    feed = parse(client.get("/feeds/updates.rss"))
    assert [e.title.removeprefix(f"{JANE} ") for e in feed.entries] == [
        "started delivering: Create pathways to support services",
        "fully pledged: Create pathways to support services",
        "partly pledged: Create pathways to support services",
    ]
    times = [e.published_parsed for e in feed.entries]
    assert times == sorted(times, reverse=True)
    monkeypatch.setitem(app.config, "FEED_ENTRIES", 2)
    assert len(parse(client.get("/feeds/updates.atom")).entries) == 2


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_an_unchanged_feed_is_rebuilt_byte_for_byte(
    client: FlaskClient, auth: AuthActions, db: Session, jane: Person, fmt: str
) -> None:
    """Readers compare bytes: a feed that says "now" anywhere changes on every poll.

    Campaigners are never answered from the page cache, so both copies are built afresh,
    and every date the feed gives is the time of an event it holds.
    """
    answered = [datetime(2024, 4, 2, 9, 30, tzinfo=UTC), datetime(2024, 4, 9, 17, 5, tzinfo=UTC)]
    pledge = pledge_of(db, "pathways-to-support", person=jane)
    pledge = record(db, pledge, PledgeStatus.PARTIAL, now=answered[0])
    record(db, pledge, PledgeStatus.PLEDGED, now=answered[1])
    auth.login_as()
    url = f"/feeds/candidates/{jane.id}.{fmt}"
    first = client.get(url).get_data()
    assert client.get(url).get_data() == first
    assert feed_dates(first) == set(answered)


def _utc(moment: datetime) -> datetime:
    """Return a time as an aware UTC time (a date written without its zone is UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


ISO_DATE = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?")
RFC_DATE = re.compile(rb"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}")


def feed_dates(body: bytes) -> set[datetime]:
    """Return every date written anywhere in a feed, in either format."""
    iso = [datetime.fromisoformat(m.decode()) for m in ISO_DATE.findall(body)]
    rfc = [parsedate_to_datetime(m.decode()) for m in RFC_DATE.findall(body)]
    assert iso or rfc, "no dates found: the patterns no longer fit the feed"
    return {_utc(d) for d in iso + rfc}


def test_ids_never_change(client: FlaskClient, db: Session, jane: Person) -> None:
    pledge = record(db, pledge_of(db, "pathways-to-support", person=jane))
    first = client.get("/feeds/updates.atom").get_data()
    ids = [e.id for e in feedparser.parse(first).entries]
    record(db, pledge, PledgeStatus.DECLINED, quote="Changed my mind.")
    moved = client.get("/feeds/updates.atom", base_url="https://tracker.example.net")
    later = parse(moved).entries
    assert [e.id for e in later][1:] == ids
    assert all(TAG_ID.fullmatch(e.id) for e in later)
    assert later[0].link.startswith("https://tracker.example.net/pledges/")
    rss_ids = [e.id for e in parse(client.get("/feeds/updates.rss")).entries]
    assert rss_ids == [e.id for e in later]


# Valid, even when empty


def test_empty_feed_is_valid_and_stable(client: FlaskClient, db: Session, jane: Person) -> None:
    url = f"/feeds/candidates/{jane.id}"
    atom = client.get(f"{url}.atom")
    feed = parse(atom)
    assert feed.entries == []
    assert feed.feed.id == "tag:pledge-tracker.invalid,2024:feed/candidate/" + str(jane.id)
    assert feed.feed.title == "Pledges: Jane Smith"
    assert feed.feed.updated == CAMPAIGN_START.isoformat()
    assert atom.headers["Last-Modified"] == "Fri, 01 Mar 2024 00:00:00 GMT"
    assert client.get(f"{url}.atom").headers["ETag"] == atom.headers["ETag"]
    rss = parse(client.get(f"{url}.rss"))
    assert rss.version == "rss20"
    assert rss.feed.link == f"http://localhost/candidates/{jane.id}-jane-smith"


def test_feeds_carry_what_validators_require(
    client: FlaskClient, db: Session, jane: Person
) -> None:
    record(db, pledge_of(db, "pathways-to-support", person=jane))
    atom = etree.fromstring(client.get("/feeds/updates.atom").get_data())
    for path in ("id", "title", "updated", "author/" + ATOM + "name"):
        assert atom.findtext(ATOM + path), path
    assert (
        atom.find(f"{ATOM}link[@rel='self']").get("href") == "http://localhost/feeds/updates.atom"
    )
    entry = atom.find(f"{ATOM}entry")
    for path in ("id", "title", "updated", "content"):
        assert entry.findtext(ATOM + path), path
    assert entry.find(f"{ATOM}link").get("href")
    rss = etree.fromstring(client.get("/feeds/updates.rss").get_data()).find("channel")
    for path in ("title", "link", "description", "lastBuildDate"):
        assert rss.findtext(path), path
    self_link = rss.find(f"{ATOM}link[@rel='self']")
    assert self_link.get("href") == "http://localhost/feeds/updates.rss"
    item = rss.find("item")
    for path in ("title", "link", "description", "guid", "pubDate"):
        assert item.findtext(path), path
    assert item.find("guid").get("isPermaLink") == "false"


@pytest.mark.parametrize(
    "url",
    [
        "/feeds/updates.json",
        "/feeds/authorities/nowhere.atom",
        "/feeds/candidates/1.rss",
        "/feeds/parties/no-such-party.atom",
        "/feeds/recommendations/world-peace.rss",
    ],
)
def test_unknown_feeds_are_404(client: FlaskClient, url: str) -> None:
    assert client.get(url).status_code == 404


# Conditional GET


def test_polls_answer_304_without_building_the_feed(
    app: Flask, client: FlaskClient, db: Session, jane: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    record(db, pledge_of(db, "pathways-to-support", person=jane))
    url = "/feeds/authorities/testshire-fictional.rss"
    first = client.get(url)
    assert first.headers["Cache-Control"] == "public, max-age=300"

    def never(*_: object, **__: object) -> None:
        raise AssertionError("the feed was built for a poll that needed none")

    monkeypatch.setattr("tracker.views.feeds.feed_events", never)
    for headers in (
        {"If-None-Match": first.headers["ETag"]},
        {"If-Modified-Since": first.headers["Last-Modified"]},
    ):
        with counted_queries(app) as statements:
            poll = client.get(url, headers=headers)
        assert poll.status_code == 304, headers
        assert poll.get_data() == b""
        assert poll.headers["ETag"] == first.headers["ETag"]
        assert poll.headers["Cache-Control"] == "public, max-age=300"
        # Only the data version (a raw cursor, uncounted): the cache answers from its copy.
        assert statements == []


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_the_feed_itself_answers_a_current_copy_with_304(
    client: FlaskClient,
    auth: AuthActions,
    db: Session,
    jane: Person,
    monkeypatch: pytest.MonkeyPatch,
    method: str,
) -> None:
    """A poll the page cache cannot answer is still 304, from the validators alone.

    Campaigners are never answered from the page cache (nor is a worker that has not drawn
    the feed yet), so here the feed's own conditional GET decides.
    """
    record(db, pledge_of(db, "pathways-to-support", person=jane))
    auth.login_as()
    url = "/feeds/authorities/testshire-fictional.atom"
    first = client.get(url)
    assert first.status_code == 200

    def never(*_: object, **__: object) -> None:
        raise AssertionError("the feed was built for a poll that needed none")

    monkeypatch.setattr("tracker.views.feeds.feed_events", never)
    for headers in (
        {"If-None-Match": first.headers["ETag"]},
        {"If-Modified-Since": first.headers["Last-Modified"]},
    ):
        poll = client.open(url, method=method, headers=headers)
        assert poll.status_code == 304, headers
        assert poll.get_data() == b""
        assert poll.headers["ETag"] == first.headers["ETag"]
        # Whatever a signed-in browser is sent is never stored by a shared cache.
        assert poll.headers["Cache-Control"] == "no-store"


def test_polls_get_the_feed_once_it_changes(client: FlaskClient, db: Session, jane: Person) -> None:
    pledge = record(db, pledge_of(db, "pathways-to-support", person=jane))
    url = "/feeds/parties/red-rosette-party-fictional.atom"
    first = client.get(url)
    record(db, pledge, PledgeStatus.DECLINED, quote="No.")
    by_etag = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert by_etag.status_code == 200
    assert len(parse(by_etag).entries) == 2
    assert by_etag.headers["ETag"] != first.headers["ETag"]
    stale = client.get(url, headers={"If-Modified-Since": "Fri, 01 Mar 2024 00:00:00 GMT"})
    assert stale.status_code == 200
    # If-None-Match wins over If-Modified-Since when both are sent.
    both = client.get(
        url,
        headers={
            "If-None-Match": first.headers["ETag"],
            "If-Modified-Since": by_etag.headers["Last-Modified"],
        },
    )
    assert both.status_code == 200


# Autodiscovery and Subscribe links


def _pages_with_feeds(jane: Person) -> dict[str, str]:
    """Return each page that has a feed, with the feed it should advertise (Atom)."""
    return {
        "/": "/feeds/updates.atom",
        "/feeds/": "/feeds/updates.atom",
        "/data": "/feeds/updates.atom",
        "/recommendations/pathways-to-support": "/feeds/recommendations/pathways-to-support.atom",
        "/authorities/sheffield": "/feeds/authorities/sheffield.atom",
        f"/candidates/{jane.id}-jane-smith": f"/feeds/candidates/{jane.id}.atom",
        "/parties/red-rosette-party-fictional": "/feeds/parties/red-rosette-party-fictional.atom",
        "/places/sheffield": "/feeds/authorities/sheffield.atom",
        "/scorecards/": "/feeds/updates.atom",
    }


def test_every_page_with_a_feed_advertises_it(
    client: FlaskClient, db: Session, jane: Person
) -> None:
    for page_url, feed_url in _pages_with_feeds(jane).items():
        page = soup(client.get(page_url))
        atom = page.select_one("head link[rel=alternate][type='application/atom+xml']")
        rss = page.select_one("head link[rel=alternate][type='application/rss+xml']")
        assert atom["href"] == feed_url, page_url
        assert rss["href"] == feed_url.removesuffix(".atom") + ".rss", page_url
        assert atom["title"], page_url
        subscribe = page.select_one("main a.subscribe__link")
        assert subscribe.text == "Subscribe", page_url
        assert subscribe["href"] == feed_url, page_url
        parse(client.get(atom["href"]))
        parse(client.get(rss["href"]))


def test_feeds_page_lists_every_recommendation_feed(client: FlaskClient) -> None:
    page = soup(client.get("/feeds/"))
    rows = page.select("main table tbody tr")
    assert len(rows) == 5
    for row in rows:
        slug = row.select_one("th a")["href"].rsplit("/", 1)[1]
        hrefs = [a["href"] for a in row.select("td a")]
        assert hrefs == [
            f"/feeds/recommendations/{slug}.atom",
            f"/feeds/recommendations/{slug}.rss",
        ]
        parse(client.get(hrefs[0]))
    assert page.select_one("footer a[href='/feeds/']") is not None
