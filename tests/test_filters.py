"""Every list page, its download and its API answer the same rows for the same filters.

All three read their filters through one parser (tracker.views.arguments); these tests
hold them to it for every filter, and for every way of naming an authority: its slug,
its GSS code and its mySociety code.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session

from tests.conftest import soup
from tests.factories import candidate, fictional_council, pledge_of, record, stored_document
from tests.test_api import Api
from tracker.models import PledgeStatus
from tracker.views.documents import PER_PAGE as DOCUMENTS_PER_PAGE

PER_PAGE = 2  # small, so every list below runs over several pages
TESTSHIRE = ("testshire-fictional", "E99999902", "ZTST")
OTHERHAM = ("otherham-fictional", "E99999903", "ZOTH")
SHEFFIELD = ("sheffield", "E08000019", "SHF")
RED = ("fictional-party:red", "Red Rosette Party (fictional)")
BLUE = ("fictional-party:blue", "Blue Rosette Party (fictional)")
NAMED = [f"authority={name}" for names in (TESTSHIRE, OTHERHAM, SHEFFIELD) for name in names]
CANDIDATE_QUERIES = [
    "",
    *NAMED,
    "party=red-rosette-party-fictional",
    "election=local.testshire-fictional.2024-05-02",
    "status=pledged",
    "status=awaiting-response",
    "q=sheff",
    "authority=SHF&party=blue-rosette-party-fictional",
    "authority=E99999902&status=pledged&q=pat",
]
AUTHORITY_QUERIES = [
    "nation=Wales",
    "region=Yorkshire and The Humber",
    "type=PFA",
    "q=york",
    "nation=England&type=MD&q=shef",
]
PLEDGE_QUERIES = [
    *NAMED[:6],
    "authority=ZTST&kind=authority",
    "status=declined",
    "party=red-rosette-party-fictional",
    "recommendation=pathways-to-support&status=pledged",
]


@pytest.fixture
def api(app: Flask, client: FlaskClient) -> Api:
    """Read the API, checking each answer against its documented schema."""
    return Api(app, client)


@pytest.fixture
def people(db: Session, app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stand invented candidates in two invented councils and in Sheffield.

    Pledges are recorded only by the invented people and councils.
    """
    monkeypatch.setitem(app.config, "PER_PAGE", PER_PAGE)
    councils = []
    for (slug, gss, code), name in ((TESTSHIRE, "Testshire"), (OTHERHAM, "Otherham")):
        council = fictional_council(db, name)
        assert council.slug == slug
        council.gss_code, council.code = gss, code
        councils.append(council)
    db.flush()
    testshire, otherham = councils
    pat = candidate(db, "Pat Pledger", council=testshire, party=RED)
    candidate(db, "Sam Silent", council=testshire, party=BLUE)
    candidate(db, "Tess Testshire", council=testshire, party=RED)
    olly = candidate(db, "Olly Other", council=otherham, party=RED)
    candidate(db, "Shelley Sheffield", party=BLUE)
    candidate(db, "Shane Sheffield", party=RED)
    candidate(db, "Sheila Sheffield", party=BLUE)
    record(db, pledge_of(db, "pathways-to-support", person=pat))
    record(db, pledge_of(db, "pathways-to-support", person=olly), PledgeStatus.DECLINED)
    record(db, pledge_of(db, "listen-to-lived-experience", authority_row=testshire))
    record(db, pledge_of(db, "pathways-to-support", authority_row=otherham))


@pytest.fixture
def documents(db: Session, people: None) -> None:
    """Store invented documents read from the two invented councils, two of them dated."""
    dated = {("Testshire", 1): "14 March 2023", ("Testshire", 2): "2 May 2024"}
    for name, number in (("Testshire", 1), ("Testshire", 2), ("Otherham", 1)):
        council = fictional_council(db, name)
        when = f" Published on {dated[name, number]}." if (name, number) in dated else ""
        body = f"{name} modern slavery statement {number} (fictional).{when}\n".encode()
        url = f"https://{council.slug}.invalid/statement-{number}.txt"
        stored_document(db, council, body, url, title=f"{name} statement {number}")
    db.commit()


def listed(
    client: FlaskClient, path: str, query: str, selector: str, per_page: int = PER_PAGE
) -> list[str]:
    """Return the links of every row a list page shows, walking its pages to the end."""
    hrefs: list[str] = []
    for number in range(1, 100):
        response = client.get(f"{path}?{query}&page={number}")
        if response.status_code == 404 and number > 1:
            return hrefs
        assert response.status_code == 200, response.get_data(as_text=True)
        rows = [a["href"] for a in soup(response).select(selector)]
        assert 0 < len(rows) <= per_page or (number == 1 and not rows)
        if len(rows) < per_page:
            return hrefs + rows
        hrefs += rows
    raise AssertionError(f"{path}?{query} has more pages than a test should walk")


def downloaded(client: FlaskClient, url: str, column: str) -> list[str]:
    """Return one column of a CSV download."""
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    text = response.get_data().decode("utf-8")
    return [row[column] for row in csv.DictReader(io.StringIO(text, newline=""))]


@pytest.mark.parametrize("query", CANDIDATE_QUERIES)
def test_candidates_page_download_and_api_agree(
    client: FlaskClient, api: Api, people: None, query: str
) -> None:
    hrefs = listed(client, "/candidates/", query, "#candidate-results tbody th a")
    on_page = sorted(int(href.split("/")[2].split("-")[0]) for href in hrefs)
    in_csv = [int(pid) for pid in downloaded(client, f"/candidates.csv?{query}", "person_id")]
    from_api = [c["person_id"] for c in api.walk(f"/api/v1/candidates?{query}&limit=3")]
    assert on_page == in_csv == from_api
    assert from_api, "a query that matches nothing would agree whatever the code did"


@pytest.mark.parametrize("query", AUTHORITY_QUERIES)
def test_authorities_page_download_and_api_agree(
    client: FlaskClient, api: Api, people: None, query: str
) -> None:
    hrefs = listed(client, "/authorities/", query, "#authority-results tbody th a")
    on_page = [href.removeprefix("/authorities/") for href in hrefs]
    in_csv = downloaded(client, f"/authorities.csv?{query}", "slug")
    from_api = [a["slug"] for a in api.walk(f"/api/v1/authorities?{query}&limit=7")]
    assert in_csv == from_api  # both in the database's order of slugs
    assert sorted(on_page) == sorted(in_csv)
    assert from_api


@pytest.mark.parametrize("query", PLEDGE_QUERIES)
def test_pledges_download_and_api_agree(
    client: FlaskClient, api: Api, people: None, query: str
) -> None:
    in_csv = [int(pid) for pid in downloaded(client, f"/pledges.csv?{query}", "pledge_id")]
    from_api = [p["id"] for p in api.walk(f"/api/v1/pledges?{query}&limit=1")]
    assert in_csv == from_api
    assert from_api


@pytest.mark.parametrize(
    "query",
    [
        *NAMED[:6],
        "q=statement",
        "q=statement&authority=ZOTH",
        "type=UA",
        "region=Yorkshire and The Humber",
        "year=2023",
        "year=2024&authority=ZTST",
        "year=2023&q=statement",
    ],
)
def test_documents_page_download_and_api_agree(
    client: FlaskClient, api: Api, documents: None, query: str
) -> None:
    selector = "ol.results h2 a"
    hrefs = listed(client, "/documents/", query, selector, per_page=DOCUMENTS_PER_PAGE)
    on_page = sorted(int(href.split("/")[2].split("-")[0]) for href in hrefs)
    in_csv = sorted(int(i) for i in downloaded(client, f"/documents.csv?{query}", "document_id"))
    from_api = sorted(d["id"] for d in api.walk(f"/api/v1/documents?{query}"))
    assert on_page == in_csv == from_api
    assert from_api


@pytest.mark.parametrize(("year", "titles"), [("2023", ["Testshire statement 1"]), ("2019", [])])
def test_the_year_filter_keeps_documents_dated_in_that_year(
    client: FlaskClient, api: Api, documents: None, year: str, titles: list[str]
) -> None:
    page = soup(client.get(f"/documents/?year={year}"))
    assert [a.text for a in page.select("ol.results h2 a")] == titles
    assert page.select_one("#filter-year")["value"] == year
    assert [d["title"] for d in api.walk(f"/api/v1/documents?year={year}")] == titles
    assert downloaded(client, f"/documents.csv?year={year}", "title") == titles


def test_both_region_menus_are_drawn_the_one_way(client: FlaskClient, people: None) -> None:
    region = "Yorkshire and The Humber"
    menus = [
        soup(client.get(path, query_string={"region": region})).select_one("#filter-region")
        for path in ("/authorities/", "/documents/")
    ]
    assert str(menus[0]) == str(menus[1])
    chosen = menus[0].select("option[selected]")
    assert [(o["value"], o.text) for o in chosen] == [(region, region)]
    assert menus[0].select_one("option")["value"] == ""  # "All regions" comes first


@pytest.mark.parametrize("names", [TESTSHIRE, OTHERHAM, SHEFFIELD])
def test_every_name_of_an_authority_gives_the_same_rows(
    client: FlaskClient, people: None, names: tuple[str, ...]
) -> None:
    def answers(name: str) -> tuple[list[str], bytes]:
        page = soup(client.get(f"/candidates/?authority={name}"))
        rows = [str(row) for row in page.select("#candidate-results tbody tr")]
        return rows, client.get(f"/candidates.csv?authority={name}").get_data()

    slug, *codes = names
    rows, download = answers(slug)
    assert rows and download.count(b"\n") > len(rows)  # a header and every candidate
    for code in codes:
        assert answers(code) == (rows, download), code


def error_of(client: FlaskClient, url: str) -> tuple[int, str]:
    """Return the status and the explanation of an error page or JSON problem."""
    response = client.get(url)
    if response.mimetype == "application/problem+json":
        body: Any = response.get_json()
        return response.status_code, body["detail"]
    return response.status_code, soup(response).select_one("main .lede").text


@pytest.mark.parametrize(
    ("paths", "query", "expected"),
    [
        (("/candidates/", "/candidates.csv", "/api/v1/candidates"), "status=maybe", 400),
        (("/candidates/", "/candidates.csv", "/api/v1/candidates"), "authority=E99999999", 404),
        (("/candidates/", "/candidates.csv", "/api/v1/candidates"), "party=no-such-party", 404),
        (("/candidates/", "/candidates.csv", "/api/v1/candidates"), "election=local.x", 404),
        (("/authorities/", "/authorities.csv", "/api/v1/authorities"), "nation=Atlantis", 404),
        (("/authorities/", "/authorities.csv", "/api/v1/authorities"), "type=XX", 404),
        (("/pledges.csv", "/api/v1/pledges"), "authority=nowhere", 404),
        (("/documents/", "/documents.csv", "/api/v1/documents"), "authority=SHEF", 404),
        (("/documents/", "/documents.csv", "/api/v1/documents"), "region=Atlantis", 404),
        (("/pledges.csv", "/api/v1/pledges"), "candidate=abc", 400),
        (("/documents/", "/documents.csv", "/api/v1/documents"), "year=abc", 400),
        (("/documents/", "/documents.csv", "/api/v1/documents"), "year=20234", 400),
    ],
)
def test_bad_filters_are_refused_alike(
    client: FlaskClient, paths: tuple[str, ...], query: str, expected: int
) -> None:
    answers = {error_of(client, f"{path}?{query}") for path in paths}
    assert len(answers) == 1, answers
    ((status, message),) = answers
    assert status == expected
    assert query.split("=")[1] in message
