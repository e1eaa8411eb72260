"""Properties that hold for any input: importers, planners, downloads, the API and the rules.

Each test runs a bounded number of examples. Tests that need the database share the
test's rolled-back transaction across their examples and give each example a savepoint
of its own, so Hypothesis's warning about function-scoped fixtures does not apply: no
example sees another's writes. Everything stored belongs to invented people and councils.
"""

from __future__ import annotations

import csv
import hashlib
import io
import string
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from scrapers.extract.pool import Extractor
from scrapers.fetch.fetcher import Fetched
from scrapers.match.scoring import match_document
from tests.factories import candidate, fictional_council, pledge_of, record
from tests.test_api import Api
from tracker.dbtypes import MAX_INTEGER
from tracker.imports.candidates import (
    CORE_COLUMNS,
    FOLLOWED,
    CandidacyRow,
    NotFollowed,
    Upsert,
    parse_row,
    read_candidacies,
)
from tracker.imports.pledges import COLUMNS, plan_upload
from tracker.imports.resolve import AuthorityResolver
from tracker.models import (
    Authority,
    Delivery,
    Document,
    DocumentStatus,
    Person,
    PledgeStatus,
    utcnow,
)
from tracker.pipeline.run import Scrape, Target
from tracker.pledging import MAX_TEXT, PledgeChange, Subject, save_pledge, validate_change
from tracker.queries.pledges import recommendation_by_slug
from tracker.text import is_storable

# Examples share the test's transaction, each in its own savepoint (see the module docstring).
SHARED_DB = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TODAY = date(2024, 6, 1)

# Text that tends to break things: quotes, separators, line ends, NUL, surrogates, digits.
NASTY = st.sampled_from(
    [
        "",
        " ",
        '"',
        "'",
        ",",
        "\n",
        "\r",
        "\r\n",
        "\x00",
        "\ud800",
        "\ufeff",
        "\u202e",
        "&" * 60,
        "ﬃ" * 80,
        "0",
        "-1",
        "１２",
        str(MAX_INTEGER),
        str(MAX_INTEGER + 1),
        "9" * 30,
        "x" * 260,
        "<script>alert(1)</script>",
        "' OR '1'='1",
        "%_\\",
    ]
)
CELL = st.one_of(NASTY, st.text(max_size=40), st.text(string.digits, min_size=1, max_size=12))
# What breaks a CSV file's structure; the last is longer than the csv module's field limit.
BREAKS = st.sampled_from(['"', "\r", "\n", ",", "\x00", "\ufeff", '"x"y', "x" * 131_073])


def _utf8(text: str) -> bytes:
    """Encode text as UTF-8, letting unpaired surrogates through as the bad bytes they are."""
    return text.encode("utf-8", "surrogatepass")


def _csv(rows: list[list[Any]]) -> str:
    """Write rows as CSV text."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def fictional_authorities() -> list[Authority]:
    """Return invented authorities, with ids, for a resolver that needs no database."""
    return [
        Authority(
            id=number,
            slug=f"{name.lower()}-fictional",
            name=f"{name} Council (fictional)",
            short_name=f"{name} (fictional)",
            kind=kind,
            kind_name="Fictional",
            nation="England",
        )
        for number, name, kind in ((1, "Testshire", "UA"), (2, "Otherham", "MD"))
    ] + [
        Authority(
            id=3,
            slug="exampleshire-police-fictional",
            name="Exampleshire Police (fictional)",
            short_name="Exampleshire Police (fictional)",
            kind="PFA",
            kind_name="Police force area",
            nation="England",
        )
    ]


RESOLVER = AuthorityResolver(fictional_authorities())


# --- The Democracy Club candidate importer ----------------------------------------------------


# Names near and past their columns' lengths, and ones whose slugs grow ("&" -> "-and-").
NAMES = st.one_of(
    st.text(min_size=1, max_size=30),
    st.integers(1, 260).map(lambda n: "é" * n),
    st.sampled_from(["&" * 70, "ﬃ" * 80, "Ǆ" * 150, "㍱" * 100, "-" * 10]),
)


@st.composite
def candidacy_records(draw: st.DrawFn, *, spoil: bool = True) -> dict[str, Any]:
    """Return a row as csv.DictReader gives it: mostly valid, some cells spoiled if asked."""
    election_type, org = draw(
        st.sampled_from(
            [
                ("local", "testshire-fictional"),
                ("local", "otherham-fictional"),
                ("pcc", "exampleshire-police-fictional"),
                ("local", "atlantis"),
                ("parl", "testshire-fictional"),
            ]
        )
    )
    poll = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31))).isoformat()
    election_id = f"{election_type}.{org}.{poll}"
    ward = draw(st.text(string.ascii_lowercase + "-", min_size=1, max_size=20))
    record: dict[str, Any] = {
        "person_id": str(draw(st.integers(1, 2 * MAX_INTEGER if spoil else MAX_INTEGER))),
        "person_name": draw(NAMES),
        "election_id": election_id,
        "ballot_paper_id": f"{election_type}.{org}.{ward}.{poll}",
        "election_date": poll,
        "election_current": draw(st.sampled_from(["True", "False", "t", ""])),
        "party_name": draw(NAMES),
        "party_id": draw(NAMES),
        "post_label": draw(NAMES),
        "cancelled_poll": draw(st.sampled_from(["True", "False", "f", ""])),
        "seats_contested": draw(st.sampled_from(["1", "3", "", str(MAX_INTEGER)])),
        "post_id": draw(st.one_of(st.just(""), NAMES)),
        "gss": draw(st.sampled_from(["", "E05010000"])),
        "votes_cast": draw(st.one_of(st.just(""), st.text(string.digits, max_size=9))),
        "elected": draw(st.sampled_from(["", "True", "False", "yes"])),
    }
    if not spoil:
        return record
    for column in draw(st.sets(st.sampled_from(sorted(record)), max_size=4)):
        record[column] = draw(st.one_of(CELL, st.none()))
    if draw(st.booleans()):
        record[None] = ["extra"]  # more fields than the header, as DictReader reports it
    return record


def assert_fits(row: CandidacyRow) -> None:
    """Assert that a row the importer accepted fits every column it is written to."""
    assert 1 <= row.person_id <= MAX_INTEGER
    assert 0 < len(row.person_name) <= 200 and 0 < len(row.party_name) <= 200
    assert len(row.election_id) <= 200 and len(row.ballot_paper_id) <= 250
    assert 0 < len(row.party_dc_id) <= 40 and len(row.post_label) <= 200
    assert row.post_id is None or len(row.post_id) <= 200
    for number in (row.seats_contested, row.votes_cast):
        assert number is None or 0 <= number <= MAX_INTEGER


@settings(max_examples=200, deadline=None)
@given(st.integers(2, 10**6), candidacy_records())
def test_a_candidacy_row_parses_or_gets_a_reason(line: int, record: dict[str, Any]) -> None:
    """A row parses, is refused with a reason, or is skipped as an election not followed."""
    try:
        row = parse_row(line, record, RESOLVER)
    except ValueError as reason:
        assert str(reason)
        return
    except NotFollowed as skipped:
        assert skipped.election_type.split(".")[0] not in FOLLOWED
        return
    assert row.line == line
    assert row.authority_id in {1, 2, 3}
    assert_fits(row)


@settings(max_examples=50, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=2000),
        st.text(max_size=2000).map(_utf8),
        st.lists(st.lists(CELL, max_size=16), max_size=8).map(
            lambda rows: _utf8(_csv([list(CORE_COLUMNS), *rows]))
        ),
        st.lists(candidacy_records(), max_size=5)
        .map(
            lambda records: _csv(
                [list(CORE_COLUMNS), *[[r.get(c) or "" for c in CORE_COLUMNS] for r in records]]
            )
        )
        .map(_utf8),
    )
)
def test_any_candidates_file_gives_rows_or_numbered_errors(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "candidates.csv"
        path.write_bytes(content)
        parsed = read_candidacies(path, RESOLVER)
        rows, errors = parsed.rows, parsed.errors
    lines = max(1, len(content.splitlines())) + 1
    for error in errors:
        assert 1 <= error.line <= lines and error.reason
    for row in rows:
        assert 2 <= row.line <= lines
        assert_fits(row)


@SHARED_DB
@given(st.lists(candidacy_records(spoil=False), min_size=1, max_size=4))
def test_rows_the_importer_accepts_can_be_stored(
    db: Session, records: list[dict[str, Any]]
) -> None:
    council = fictional_council(db)
    resolver = AuthorityResolver([council])
    rows = []
    for line, drawn in enumerate(records, start=2):
        election = _for(council, drawn)
        in_council = {**drawn, "election_id": election, "ballot_paper_id": election}
        try:
            rows.append(parse_row(line, in_council, resolver))
        except ValueError:
            continue
    unique = list({(r.person_id, r.ballot_paper_id): r for r in rows}.values())
    unique = list({r.ballot_paper_id: r for r in unique}.values())
    with db.begin_nested() as savepoint:
        Upsert(db).run(unique)
        db.flush()
        names = {row.person_id: row.person_name for row in unique}  # the last row's name wins
        for person_id, name in names.items():
            assert db.get_one(Person, person_id).name == name
        savepoint.rollback()


def _for(council: Authority, record: dict[str, Any]) -> str:
    """Return an election id for the council on the record's date, if it has a good one."""
    poll = record.get("election_date") or ""
    return f"local.{council.slug}.{poll}"


# --- The pledge spreadsheet planner ---------------------------------------------------------------


@pytest.fixture
def subjects(db: Session) -> tuple[Person, Authority]:
    """Return an invented candidate and council, with one recorded pledge between them."""
    council = fictional_council(db)
    council.gss_code = "E99999904"  # ONS's pseudo-code range: no real body has it
    person = candidate(db, "Hypo Thesis", council=council)
    record(db, pledge_of(db, "pathways-to-support", person=person))
    db.flush()
    return person, council


@st.composite
def spreadsheets(draw: st.DrawFn, person_id: int, gss_code: str) -> str:
    """Return CSV text for an upload: a plausible header and rows, spoiled here and there."""
    header = draw(
        st.one_of(
            st.just(list(COLUMNS)),
            st.permutations(["person_id", "recommendation", " status ", "quote"]),
            st.lists(st.sampled_from([*COLUMNS, "extra", ""]), max_size=10),
        )
    )
    known = st.sampled_from(
        [
            str(person_id),
            gss_code,
            gss_code.lower(),
            "pathways-to-support",
            "listen-to-lived-experience",
            *[s.value for s in PledgeStatus],
            *[d.value for d in Delivery],
            "https://example.org/evidence",
            "javascript:alert(1)",
            "2024-05-02",
            "2999-01-01",
            "We will.",
        ]
    )
    rows = draw(st.lists(st.lists(st.one_of(known, CELL), max_size=12), max_size=8))
    text = _csv([header, *rows])
    for _ in range(draw(st.integers(0, 3))):  # break the structure: stray quotes, cut files
        cut = draw(st.integers(len(text) // 3, len(text)))
        text = text[:cut] + draw(BREAKS) + text[cut:]
    return text


@settings(SHARED_DB, max_examples=80)
@given(data=st.data())
def test_any_spreadsheet_gives_a_plan_or_numbered_errors(
    db: Session, subjects: tuple[Person, Authority], data: st.DataObject
) -> None:
    person, council = subjects
    sheets = spreadsheets(person.id, council.gss_code or "")
    text = data.draw(st.one_of(sheets, sheets, st.text(max_size=300)))
    plan = plan_upload(db, text, today=TODAY)
    lines = max(1, len(text.splitlines())) + 1
    for error in plan.errors:
        assert 1 <= error.line <= lines and error.reason
    for row in plan.rows:
        assert 2 <= row.line <= lines
        assert validate_change(row.change, today=TODAY) == {}
    assert not (plan.rows and plan.errors) or plan.fingerprint


# --- Downloads and the API: any query string -------------------------------------------------

FILTER_NAMES = (
    "q",
    "recommendation",
    "authority",
    "party",
    "candidate",
    "election",
    "status",
    "delivery",
    "kind",
    "nation",
    "region",
    "type",
    "after",
    "limit",
    "page",
)
ENDPOINTS = (
    "/pledges.csv",
    "/candidates.csv",
    "/authorities.csv",
    "/api/v1/pledges",
    "/api/v1/candidates",
    "/api/v1/authorities",
    "/api/v1/events",
)


@pytest.fixture
def published(db: Session, subjects: tuple[Person, Authority]) -> dict[str, list[str]]:
    """Return values that exist, per filter, so queries sometimes find something."""
    person, council = subjects
    db.commit()
    return {
        "recommendation": ["pathways-to-support"],
        "authority": [council.slug, council.gss_code or ""],
        "party": ["fictional-party"],
        "candidate": [str(person.id)],
        "election": [f"local.{council.slug}.2024-05-02"],
        "status": [s.value for s in PledgeStatus],
        "delivery": [d.value for d in Delivery],
        "kind": ["candidate", "authority"],
        "nation": ["England", "Wales"],
        "region": ["Yorkshire and The Humber"],
        "type": ["UA", "PFA"],
        "after": ["0", "1", str(MAX_INTEGER)],
        "limit": ["1", "200", "201"],
        "page": ["1", "2"],
        "q": ["Hypo", "fictional"],
    }


@SHARED_DB
@given(data=st.data())
def test_any_query_string_gets_an_answer_that_matches_the_documents(
    app: Flask, client: FlaskClient, published: dict[str, list[str]], data: st.DataObject
) -> None:
    url = data.draw(st.sampled_from(ENDPOINTS))
    names = st.one_of(st.sampled_from(FILTER_NAMES), st.text(max_size=8))
    values = data.draw(st.dictionaries(names, st.text(max_size=5), max_size=3))
    for name in values:
        values[name] = data.draw(
            st.one_of(st.sampled_from(published.get(name, ["x"])), CELL), label=name
        )
    query = urlencode(values, errors="surrogatepass")
    response = client.get(f"{url}?{query}")
    assert response.status_code < 500, (url, values)
    if url.startswith("/api/"):
        Api(app, client).get(f"{url}?{query}", response.status_code)
    elif response.status_code == 200:
        for row in csv.reader(io.StringIO(response.get_data(as_text=True))):
            assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)
    else:
        assert response.status_code in (400, 404), (url, values)
    response.close()


# --- The pledge rules ------------------------------------------------------------------------

TEXT = st.one_of(
    st.none(), CELL, st.text(), st.integers(MAX_TEXT - 1, MAX_TEXT + 1).map(lambda n: "q" * n)
)
URLS = st.one_of(
    TEXT,
    st.sampled_from(["https://example.org/a", "http://x", "https://", "javascript:alert(1)"]),
    st.text(max_size=30).map(lambda path: f"https://example.org/{path}"),
    st.integers(1990, 2010).map(lambda n: "https://example.org/" + "x" * n),
)
CHANGES = st.builds(
    PledgeChange,
    status=st.sampled_from(PledgeStatus),
    delivery=st.sampled_from(Delivery),
    evidence_url=URLS,
    quote=TEXT,
    evidence_date=st.one_of(st.none(), st.dates()),
    note=TEXT,
)


@settings(max_examples=300, deadline=None)
@given(CHANGES, st.dates())
def test_validate_change_answers_any_change(change: PledgeChange, today: date) -> None:
    errors = validate_change(change, today=today)
    assert set(errors) <= {"status", "delivery", "evidence_url", "quote", "evidence_date", "note"}
    assert all(isinstance(message, str) and message for message in errors.values())
    if not errors:
        for text in (change.evidence_url, change.quote, change.note):
            assert text is None or is_storable(text)


# Changes the rules mostly accept: a status with evidence, any text in the free fields.
PLAUSIBLE = st.builds(
    PledgeChange,
    status=st.sampled_from([PledgeStatus.PLEDGED, PledgeStatus.PARTIAL, PledgeStatus.DECLINED]),
    evidence_url=st.one_of(st.none(), st.text().map(lambda path: f"https://example.org/{path}")),
    quote=st.one_of(CELL, st.text(min_size=1)),
    evidence_date=st.one_of(st.none(), st.dates(max_value=date(2024, 1, 1))),
    note=TEXT,
)


@SHARED_DB
@given(st.one_of(CHANGES, PLAUSIBLE))
def test_a_change_the_rules_accept_is_saved_as_given(
    db: Session, subjects: tuple[Person, Authority], change: PledgeChange
) -> None:
    if validate_change(change, today=utcnow().date()):
        event("refused")
        return
    event("saved")
    _, council = subjects
    rec = recommendation_by_slug(db, "listen-to-lived-experience")
    assert rec is not None and rec.id is not None
    with db.begin_nested() as savepoint:
        subject = Subject(authority_id=council.id)
        pledge, _ = save_pledge(db, subject, rec.id, change, expected_version=0)
        db.flush()
        if pledge is not None:
            db.refresh(pledge)
            assert (pledge.quote, pledge.note, pledge.evidence_url) == (
                change.quote,
                change.note,
                change.evidence_url,
            )
        savepoint.rollback()


# --- Scraped documents: whatever the bytes, the document records the outcome -----------------


class ServedBytes:
    """A fetcher that answers every URL with the bytes it is given."""

    def __init__(self) -> None:
        self.body = b""
        self.content_type: str | None = None

    def ready_in(self, host: str) -> float:
        """Every host may be asked at once: there is no network to be polite to."""
        return 0.0

    def learn_robots(self, url: str) -> None:
        """There is no robots.txt to read."""

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """Return the current bytes as a fetch of `url`."""
        return Fetched(
            url=url,
            final_url=url,
            status=200,
            content_type=self.content_type,
            body=self.body,
            sha256=hashlib.sha256(self.body).hexdigest(),
            fetched_at=utcnow(),
            etag=None,
            last_modified=None,
            redirects=(),
        )


@pytest.fixture
def extractor() -> Iterator[Extractor]:
    """Run one extraction helper for the whole test, with a short deadline per document."""
    with Extractor(timeout_s=5, match=match_document) as running:
        yield running


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.one_of(
        st.binary(max_size=4096),
        st.binary(max_size=2048).map(lambda b: b"%PDF-1.4\n" + b + b"\n%%EOF\n"),
        st.binary(max_size=2048).map(lambda b: b"PK\x03\x04" + b),
        st.text(max_size=800).map(lambda t: f"<html><body><p>{t}".encode("utf-8", "replace")),
    ),
    st.sampled_from([None, "text/html", "application/pdf", "text/plain; charset=utf-16"]),
)
def test_any_bytes_end_as_a_document_with_its_outcome_in_bounded_time(
    db: Session, extractor: Extractor, body: bytes, content_type: str | None
) -> None:
    council = fictional_council(db)
    fetcher = ServedBytes()
    fetcher.body, fetcher.content_type = body, content_type
    url = "https://testshire.example/fuzzed"
    started = time.monotonic()
    summary = Scrape(db, fetcher, extractor, workers=1).run([Target(council.id, url)])
    assert time.monotonic() - started < extractor.timeout_s + 10
    document = db.exec(select(Document).where(Document.url == url)).one()
    assert document.status in {s.value for s in DocumentStatus}
    if document.status == DocumentStatus.FAILED.value:
        assert document.error and summary.failed
