"""An authority's feed of its documents: strategies published and commitments withdrawn."""

from __future__ import annotations

from typing import Any

import feedparser
import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from lxml import etree
from sqlmodel import Session

from tests.conftest import AuthActions, soup
from tests.factories import fictional_council, stored_document
from tracker.models import Authority, PledgeStatus, Proposal, ReviewStatus
from tracker.review import accept_match, reject_match

STRATEGY = (
    "Modern Slavery Partnership Strategy\n\n"
    "The council will fund the multi-agency partnership on modern slavery with a "
    "dedicated coordinator from April.\n\n"
    "We will commission an Independent Modern Slavery Advocate (IMSA) service.\n\n"
    "We will make tackling modern slavery a priority in our community safety plan.\n\n"
    "We will set up a survivor advisory panel for the anti-slavery partnership.\n"
)
TITLE = "Modern Slavery Partnership Strategy"
URL = "https://strategyshire.invalid/strategy.txt"


def parse(response: Any) -> Any:
    """Parse a feed, failing on anything feedparser finds malformed."""
    assert response.status_code == 200, response.get_data(as_text=True)
    feed = feedparser.parse(response.get_data())
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def _by_passage(proposals: list[Proposal], words: str) -> Proposal:
    """Return the first proposal whose passage holds these words (some match two)."""
    return next(p for p in proposals if words in p.passage)


@pytest.fixture
def council(db: Session) -> Authority:
    return fictional_council(db, "Strategyshire")


@pytest.fixture
def decided(db: Session, council: Authority, auth: AuthActions) -> dict[str, Proposal]:
    """Store a strategy, decide its passages, then store a version keeping only one."""
    reviewer = auth.user().id or 0
    proposals = stored_document(db, council, STRATEGY.encode(), URL, title="Strategy")
    passages = {
        "kept": _by_passage(proposals, "multi-agency"),
        "withdrawn": _by_passage(proposals, "Advocate (IMSA)"),
        "rejected": _by_passage(proposals, "community safety plan"),
        "pending": _by_passage(proposals, "survivor advisory panel"),
    }
    for key in ("kept", "withdrawn"):
        accept_match(db, passages[key], status=PledgeStatus.PLEDGED, reviewer_id=reviewer)
    reject_match(db, passages["rejected"], reason="not a commitment", reviewer_id=reviewer)
    db.commit()
    second = f"{TITLE}\n\n{passages['kept'].passage}\n".encode()
    stored_document(db, council, second, URL, title="Strategy")
    db.commit()
    for proposal in passages.values():
        db.refresh(proposal)
    assert passages["pending"].review_status == ReviewStatus.PENDING.value
    assert passages["withdrawn"].withdrawn_in == 2 and passages["kept"].withdrawn_in is None
    return passages


def test_the_feed_says_a_strategy_was_published_and_a_commitment_withdrawn(
    client: FlaskClient, council: Authority, decided: dict[str, Proposal]
) -> None:
    feed = parse(client.get(f"/feeds/authorities/{council.slug}.atom"))
    titles = [e.title for e in feed.entries]
    published = [e for e in feed.entries if e.title == f"New strategy published: {TITLE}"]
    dropped = f"Commitment withdrawn from {TITLE}"
    withdrawn = [e for e in feed.entries if e.title.startswith(dropped)]
    assert len(published) == 1 and len(withdrawn) == 1, titles
    assert f"Strategy updated: {TITLE}" in titles
    ids = [e.id for e in feed.entries]
    links = [e.link for e in feed.entries]
    assert len(set(ids)) == len(ids) and len(set(links)) == len(links)
    assert published[0].id.startswith("tag:pledge-tracker.invalid,2024:document-version/")
    assert published[0].link.endswith("#version-1")
    gone = decided["withdrawn"]
    assert withdrawn[0].link.endswith(f"#withdrawn-{gone.id}")
    # The link opens the document's page at the withdrawn passage.
    path, anchor = withdrawn[0].link.removeprefix("http://localhost").split("#")
    page = soup(client.get(path))
    assert gone.passage in page.select_one(f"#{anchor}").text
    assert page.select_one(f"#{published[0].link.split('#')[1]}") is not None
    content = BeautifulSoup(withdrawn[0].content[0].value, "html.parser")
    assert content.select_one("blockquote").text == gone.passage
    assert content.select_one("a[href$='/history']") is not None


def test_entries_of_every_kind_are_sorted_together_and_keep_their_ids(
    client: FlaskClient, council: Authority, decided: dict[str, Proposal]
) -> None:
    url = f"/feeds/authorities/{council.slug}.atom"
    feed = parse(client.get(url))
    kinds = [e.id.split(":")[-1].split("/")[0] for e in feed.entries]
    # Read, then accepted, then read again: pledge events sit between the two versions.
    assert kinds[-1] == "document-version" and "pledge-event" in kinds[1:-1], kinds
    dates = [e.updated_parsed for e in feed.entries]
    assert dates == sorted(dates, reverse=True)
    again = parse(client.get(url, headers={"Cache-Control": "no-cache"}))
    assert [e.id for e in again.entries] == [e.id for e in feed.entries]


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_pending_and_rejected_passages_never_reach_the_feed(
    client: FlaskClient, council: Authority, decided: dict[str, Proposal], fmt: str
) -> None:
    body = " ".join(client.get(f"/feeds/authorities/{council.slug}.{fmt}").text.split())
    assert " ".join(decided["withdrawn"].passage.split()) in body
    for key in ("pending", "rejected"):
        assert " ".join(decided[key].passage.split()) not in body, key


def test_rss_has_the_same_document_entries(
    client: FlaskClient, council: Authority, decided: dict[str, Proposal]
) -> None:
    atom = parse(client.get(f"/feeds/authorities/{council.slug}.atom"))
    rss = parse(client.get(f"/feeds/authorities/{council.slug}.rss"))
    assert [(e.title, e.link) for e in rss.entries] == [(e.title, e.link) for e in atom.entries]
    assert any(e.title.startswith("Commitment withdrawn from") for e in rss.entries)


def test_storing_a_document_makes_the_authority_feed_stale(
    client: FlaskClient, db: Session, council: Authority
) -> None:
    url = f"/feeds/authorities/{council.slug}.atom"
    first = client.get(url)
    assert parse(first).entries == []
    stored_document(db, council, STRATEGY.encode(), URL, title="Strategy")
    db.commit()
    poll = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert poll.status_code == 200
    assert [e.title for e in parse(poll).entries] == [f"New strategy published: {TITLE}"]
    assert poll.headers["ETag"] != first.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": poll.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_a_document_title_holding_markup_cannot_become_markup(
    client: FlaskClient, db: Session, council: Authority, fmt: str
) -> None:
    text = "Safer <img src=x onerror=alert(1)> Streets\n\nWe fund a coordinator.\n"
    stored_document(db, council, text.encode(), "https://strategyshire.invalid/x.txt", title="X")
    db.commit()
    channel = etree.fromstring(client.get(f"/feeds/authorities/{council.slug}.{fmt}").get_data())
    ns = "" if fmt == "rss" else "{http://www.w3.org/2005/Atom}"
    titles = [node.text or "" for node in channel.iter(f"{ns}title")]
    assert any(t.startswith("New strategy published: Safer") for t in titles), titles
    for title in titles:
        assert BeautifulSoup(title, "html.parser").find() is None, title
