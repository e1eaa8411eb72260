"""Who holds office now: the winners of each seat's latest election, and asks to them."""

from __future__ import annotations

from datetime import date

from flask.testing import FlaskClient
from sqlmodel import Session

from tests.conftest import soup
from tests.factories import candidate, fictional_council, pledge_of, record
from tracker.asks import salutation
from tracker.commands.data import SAMPLE_CANDIDATES
from tracker.imports.candidates import import_candidates
from tracker.models import Authority


def _holders(client: FlaskClient, slug: str) -> list[tuple[str, str]]:
    """Return (name, seat) for each office holder an authority page lists, in order."""
    page = soup(client.get(f"/authorities/{slug}"))
    return [
        (row.select_one("th").text, row.select("td")[0].text)
        for row in page.select("table.holders tbody tr")
    ]


def test_the_latest_election_for_each_seat_names_its_holders(
    client: FlaskClient, db: Session
) -> None:
    """Democracy Club's real results: Walkley elected in 2018 and again in 2021."""
    import_candidates(db, SAMPLE_CANDIDATES)
    holders = _holders(client, "sheffield")
    walkley = [name for name, seat in holders if seat == "Walkley"]
    assert walkley == ["Bernard Little"]  # elected 6 May 2021; 2018's winner is not listed
    assert len(holders) == 29  # the 2021 winners: 28 wards, one electing two


def test_office_holders_who_pledged_come_first(client: FlaskClient, db: Session) -> None:
    council = fictional_council(db)
    candidate(
        db, "Ann Early", council=council, ward="Ash", poll_date=date(2022, 5, 5), elected=True
    )
    candidate(db, "Ann Later", council=council, ward="Ash", elected=True)
    candidate(db, "Bob Loser", council=council, ward="Birch", elected=False)
    candidate(db, "Cy Quiet", council=council, ward="Birch", elected=True)
    keen = candidate(db, "Dee Keen", council=council, ward="Elm", elected=True)
    record(db, pledge_of(db, "pathways-to-support", person=keen))
    assert _holders(client, council.slug) == [
        ("Dee Keen", "Elm"),
        ("Ann Later", "Ash"),
        ("Cy Quiet", "Birch"),
    ]
    place = soup(client.get(f"/places/{council.slug}"))
    assert [a.text for a in place.select("ul.holders a")] == ["Dee Keen", "Ann Later", "Cy Quiet"]


def _fictional_police_area(db: Session) -> Authority:
    """Return an invented police area that elects a Police and Crime Commissioner."""
    area = Authority(
        slug="killshire-fictional-police",
        name="Killshire (fictional) police force area",
        short_name="Killshire (fictional)",
        gss_code="X99000099",
        kind="PFA",
        kind_name="Police force area",
        nation="England",
        commissioner="Police and Crime Commissioner",
        is_demo=True,
    )
    db.add(area)
    db.flush()
    return area


def test_an_ask_addresses_the_commissioner_by_name_and_office(
    client: FlaskClient, db: Session
) -> None:
    area = _fictional_police_area(db)
    ask = soup(client.get(f"/authorities/{area.slug}")).select_one("#ask-text").text
    assert ask.startswith("Dear Police and Crime Commissioner for Killshire (fictional),\n")
    candidate(db, "Pat Example", council=area, ward="Killshire (fictional)", elected=True)
    ask = soup(client.get(f"/authorities/{area.slug}")).select_one("#ask-text").text
    assert ask.startswith(
        "Dear Pat Example, Police and Crime Commissioner for Killshire (fictional),\n"
    )


def test_a_police_area_run_by_a_mayor_is_asked_through_the_mayor(client: FlaskClient) -> None:
    ask = soup(client.get("/authorities/south-yorkshire-police")).select_one("#ask-text").text
    assert ask.startswith("Dear Mayor of the South Yorkshire Mayoral Combined Authority,\n")
    ask = soup(client.get("/authorities/dyfed-powys-police")).select_one("#ask-text").text
    assert ask.startswith("Dear Police and Crime Commissioner for Dyfed-Powys,\n")


def test_councils_are_still_asked_as_the_council(db: Session) -> None:
    council = fictional_council(db)
    assert salutation(council, "Ann Later") == "Testshire Council (fictional)"
