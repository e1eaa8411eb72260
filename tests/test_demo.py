"""The fictional demonstration data stays fictional, labelled and out of every public figure,
and can be removed."""

from __future__ import annotations

import csv
import io

import feedparser
from flask.testing import FlaskClient
from sqlmodel import Session, col, func, select

from tests.conftest import soup
from tests.factories import candidate, fictional_council, pledge_of, record
from tracker import demo
from tracker.commands.data import SAMPLE_CANDIDATES
from tracker.imports.candidates import import_candidates
from tracker.models import Authority, Party, Person, Pledge, PledgeEvent, PledgeStatus


def test_demo_pledges_belong_only_to_fictional_subjects(db: Session) -> None:
    import_candidates(db, SAMPLE_CANDIDATES)
    demo.load_demo(db)
    answered = db.exec(select(Pledge).where(Pledge.status != PledgeStatus.AWAITING.value)).all()
    assert answered
    for pledge in answered:
        if pledge.person_id:
            assert db.get_one(Person, pledge.person_id).is_demo
        else:
            assert db.get_one(Authority, pledge.authority_id).is_demo
        assert "example.org" in (pledge.evidence_url or "")
    for party in db.exec(select(Party).where(col(Party.is_demo))):
        assert "(fictional)" in party.name


def test_loading_twice_changes_nothing_and_removal_is_complete(db: Session) -> None:
    demo.load_demo(db)
    events = db.exec(select(func.count()).select_from(PledgeEvent)).one()
    assert demo.load_demo(db) == "already loaded"
    assert db.exec(select(func.count()).select_from(PledgeEvent)).one() == events
    assert demo.remove_demo(db) > 0
    assert db.exec(select(Authority).where(col(Authority.is_demo))).first() is None
    assert db.exec(select(Person).where(col(Person.is_demo))).first() is None
    assert db.exec(select(func.count()).select_from(PledgeEvent)).one() == 0


# Every public figure on the site: each page with the parts of it that count or rank.
PUBLIC_FIGURES = {
    "/": ["ul.stats", "section[aria-labelledby=asks]", "section[aria-labelledby=charts-heading]"],
    "/recommendations/": ["main"],
    "/recommendations/pathways-to-support": [
        "section[aria-labelledby=answers-heading] table",
        "section[aria-labelledby=by-authority]",
        "section[aria-labelledby=by-party]",
    ],
    "/authorities/": ["figure.chart-figure"],
    "/scorecards/?type=UA": ["main table", "main .empty"],
    "/parties/": ["main"],
}
REAL_PARTY = ("fictional-party:counted", "Counted Party (fictional)")


def _figures(client: FlaskClient) -> dict[str, list[str]]:
    """Return the HTML of every public figure, page by page."""
    found = {}
    for url, selectors in PUBLIC_FIGURES.items():
        page = soup(client.get(url))
        found[url] = [str(part) for css in selectors for part in page.select(css)]
        assert found[url], f"{url} shows none of {selectors}"
    return found


def _a_real_council_that_answered(db: Session) -> Authority:
    """Record answers for an ordinary (not demonstration) council and one of its candidates."""
    council = fictional_council(db, "Countshire")
    person = candidate(db, "Cory Counted", council=council, party=REAL_PARTY)
    record(db, pledge_of(db, "pathways-to-support", person=person))
    record(db, pledge_of(db, "pathways-to-support", authority_row=council))
    record(db, pledge_of(db, "priority-in-strategic-plans", authority_row=council))
    return council


def test_loading_the_demonstration_changes_no_public_figure(
    client: FlaskClient, db: Session
) -> None:
    council = _a_real_council_that_answered(db)
    db.flush()
    before = _figures(client)
    shown = " ".join(" ".join(parts) for parts in before.values())
    assert council.name in shown and REAL_PARTY[1] in shown, "the real answers are counted"
    demo.load_demo(db)
    db.flush()
    after = _figures(client)
    for url in PUBLIC_FIGURES:
        assert after[url] == before[url], f"the demonstration changed a figure on {url}"
    assert "Exampleshire" not in " ".join(" ".join(parts) for parts in after.values())
    regions = soup(client.get("/authorities/")).select("svg#chart-regions g.chart-row")
    assert "England" not in {row["data-label"] for row in regions}


def test_demonstration_rows_stay_listed_and_labelled(client: FlaskClient, db: Session) -> None:
    _a_real_council_that_answered(db)
    demo.load_demo(db)
    db.flush()
    bare = {name for name, *_ in demo.PEOPLE}
    labelled = {f"{name} (fictional)" for name in bare}
    answered = soup(client.get("/recommendations/pathways-to-support")).select(".answer__who a")
    names = {a.text for a in answered}
    assert "Cory Counted" in names and names & labelled and not names & bare, names
    latest = {a.text for a in soup(client.get("/")).select("[aria-labelledby=latest] li > a")}
    assert latest & labelled and not latest & bare, latest
    listed = soup(client.get("/authorities/?q=Exampleshire")).select("tbody th a")
    assert [a.text for a in listed] == ["Exampleshire Council (fictional)"]
    titles = [e.title for e in feedparser.parse(client.get("/feeds/updates.atom").data).entries]
    mentioned = [(name, t) for t in titles for name in bare if name in t]
    assert mentioned and all(f"{name} (fictional)" in t for name, t in mentioned), titles


# Where an authority's page and its place page name people: the ward lists (those who
# answered, and those yet to) and the office holders.
PEOPLE_NAMED = {
    "/authorities/{}": (
        ".ward table th a, .ward .unanswered a[href^='/candidates/'], section.holders th a"
    ),
    "/places/{}": "ul.holders li > a",
}


def _people_named(client: FlaskClient, slug: str) -> dict[str, set[str]]:
    """Return the names of people each page about the authority prints."""
    return {
        url: {a.text for a in soup(client.get(url.format(slug))).select(css)}
        for url, css in PEOPLE_NAMED.items()
    }


def test_ward_lists_and_office_holders_label_demonstration_people(
    client: FlaskClient, db: Session
) -> None:
    demo.load_demo(db)
    db.flush()
    labelled = {f"{name} (fictional)" for name, *_ in demo.PEOPLE}
    elected = {f"{name} (fictional)" for name, _, _, _, won in demo.PEOPLE if won}
    named = _people_named(client, "exampleshire-fictional")
    assert named["/authorities/{}"] == labelled, named
    assert named["/places/{}"] == elected, named
    page = soup(client.get(f"/candidates/{demo.FIRST_PERSON_ID}", follow_redirects=True))
    summary = page.select_one("#answer-summary")
    assert summary is not None and summary.text.strip().startswith("Alex Example (fictional) has")


def test_ward_lists_and_office_holders_leave_ordinary_people_unlabelled(
    client: FlaskClient, db: Session
) -> None:
    council = _a_real_council_that_answered(db)
    candidate(db, "Una Answered", council=council, party=REAL_PARTY, ward="Other Ward")
    winner = candidate(db, "Wynn Elected", council=council, party=REAL_PARTY, elected=True)
    record(db, pledge_of(db, "pathways-to-support", person=winner))
    named = _people_named(client, council.slug)
    assert named["/authorities/{}"] == {"Cory Counted", "Una Answered", "Wynn Elected"}, named
    assert named["/places/{}"] == {"Wynn Elected"}, named


def test_a_demonstration_party_s_own_page_counts_its_own_candidates(
    client: FlaskClient, db: Session
) -> None:
    demo.load_demo(db)
    db.flush()
    _, name, slug = demo.PARTIES[0]
    standing = sum(1 for _, _, party, _, _ in demo.PEOPLE if party == 0)
    lede = soup(client.get(f"/parties/{slug}")).select_one("p.lede")
    assert lede is not None and lede.text.startswith(f"{standing} candidates;"), lede
    assert name not in soup(client.get("/parties/")).text


def test_downloads_and_the_api_keep_demonstration_rows_and_mark_them(
    client: FlaskClient, db: Session
) -> None:
    council = _a_real_council_that_answered(db)
    demo.load_demo(db)
    db.flush()
    for url, key, real, fictional in (
        ("/pledges.csv", "name", council.name, "Exampleshire Council (fictional)"),
        ("/candidates.csv", "name", "Cory Counted", "Chris Dummy"),
        ("/authorities.csv?type=UA", "slug", council.slug, "exampleshire-fictional"),
    ):
        rows = csv.DictReader(io.StringIO(client.get(url).get_data(as_text=True)))
        marked = {row[key]: row["fictional"] for row in rows}
        assert (marked[real], marked[fictional]) == ("false", "true"), url
    dummy = db.exec(select(Person).where(Person.name == "Chris Dummy")).one()
    for url, fictional in (
        (f"/api/v1/candidates/{dummy.id}", True),
        ("/api/v1/authorities/exampleshire-fictional", True),
        (f"/api/v1/authorities/{council.slug}", False),
    ):
        assert client.get(url).get_json()["fictional"] is fictional, url
