"""Who is responsible for what, scorecards and league tables, places, and follow-ups."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import feedparser
import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from sqlmodel import Session, col, select

from tests.conftest import AuthActions, soup
from tests.factories import authority, candidate, fictional_council, pledge_of, record
from tracker.authority_types import TYPE_NAMES
from tracker.follow_ups import record_follow_ups
from tracker.models import (
    Authority,
    Delivery,
    FollowUp,
    PledgeEvent,
    PledgeStatus,
    Recommendation,
    Responsibility,
)
from tracker.queries.pledges import recommendations
from tracker.queries.scorecards import Scorecard, scorecard, scorecards, standings
from tracker.responsibilities import applicable_ids, duties, responsibility_table


def slugs(db: Session, body: Authority) -> set[str]:
    recs = recommendations(db)
    return {r.slug for r in recs if r.id in applicable_ids(body, recs, responsibility_table(db))}


ALL = {
    "priority-in-strategic-plans",
    "resourced-multi-agency-partnership",
    "safeguarding-and-independent-advocacy",
    "pathways-to-support",
    "listen-to-lived-experience",
}


def test_the_table_is_seeded_for_every_type(db: Session) -> None:
    cells = db.exec(select(Responsibility)).all()
    assert len(cells) == 12 * 5
    assert {c.kind for c in cells} == {
        "CTY",
        "NMD",
        "UA",
        "MD",
        "LBO",
        "SCO",
        "WPA",
        "NID",
        "COMB",
        "SRA",
        "CC",
        "PFA",
    }


def test_each_type_is_held_to_what_is_its_to_do(db: Session) -> None:
    district = db.exec(select(Authority).where(Authority.code == "TEW")).one()
    assert slugs(db, district) == ALL - {"safeguarding-and-independent-advocacy"}
    assert slugs(db, authority(db, "E08000019")) == ALL  # Sheffield, a metropolitan district
    assert slugs(db, authority(db, "E47000002")) == ALL  # South Yorkshire's mayor holds PCC powers
    tees = authority(db, "E47000006")  # Tees Valley's mayor does not
    assert slugs(db, tees) == {"resourced-multi-agency-partnership", "listen-to-lived-experience"}
    reasons = {
        d.recommendation.slug: d.reason
        for d in duties(tees, recommendations(db), responsibility_table(db))
    }
    assert "does not hold the Police and Crime Commissioner" in reasons["pathways-to-support"]


def test_the_place_page_shows_every_body_serving_sheffield(client: FlaskClient) -> None:
    """The mayor holds the PCC's powers, so the combined authority answers for policing."""
    page = soup(client.get("/places/sheffield"))
    bodies = [h.text for h in page.select("section.place-body h2")]
    assert bodies == ["Sheffield City Council", "South Yorkshire Mayoral Combined Authority"]
    mayor = page.select("section.place-body")[1]
    assert len(mayor.select("li.duty:not(.duty--not-theirs)")) == 5
    assert "police and crime plan" in mayor.select("li.duty")[0].text


def test_a_district_place_page_marks_what_is_not_its_to_do(client: FlaskClient) -> None:
    page = soup(client.get("/places/tewkesbury"))
    bodies = [h.text for h in page.select("section.place-body h2")]
    assert bodies[:2] == ["Tewkesbury Borough Council", "Gloucestershire County Council"]
    district = page.select("section.place-body")[0]
    not_theirs = [
        li.select_one(".duty__title").text for li in district.select("li.duty--not-theirs")
    ]
    assert not_theirs == [
        "3. Place safeguarding and independent advocacy at the heart of the response"
    ]
    assert client.get("/places/atlantis").status_code == 404


def test_scorecards_count_only_what_an_authority_can_deliver(db: Session) -> None:
    council = fictional_council(db)
    record(db, pledge_of(db, "pathways-to-support", authority_row=council))
    record(
        db, pledge_of(db, "listen-to-lived-experience", authority_row=council), PledgeStatus.PARTIAL
    )
    record(
        db,
        pledge_of(db, "priority-in-strategic-plans", authority_row=council),
        PledgeStatus.DECLINED,
        quote="No.",
    )
    card = scorecard(db, council)
    assert (card.applicable, card.pledged, card.partial) == (5, 1, 1)
    assert card.score == pytest.approx(0.3)


def test_the_league_table_ranks_one_type_and_downloads(client: FlaskClient, db: Session) -> None:
    best, middle, worst = (fictional_council(db, n) for n in ("Bestshire", "Midshire", "Lowshire"))
    for slug in ALL:
        record(db, pledge_of(db, slug, authority_row=best))
    record(db, pledge_of(db, "pathways-to-support", authority_row=middle), PledgeStatus.PARTIAL)
    mine = {best.slug, middle.slug, worst.slug}
    ranked = [c.authority.slug for c in scorecards(db, kind="UA") if c.authority.slug in mine]
    assert ranked == ["bestshire-fictional", "midshire-fictional", "lowshire-fictional"]
    page = soup(client.get("/scorecards/?type=UA&region=Yorkshire+and+The+Humber"))
    rows = page.select("tbody tr")
    assert [r.th.text for r in rows[:2]] == [
        "Bestshire Council (fictional)",
        "Midshire Council (fictional)",
    ]
    assert [td.text for td in rows[0].select("td")] == ["1", "5", "5", "0", "100%", "0"]
    assert "Data as of" in page.select_one("p.meta").text
    by_name = soup(client.get("/scorecards/?type=UA&sort=name")).select("tbody th")
    names = [th.text for th in by_name]
    assert names == sorted(names)
    download = client.get("/scorecards.csv?type=UA&region=Yorkshire+and+The+Humber")
    table = list(csv.DictReader(io.StringIO(download.get_data(as_text=True))))
    assert table[0]["authority"] == "Bestshire Council (fictional)"
    assert (table[0]["rank"], table[0]["score"], table[1]["partial"]) == ("1", "1.00", "1")
    assert client.get("/scorecards/?type=XYZ").status_code == 404
    assert worst.slug in {r["authority_slug"] for r in table}


def test_the_methodology_is_published(client: FlaskClient) -> None:
    page = soup(client.get("/methodology"))
    assert page.h1.text == "How the scores work"
    rows = {
        tr.th.text: [td.text for td in tr.select("td")]
        for tr in page.select("table.responsibilities tbody tr")
    }
    assert rows["District council"][2].startswith("No")
    assert rows["Combined authority"][0].startswith("With PCC powers")
    assert list(rows) == list(TYPE_NAMES.values())


@pytest.mark.parametrize(
    "url", ["/methodology", "/scorecards/", "/authorities/?type=NID", "/places/sheffield"]
)
def test_no_public_page_shows_a_type_code(client: FlaskClient, url: str) -> None:
    words = set(re.findall(r"[A-Za-z]+", soup(client.get(url)).main.get_text(" ")))
    assert words.isdisjoint(TYPE_NAMES)


def test_equal_scores_share_a_rank(db: Session) -> None:
    council = fictional_council(db)
    cards = [
        Scorecard(authority=council, applicable=5, pledged=p, partial=q, evidence=0)
        for p, q in ((5, 0), (2, 1), (1, 3), (0, 0))
    ]
    assert [rank for rank, _ in standings(cards)] == [1, 2, 2, 4]
    assert [rank for rank, _ in standings(cards[3:] + cards[3:])] == [None, None]


def test_a_table_where_nobody_has_pledged_ranks_nobody(client: FlaskClient, db: Session) -> None:
    assert all(card.score == 0 for card in scorecards(db, kind="MD"))
    page = soup(client.get("/scorecards/?type=MD"))
    assert "not ranked" in page.select_one("#no-ranking").text
    assert "Rank" not in [th.text for th in page.select("thead th")]
    assert page.select("tbody tr")
    download = client.get("/scorecards.csv?type=MD").get_data(as_text=True)
    assert {row["rank"] for row in csv.DictReader(io.StringIO(download))} == {""}


def test_admins_edit_the_table(client: FlaskClient, auth: AuthActions, db: Session) -> None:
    auth.login_as("admin")
    rec = db.exec(select(Recommendation).where(Recommendation.slug == "pathways-to-support")).one()
    cell = db.exec(
        select(Responsibility).where(
            Responsibility.kind == "NID", Responsibility.recommendation_id == rec.id
        )
    ).one()
    data = {
        "applies": "no",
        "reason": "Signposting only",
        "version": "1",
        "csrf_token": auth.csrf(),
    }
    assert client.post(f"/campaign/admin/responsibilities/{cell.id}", data=data).status_code == 303
    assert client.post(f"/campaign/admin/responsibilities/{cell.id}", data=data).status_code == 409
    db.refresh(cell)
    assert (cell.applies, cell.reason, cell.version) == ("no", "Signposting only", 2)


def test_follow_ups_mark_undelivered_pledges_once(
    client: FlaskClient, auth: AuthActions, db: Session, runner: FlaskCliRunner
) -> None:
    council = fictional_council(db)  # no election of its own: the campaign's, 2 May 2024
    kept = record(db, pledge_of(db, "pathways-to-support", authority_row=council))
    rated = record(
        db,
        pledge_of(db, "listen-to-lived-experience", authority_row=council),
        delivery=Delivery.DELIVERED,
    )
    winner = candidate(db, "Wyn Elected", council=council, elected=True, poll_date=date(2024, 5, 2))
    loser = candidate(
        db, "Lou Notelected", council=council, elected=False, poll_date=date(2024, 5, 2)
    )
    theirs = record(db, pledge_of(db, "pathways-to-support", person=winner))
    record(db, pledge_of(db, "pathways-to-support", person=loser))
    db.commit()
    assert record_follow_ups(db, today=date(2024, 8, 1)) == []  # 91 days: nothing yet
    first = runner.invoke(args=["follow-ups", "--today", "2024-08-15"])
    assert first.exit_code == 0 and "2 follow-ups recorded" in first.output
    later = runner.invoke(args=["follow-ups", "--today", "2025-06-01"])
    assert "2 follow-ups recorded" in later.output  # the one-year milestone of both
    again = runner.invoke(args=["follow-ups", "--today", "2025-06-01"])
    assert "0 follow-ups recorded" in again.output
    marked = {(f.pledge_id, f.milestone) for f in db.exec(select(FollowUp))}
    assert marked == {(p.id, m) for p in (kept, theirs) for m in ("100-days", "1-year")}
    assert rated.id not in {f.pledge_id for f in db.exec(select(FollowUp))}
    db.refresh(kept)
    assert (kept.status, kept.delivery) == ("pledged", "not-yet-rated")  # never "broken"
    events = db.exec(
        select(PledgeEvent).where(
            PledgeEvent.pledge_id == kept.id, col(PledgeEvent.kind) == "follow-up"
        )
    ).all()
    assert [e.note for e in events] == [
        "No delivery evidence yet, 100 days after the election of 2 May 2024.",
        "No delivery evidence yet, one year after the election of 2 May 2024.",
    ]
    feed = feedparser.parse(client.get(f"/feeds/authorities/{council.slug}.atom").data)
    assert (
        "No delivery evidence yet from Testshire Council (fictional): Create pathways to "
        "support services" in [e.title for e in feed.entries]
    )
    history = soup(client.get(f"/pledges/{kept.id}/history")).select("ol.timeline li")
    assert "Follow-up" in history[-1].text
    auth.login_as()
    queue = soup(client.get("/campaign/follow-ups")).select("tbody tr")
    assert len(queue) == 4
    record(db, kept, delivery=Delivery.IN_PROGRESS)
    db.commit()
    assert len(soup(client.get("/campaign/follow-ups")).select("tbody tr")) == 2
