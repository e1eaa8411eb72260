"""CSV downloads: filters like the pages, safe in spreadsheets, streamed in batches."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, func, select

from tests.conftest import soup
from tests.factories import candidate, fictional_council, pledge_of, record
from tests.sql import counted_queries
from tracker import exports
from tracker.db import EXTENSION
from tracker.models import Authority, PledgeStatus, utcnow
from tracker.queries.opendata import batched

HX = {"HX-Request": "true"}
RED_ROSETTE = ("fictional-party:labour", "Red Rosette Party (fictional)")
GREEN_LEAF = ("fictional-party:green", "Green Leaf Party (fictional)")
# The app reads only a letter from ENSWK and eight digits as a GSS code, so a lookup by code
# needs the fictional council to carry one: E99 is ONS's pseudo-code range, used by no body.
GSS_SHAPED = "E99999901"
BOM = "\ufeff".encode()
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


def test_pledges_round_trip_tricky_text(client: FlaskClient, db: Session) -> None:
    council = fictional_council(db)
    person = candidate(db, TRICKY_NAME, council=council, ward="Ward, with comma")
    record(db, pledge_of(db, "pathways-to-support", person=person), quote=FORMULAS[0])
    response = client.get("/pledges.csv")
    today = utcnow().date().isoformat()
    assert response.headers["Content-Disposition"] == f'attachment; filename="pledges-{today}.csv"'
    assert not response.data.startswith(BOM)
    excel = client.get("/pledges.csv?excel=1")
    assert excel.data.startswith(BOM) and excel.data[len(BOM) :] == response.data
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
    assert row["authority_gss"] == council.gss_code


@pytest.mark.parametrize("value", FORMULAS)
def test_formula_looking_cells_are_defused(client: FlaskClient, db: Session, value: str) -> None:
    person = candidate(db, value, council=fictional_council(db))
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
    testshire, otherham = fictional_council(db), fictional_council(db, "Otherham")
    jane = candidate(db, "Jane Smith", council=testshire, party=RED_ROSETTE)
    candidate(db, "Tom Other", council=testshire, party=GREEN_LEAF)
    candidate(db, "Ann Away", council=otherham, party=RED_ROSETTE)
    record(db, pledge_of(db, "pathways-to-support", person=jane), PledgeStatus.PARTIAL)
    by_party = rows(
        client.get(
            "/candidates.csv?party=red-rosette-party-fictional&authority=testshire-fictional"
        )
    )
    assert [r["name"] for r in by_party] == ["Jane Smith"]
    (jane_row,) = by_party
    assert jane_row["status_pathways_to_support"] == "partial"
    assert jane_row["status_listen_to_lived_experience"] == "awaiting-response"
    assert jane_row["pledged"] == "1"
    assert jane_row["democracy_club_url"].endswith(f"/person/{jane.id}")
    red_rosette = rows(client.get("/candidates.csv?party=red-rosette-party-fictional"))
    assert {r["name"] for r in red_rosette} == {"Jane Smith", "Ann Away"}
    assert rows(client.get("/candidates.csv?status=partial")) == [jane_row]
    assert {r["name"] for r in rows(client.get("/candidates.csv?q=other"))} == {"Tom Other"}
    added = [c.name for c in exports.CANDIDATE_ADDED_COLUMNS]
    assert header(client.get("/candidates.csv"))[-5 - len(added) :] == [
        "status_priority_in_strategic_plans",
        "status_resourced_multi_agency_partnership",
        "status_safeguarding_and_independent_advocacy",
        "status_pathways_to_support",
        "status_listen_to_lived_experience",
        *added,
    ]


def test_pledges_honour_scope_and_answer_filters(client: FlaskClient, db: Session) -> None:
    testshire = fictional_council(db)
    testshire.gss_code = GSS_SHAPED
    db.flush()
    jane = candidate(db, "Jane Smith", council=testshire, party=RED_ROSETTE)
    tom = candidate(db, "Tom Other", council=fictional_council(db, "Otherham"))
    record(db, pledge_of(db, "pathways-to-support", person=jane))
    record(db, pledge_of(db, "pathways-to-support", person=tom), PledgeStatus.DECLINED)
    record(db, pledge_of(db, "listen-to-lived-experience", authority_row=testshire))

    def names(query: str) -> list[str]:
        return [r["name"] for r in rows(client.get(f"/pledges.csv?{query}"))]

    council = "Testshire Council (fictional)"
    assert names("authority=testshire-fictional") == ["Jane Smith", council]
    assert names(f"authority={GSS_SHAPED}&kind=authority") == [council]
    assert names("status=declined") == ["Tom Other"]
    red_rosette = "party=red-rosette-party-fictional"
    assert names(f"recommendation=pathways-to-support&{red_rosette}") == ["Jane Smith"]
    assert names(f"candidate={tom.id}") == ["Tom Other"]
    (own,) = rows(client.get("/pledges.csv?kind=authority"))
    assert own["subject_type"] == "authority"
    assert (own["person_id"], own["party"], own["ward"]) == ("", "", "")
    assert (own["authority"], own["authority_gss"]) == ("Testshire (fictional)", GSS_SHAPED)


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
    candidate(db, "Jane Smith", council=fictional_council(db), party=RED_ROSETTE)
    party_slug = "red-rosette-party-fictional"
    link = soup(client.get(f"/candidates/?party={party_slug}&q=jane")).select_one(
        "a.download__link"
    )
    assert link["href"] == f"/candidates.csv?q=jane&party={party_slug}"
    assert [r["name"] for r in rows(client.get(link["href"]))] == ["Jane Smith"]
    partial = soup(client.get(f"/candidates/?party={party_slug}", headers=HX))
    assert partial.select_one("a.download__link")["href"] == f"/candidates.csv?party={party_slug}"
    welsh = soup(client.get("/authorities/?nation=Wales&type=WPA")).select_one("a.download__link")
    assert welsh["href"] == "/authorities.csv?nation=Wales&type=WPA"
    party = soup(client.get(f"/parties/{party_slug}")).select_one("a.download__link")
    assert party["href"] == f"/candidates.csv?party={party_slug}"


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
        [c.name for c in exports.CANDIDATE_COLUMNS + exports.CANDIDATE_ADDED_COLUMNS],
        [c.name for c in exports.AUTHORITY_COLUMNS + exports.AUTHORITY_ADDED_COLUMNS],
        [c.name for c in exports.DOCUMENT_COLUMNS],
    ]
    licence = page.select_one("#licence + p")
    assert licence.select_one("a[href='https://creativecommons.org/licenses/by-sa/4.0/']")
    assert "Democracy Club" in licence.text
    assert page.select_one("main a[href='/api/v1/openapi.json']") is not None
    assert page.select_one("footer a[href='/data']") is not None


@pytest.mark.parametrize("url", ["/pledges.csv", "/candidates.csv", "/authorities.csv"])
def test_downloads_give_back_their_connection(app: Flask, url: str) -> None:
    """A stream outlives its request, so it must return the connection it read with:
    whether read to the end or dropped by the client after the first chunk."""
    pool = app.extensions[EXTENSION].engine.pool
    client = app.test_client()
    before = pool.checkedout()
    response = client.get(url)
    assert response.status_code == 200 and response.get_data()
    assert pool.checkedout() == before
    partial = client.get(url, buffered=False)
    next(iter(partial.response))
    partial.close()
    assert pool.checkedout() == before
