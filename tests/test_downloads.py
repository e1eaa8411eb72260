"""CSV downloads: filters like the pages, safe in spreadsheets, streamed in batches."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, func, select

from tests.factories import authority, candidate, pledge_of, record
from tests.sql import counted_queries
from tracker import exports
from tracker.models import Authority, PledgeStatus
from tracker.queries.opendata import batched

HX = {"HX-Request": "true"}
ROTHERHAM = "E08000018"
TRICKY_NAME = 'Smith, "Jo"\nJunior'
FORMULAS = ['=HYPERLINK("https://evil.example")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def rows(response: Any) -> list[dict[str, str]]:
    """Read a CSV download back as a spreadsheet or script would."""
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    assert response.mimetype_params["charset"] == "utf-8"
    text = response.get_data().decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def header(response: Any) -> list[str]:
    return next(csv.reader(io.StringIO(response.get_data(as_text=True), newline="")))


def soup(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def test_pledges_round_trip_tricky_text(client: FlaskClient, db: Session) -> None:
    person = candidate(db, TRICKY_NAME, ward="Ward, with comma")
    record(db, pledge_of(db, "pathways-to-support", person=person), quote=FORMULAS[0])
    response = client.get("/pledges.csv")
    assert response.headers["Content-Disposition"] == 'attachment; filename="pledges.csv"'
    assert header(response) == [column.name for column in exports.PLEDGE_COLUMNS]
    (row,) = rows(response)
    assert row["name"] == TRICKY_NAME
    assert row["ward"] == "Ward, with comma"
    assert row["quote"] == "'" + FORMULAS[0]
    assert row["person_id"] == str(person.id)
    assert row["subject_type"] == "candidate"
    assert row["recommendation"] == "pathways-to-support"
    assert row["status"] == "pledged"
    assert row["evidence_url"] == "https://example.org/evidence"
    assert row["authority_gss"] == "E08000019"


@pytest.mark.parametrize("value", FORMULAS)
def test_formula_looking_cells_are_defused(client: FlaskClient, db: Session, value: str) -> None:
    person = candidate(db, value)
    record(db, pledge_of(db, "pathways-to-support", person=person))
    (row,) = rows(client.get(f"/pledges.csv?candidate={person.id}"))
    assert row["name"] == "'" + value
    (row,) = rows(client.get("/candidates.csv?status=pledged"))
    assert row["name"] == "'" + value


def test_cells_that_only_contain_formula_characters_later_are_left_alone() -> None:
    assert exports.cell("Smith-Jones") == "Smith-Jones"
    assert exports.cell("a=b") == "a=b"
    assert exports.cell(None) == ""
    assert exports.cell(True) == "true"
    assert exports.cell(-3) == "-3"  # a number is never run as a formula


def test_candidates_honour_the_pages_filters(client: FlaskClient, db: Session) -> None:
    jane = candidate(db, "Jane Smith", party=("PP53", "Labour Party"))
    candidate(db, "Tom Other", party=("PP63", "Green Party"))
    candidate(db, "Ann Away", gss_code=ROTHERHAM, party=("PP53", "Labour Party"))
    record(db, pledge_of(db, "pathways-to-support", person=jane), PledgeStatus.PARTIAL)
    by_party = rows(client.get("/candidates.csv?party=labour-party&authority=sheffield"))
    assert [r["name"] for r in by_party] == ["Jane Smith"]
    (jane_row,) = by_party
    assert jane_row["status_pathways_to_support"] == "partial"
    assert jane_row["status_listen_to_lived_experience"] == "awaiting-response"
    assert jane_row["pledged"] == "1"
    assert jane_row["democracy_club_url"].endswith(f"/person/{jane.id}")
    labour = rows(client.get("/candidates.csv?party=labour-party"))
    assert {r["name"] for r in labour} == {"Jane Smith", "Ann Away"}
    assert rows(client.get("/candidates.csv?status=partial")) == [jane_row]
    assert {r["name"] for r in rows(client.get("/candidates.csv?q=other"))} == {"Tom Other"}
    assert header(client.get("/candidates.csv"))[-5:] == [
        "status_priority_in_strategic_plans",
        "status_resourced_multi_agency_partnership",
        "status_safeguarding_and_independent_advocacy",
        "status_pathways_to_support",
        "status_listen_to_lived_experience",
    ]


def test_pledges_honour_scope_and_answer_filters(client: FlaskClient, db: Session) -> None:
    jane = candidate(db, "Jane Smith", party=("PP53", "Labour Party"))
    tom = candidate(db, "Tom Other", gss_code=ROTHERHAM)
    sheffield = authority(db)
    record(db, pledge_of(db, "pathways-to-support", person=jane))
    record(db, pledge_of(db, "pathways-to-support", person=tom), PledgeStatus.DECLINED)
    record(db, pledge_of(db, "listen-to-lived-experience", authority_row=sheffield))

    def names(query: str) -> list[str]:
        return [r["name"] for r in rows(client.get(f"/pledges.csv?{query}"))]

    assert names("authority=sheffield") == ["Jane Smith", "Sheffield City Council"]
    assert names("authority=E08000019&kind=authority") == ["Sheffield City Council"]
    assert names("status=declined") == ["Tom Other"]
    assert names("recommendation=pathways-to-support&party=labour-party") == ["Jane Smith"]
    assert names(f"candidate={tom.id}") == ["Tom Other"]
    (own,) = rows(client.get("/pledges.csv?kind=authority"))
    assert own["subject_type"] == "authority"
    assert (own["person_id"], own["party"], own["ward"]) == ("", "", "")
    assert (own["authority"], own["authority_gss"]) == ("Sheffield", "E08000019")


def test_authorities_stream_in_batches(
    app: Flask, client: FlaskClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tracker.queries.opendata.BATCH", 40)
    english = db.exec(select(func.count()).where(Authority.nation == "England")).one()
    with counted_queries(app) as statements:
        response = client.get("/authorities.csv?nation=England")
        assert response.is_streamed
        found = rows(response)
    assert len(found) == english > 40
    in_order = select(Authority.slug).where(Authority.nation == "England").order_by(Authority.slug)
    assert [r["slug"] for r in found] == list(db.exec(in_order).all())
    # A fixed few queries per batch of 40, never one per row.
    assert len(statements) <= 4 + 3 * (english // 40 + 1)
    sheffield = next(r for r in found if r["slug"] == "sheffield")
    assert sheffield["gss_code"] == "E08000019"
    assert sheffield["combined_authority_slug"] == "south-yorkshire-mayoral-combined-authority"
    assert sheffield["police_force_area_slug"] == "south-yorkshire-police"


def test_authorities_honour_the_pages_filters(client: FlaskClient, db: Session) -> None:
    welsh = rows(client.get("/authorities.csv?nation=Wales"))
    assert welsh and {r["nation"] for r in welsh} == {"Wales"}
    page = soup(client.get("/authorities/?nation=Wales"))
    assert page.select_one(".count").text.endswith(f"of {len(welsh)} authorities")
    police = rows(client.get("/authorities.csv?type=PFA&q=yorkshire"))
    assert {r["slug"] for r in police} >= {"south-yorkshire-police", "west-yorkshire-police"}
    assert all(r["kind"] == "PFA" for r in police)


def test_batched_reads_every_row_once() -> None:
    data = list(range(1, 24))

    def fetch(*, after: int | None, limit: int) -> list[int]:
        return [n for n in data if after is None or n > after][:limit]

    assert list(batched(fetch, key=lambda n: n, size=5)) == data
    assert list(batched(fetch, key=lambda n: n, size=23)) == data


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/candidates.csv?party=no-such-party", "There is no party called “no-such-party”."),
        ("/authorities.csv?nation=Atlantis", "There is no nation called “Atlantis”."),
        ("/pledges.csv?status=maybe", "status must be one of"),
        ("/pledges.csv?candidate=abc", "candidate must be a whole number"),
    ],
)
def test_bad_filters_say_what_was_wrong(client: FlaskClient, url: str, message: str) -> None:
    response = client.get(url)
    assert response.status_code in (400, 404)
    assert message in soup(response).select_one("main .lede").text


def test_list_pages_link_their_filtered_download(client: FlaskClient, db: Session) -> None:
    candidate(db, "Jane Smith", party=("PP53", "Labour Party"))
    link = soup(client.get("/candidates/?party=labour-party&q=jane")).select_one("a.download__link")
    assert link["href"] == "/candidates.csv?q=jane&party=labour-party"
    assert [r["name"] for r in rows(client.get(link["href"]))] == ["Jane Smith"]
    partial = soup(client.get("/candidates/?party=labour-party", headers=HX))
    assert partial.select_one("a.download__link")["href"] == "/candidates.csv?party=labour-party"
    welsh = soup(client.get("/authorities/?nation=Wales&type=WPA")).select_one("a.download__link")
    assert welsh["href"] == "/authorities.csv?nation=Wales&type=WPA"
    party = soup(client.get("/parties/labour-party")).select_one("a.download__link")
    assert party["href"] == "/candidates.csv?party=labour-party"


def test_detail_pages_link_their_pledges(client: FlaskClient, db: Session) -> None:
    jane = candidate(db, "Jane Smith")
    expected = {
        "/recommendations/pathways-to-support?status=pledged": (
            "/pledges.csv?recommendation=pathways-to-support&status=pledged"
        ),
        "/authorities/sheffield": "/pledges.csv?authority=sheffield",
        f"/candidates/{jane.id}-jane-smith": f"/pledges.csv?candidate={jane.id}",
    }
    for page_url, csv_url in expected.items():
        assert soup(client.get(page_url)).select_one("a.download__link")["href"] == csv_url


def test_data_page_documents_every_column(client: FlaskClient) -> None:
    page = soup(client.get("/data"))
    tables = page.select("main table")
    documented = [[code.text for code in table.select("tbody th code")] for table in tables]
    assert documented == [
        [c.name for c in exports.PLEDGE_COLUMNS],
        [c.name for c in exports.CANDIDATE_COLUMNS],
        [c.name for c in exports.AUTHORITY_COLUMNS],
    ]
    licence = page.select_one("#licence + p")
    assert licence.select_one("a[href='https://creativecommons.org/licenses/by-sa/4.0/']")
    assert "Democracy Club" in licence.text
    assert page.select_one("main a[href='/api/v1/openapi.json']") is not None
    assert page.select_one("footer a[href='/data']") is not None
