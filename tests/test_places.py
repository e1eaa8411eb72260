"""Place and authority pages name the right bodies, and any code for a council finds it."""

from __future__ import annotations

import csv
import io

from flask.testing import FlaskClient
from sqlmodel import Session

from tests.conftest import soup
from tests.factories import candidate, pledge_of, record


def _bodies(client: FlaskClient, slug: str) -> list[str]:
    """Return the names of the bodies a place page shows, in order."""
    page = soup(client.get(f"/places/{slug}"))
    return [h.text for h in page.select("section.place-body h2")]


def test_a_district_place_lists_its_county_combined_authority_and_police_area(
    client: FlaskClient,
) -> None:
    assert _bodies(client, "ashfield") == [
        "Ashfield District Council",
        "Nottinghamshire County Council",
        "East Midlands Combined County Authority",
        "Nottinghamshire police force area",
    ]


def test_kent_is_policed_by_kent_not_the_met(client: FlaskClient) -> None:
    assert _bodies(client, "kent") == ["Kent County Council", "Kent police force area"]
    met = soup(client.get("/authorities/metropolitan-police"))
    assert "Kent County Council" not in met.text
    kent = soup(client.get("/authorities/kent-police"))
    assert "Kent County Council" in kent.text and "Medway Council" in kent.text


def test_sheffield_names_one_body_for_the_commissioners_role_and_when_it_changed(
    client: FlaskClient,
) -> None:
    page = soup(client.get("/places/sheffield"))
    note = page.select_one("section.place-body .powers-note")
    assert note is not None
    assert "Since 7 May 2024 its mayor holds the powers of the Police and Crime " in note.text
    assert "South Yorkshire police force area" in note.text
    assert note.select_one("a")["href"] == "/authorities/south-yorkshire-police"


def test_the_police_area_page_says_who_holds_its_powers_and_keeps_its_record(
    client: FlaskClient,
) -> None:
    page = soup(client.get("/authorities/south-yorkshire-police"))
    facts = {dt.text: dd for dt, dd in zip(page.select("dt"), page.select("dd"), strict=True)}
    held = facts["Police commissioner"]
    assert held.text.startswith("Held since 7 May 2024 by the mayor of the South Yorkshire")
    assert held.select_one("a")["href"] == "/authorities/south-yorkshire-mayoral-combined-authority"
    north = soup(client.get("/authorities/north-yorkshire-police"))
    assert "Police, Fire and Crime Commissioner’s office" in north.text
    essex = soup(client.get("/authorities/essex-police"))
    assert "An elected Police, Fire and Crime Commissioner" in essex.text
    met = soup(client.get("/authorities/metropolitan-police"))
    assert "None is elected for this area" in met.text


def test_the_combined_authority_page_dates_its_mayors_police_powers(client: FlaskClient) -> None:
    page = soup(client.get("/authorities/greater-manchester"))
    assert (
        "Its mayor has held the powers of the Police and Crime Commissioner for Greater "
        "Manchester since 8 May 2017" in page.text
    )


def test_codes_lead_to_the_authoritys_one_address(client: FlaskClient) -> None:
    for key in ("SHF", "E08000019"):
        answer = client.get(f"/authorities/{key}")
        assert (answer.status_code, answer.location) == (301, "/authorities/sheffield")
    former = client.get("/places/E06000048")
    assert (former.status_code, former.location) == (301, "/places/northumberland")
    assert client.get("/authorities/E99999999").status_code == 404


def test_the_api_finds_authorities_by_former_gss_and_mysociety_codes(
    client: FlaskClient,
) -> None:
    for key, slug in [("E06000048", "northumberland"), ("SHF", "sheffield")]:
        answer = client.get(f"/api/v1/authorities/{key}")
        assert answer.status_code == 200, key
        assert answer.get_json()["slug"] == slug


WALKLEY = "E05010882"  # Sheffield's Walkley ward, as Democracy Club's results give it


def test_ward_gss_codes_are_published_in_the_csvs_and_the_api(
    client: FlaskClient, db: Session
) -> None:
    person = candidate(db, "Jane Smith", ward="Walkley", ward_gss=WALKLEY)
    record(db, pledge_of(db, "pathways-to-support", person=person))
    pledges = list(csv.DictReader(io.StringIO(client.get("/pledges.csv").get_data(as_text=True))))
    assert [row["ward_gss"] for row in pledges] == [WALKLEY]
    listing = client.get("/candidates.csv?authority=sheffield").get_data(as_text=True)
    lines = list(csv.reader(io.StringIO(listing)))
    assert lines[0][-2:] == ["ward_gss", "fictional"]  # added last, so no older column moves
    assert [dict(zip(lines[0], line, strict=True))["ward_gss"] for line in lines[1:]] == [WALKLEY]
    body = client.get(f"/api/v1/candidates/{person.id}").get_json()
    assert [c["ward_gss"] for c in body["candidacies"]] == [WALKLEY]


def test_a_police_area_run_by_a_mayor_points_its_place_page_to_the_mayor(
    client: FlaskClient,
) -> None:
    page = soup(client.get("/places/south-yorkshire-police"))
    note = page.select_one(".powers-note")
    assert note is not None and note.text.startswith("Since 7 May 2024 the mayor of the South")
    assert note.select_one("a")["href"] == "/places/south-yorkshire-mayoral-combined-authority"
    assert soup(client.get("/places/dyfed-powys-police")).select_one(".powers-note") is None
