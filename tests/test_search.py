"""Find your area: names with any spelling, small typos, roles, wards and postcodes."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from sqlmodel import Session, select

from tests.conftest import soup
from tracker.commands.data import SAMPLE_CANDIDATES
from tracker.imports.candidates import import_candidates
from tracker.models import Postcode
from tracker.search import outward_code, postcode

# The ONS Postcode Directory's leading columns, in its order (ONSPD user guide).
ONSPD_COLUMNS = [
    "pcd", "pcd2", "pcds", "dointr", "doterm", "oscty", "ced", "oslaua", "osward",
    "parish", "usertype", "oseast1m", "osnrth1m", "osgrdind", "oshlthau", "nhser", "ctry",
    "rgn",
]  # fmt: skip


def _goes_to(client: FlaskClient, q: str) -> str | None:
    """Return where a search sends a resident straight away (a 303), if anywhere."""
    answer = client.get("/search", query_string={"q": q})
    return answer.location if answer.status_code == 303 else None


@pytest.mark.parametrize(
    ("typed", "place"),
    [
        ("sheffeild", "/places/sheffield"),  # a small typo
        ("Notts", "/places/nottinghamshire"),  # a county's customary abbreviation
        ("Ashfield", "/places/ashfield"),
        ("South Yorkshire PCC", "/places/south-yorkshire-police"),
        ("sheffield city council", "/places/sheffield"),  # a mySociety spelling
        ("Kent", "/places/kent"),  # the council, whose page shows Kent's police too
        ("essex pcc", "/places/essex-police"),  # said of its PFCC too
        ("Greater Manchester mayor", "/places/greater-manchester"),
    ],
)
def test_a_search_goes_straight_to_the_place_it_means(
    client: FlaskClient, typed: str, place: str
) -> None:
    assert _goes_to(client, typed) == place


def test_a_search_for_a_role_lists_every_place_with_type_and_county(
    client: FlaskClient,
) -> None:
    for typed in ("PCC", "police and crime commissioner"):
        page = soup(client.get("/search", query_string={"q": typed}))
        results = page.select("ul.place-results li")
        names = {li.select_one("a").text for li in results}
        assert len(results) == 41, typed  # 43 areas less the Met and the City
        assert "South Yorkshire police force area" in names
        assert all("Police force area" in li.select_one(".meta").text for li in results)
    page = soup(client.get("/search", query_string={"q": "Yorkshire"}))
    assert len(page.select("ul.place-results li")) > 4  # four Yorkshires, and more
    lindsey = soup(client.get("/search", query_string={"q": "Lindsey"}))
    districts = lindsey.select("ul.place-results li")
    assert [li.a.text for li in districts][:2] == [
        "East Lindsey District Council",
        "West Lindsey District Council",
    ]
    assert all("District council in Lincolnshire County Council" in li.text for li in districts[:2])


def test_nothing_found_says_so(client: FlaskClient) -> None:
    page = soup(client.get("/search", query_string={"q": "Atlantis"}))
    assert page.select_one("#place-results .empty").text.startswith("No place matches")


def test_ward_names_find_their_council(client: FlaskClient, db: Session) -> None:
    import_candidates(db, SAMPLE_CANDIDATES)  # Democracy Club's real wards
    assert _goes_to(client, "Walkley") == "/places/sheffield"


def test_live_results_are_a_fragment_and_never_navigate(client: FlaskClient) -> None:
    answer = client.get("/search?q=sheffeild", headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert "<html" not in answer.get_data(as_text=True)
    assert [a["href"] for a in soup(answer).select("ul.place-results a")][0] == (
        "/places/sheffield"
    )


def test_the_home_page_and_authorities_page_offer_the_search_first(client: FlaskClient) -> None:
    home = soup(client.get("/"))
    form = home.select_one("form.place-search")
    assert (form["action"], form.select_one("input")["name"]) == ("/search", "q")
    listing = soup(client.get("/authorities/?q=Notts"))
    order = listing.select("#place-results, figure.chart-figure")
    assert [el.name for el in order] == ["div", "figure"]  # results above the chart
    assert "Nottinghamshire County Council" in order[0].text


def test_a_postcode_without_the_lookup_says_so_and_searches_names(client: FlaskClient) -> None:
    page = soup(client.get("/search", query_string={"q": "S1 2HH"}))
    assert page.select_one("#place-results .notice").text.startswith(
        "Postcode lookup is not loaded on this site"
    )


def _onspd(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    """Write a small file in the ONS Postcode Directory's column layout."""
    path = tmp_path / "ONSPD_TEST.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=ONSPD_COLUMNS, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_imported_postcodes_take_residents_to_their_council(
    client: FlaskClient, runner: FlaskCliRunner, db: Session, tmp_path: Path
) -> None:
    """Real postcodes with their real districts; the ZZ area is invented for the rest."""
    path = _onspd(
        tmp_path,
        [
            {"pcd": "S1  2HH", "pcds": "S1 2HH", "oslaua": "E08000019"},  # Sheffield
            {"pcds": "ZZ9 9ZZ", "oslaua": "E07000165", "osward": "E05000001"},  # Harrogate
            {"pcds": "ZZ8 1AA", "oslaua": "E08000019"},
            {"pcds": "ZZ8 1AB", "oslaua": "E08000016"},  # Barnsley: ZZ8 is shared
            {"pcds": "ZZ7 1AA", "oslaua": "E08000019", "doterm": "200012"},  # terminated
            {"pcds": "NOT A CODE", "oslaua": "E08000019"},
        ],
    )
    result = runner.invoke(args=["import-postcodes", str(path)])
    assert result.exit_code == 0, result.output
    assert "line 7: pcds 'NOT A CODE' is not a postcode" in result.output
    assert "4 postcodes loaded, 1 no longer in use skipped, 1 rejected" in result.output
    assert db.exec(select(Postcode.ward_gss).where(Postcode.postcode == "ZZ9 9ZZ")).one() == (
        "E05000001"
    )
    assert _goes_to(client, "S1 2HH") == "/places/sheffield"
    assert _goes_to(client, "s12hh") == "/places/sheffield"
    assert _goes_to(client, "S1") == "/places/sheffield"  # an outward code with one council
    assert _goes_to(client, "ZZ9 9ZZ") == "/places/north-yorkshire"  # via a former code
    shared = soup(client.get("/search", query_string={"q": "ZZ8"}))
    assert [a.text for a in shared.select("ul.place-results a")] == [
        "Barnsley Metropolitan Borough Council",
        "Sheffield City Council",
    ]
    missing = soup(client.get("/search", query_string={"q": "ZZ6 6ZZ"}))
    assert "No postcode ZZ6 6ZZ" in missing.select_one(".notice").text


def test_a_file_without_the_ons_columns_is_refused(runner: FlaskCliRunner, tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("postcode,council\nS1 2HH,Sheffield\n", encoding="utf-8")
    result = runner.invoke(args=["import-postcodes", str(path)])
    assert result.exit_code == 1
    assert "it needs the columns pcds and oslaua (ONSPD) or laua (NSPL)" in result.output


def test_postcodes_are_read_in_every_usual_spacing() -> None:
    assert postcode("s1 2hh") == postcode("S12HH") == postcode(" S1  2HH ") == "S1 2HH"
    assert postcode("SW1A 1AA") == "SW1A 1AA"
    assert postcode("Sheffield") is None
    assert outward_code("sw1a") == "SW1A"
    assert outward_code("S1 2HH") is None
