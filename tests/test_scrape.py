"""The whole scraper, end to end: a local server serving the real corpus files.

fetch -> extract -> match -> store runs for real here (the extractor in its helper
process); only the network is local.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from email.utils import formatdate
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from pytest_httpserver import HTTPServer
from sqlmodel import Session, col, select
from werkzeug import Request, Response

from tests.factories import authority, fictional_council
from tracker.models import (
    Document,
    DocumentVersion,
    Proposal,
    Recommendation,
    ReviewStatus,
    Source,
)

CORPUS = Path(__file__).parent / "corpus"
HAMPSHIRE = "f05_hampshire-iow-modern-slavery-partnership-strategy-2017-2020.pdf"
HERTS = "f06_hertfordshire-modern-slavery-partnership-strategy-2018-2021.pdf"
WALES_DOCX = "f10_wales-anti-slavery-leadership-group-delivery-plan-2017-18.docx"
MODIFIED = formatdate(1_700_000_000, usegmt=True)
TYPES = {
    ".pdf": "application/pdf",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def serve_file(name: str, body: bytes | None = None) -> object:
    """Answer like a real server: validators, and 304 when the client has the copy."""
    data = body if body is not None else (CORPUS / name).read_bytes()
    etag = '"' + hashlib.md5(data).hexdigest() + '"'  # noqa: S324 (an ETag, not security)

    def handler(request: Request) -> Response:
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(
            data,
            content_type=TYPES[Path(name).suffix],
            headers={"ETag": etag, "Last-Modified": MODIFIED},
        )

    return handler


@pytest.fixture
def site(app: Flask, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> str:
    """A local 'council website' the scraper is allowed to reach, with no robots.txt."""
    monkeypatch.setitem(app.config, "SCRAPER_ALLOW_HOSTS", [f"127.0.0.1:{httpserver.port}"])
    monkeypatch.setitem(app.config, "SCRAPER_MIN_INTERVAL", 0.0)
    httpserver.expect_request("/robots.txt").respond_with_data("Not found", status=404)
    return f"http://127.0.0.1:{httpserver.port}"


@pytest.fixture
def serving(httpserver: HTTPServer) -> Iterator[None]:
    for name in (HAMPSHIRE, HERTS, WALES_DOCX):
        httpserver.expect_request(f"/{name}").respond_with_handler(serve_file(name))
    yield


def scrape(runner: FlaskCliRunner, *args: str) -> tuple[int, str]:
    result = runner.invoke(args=["scrape", *args])
    return result.exit_code, result.output


def matches_for(db: Session, document: Document) -> dict[str, list[Proposal]]:
    found: dict[str, list[Proposal]] = {}
    stmt = (
        select(Proposal, Recommendation)
        .join(Recommendation, col(Recommendation.id) == Proposal.recommendation_id)
        .where(Proposal.document_id == document.id)
    )
    for match, rec in db.exec(stmt):
        found.setdefault(rec.slug, []).append(match)
    return found


def test_scrape_url_stores_the_document_and_proposes_its_commitments(
    runner: FlaskCliRunner, db: Session, site: str, serving: None
) -> None:
    code, output = scrape(runner, "--authority", "HAM", "--url", f"{site}/{HAMPSHIRE}")
    assert code == 0, output
    assert "new                1" in output
    document = db.exec(select(Document)).one()
    assert (document.status, document.version, document.page_count) == ("ok", 1, 10)
    assert document.content_type == "application/pdf" and document.etag
    assert document.authority_id == authority(db, "E10000014").id  # Hampshire County Council
    version = db.exec(select(DocumentVersion)).one()
    assert "Modern Slavery Partnership" in version.text
    found = matches_for(db, document)
    # The labelled Y quotes of this document (tests/corpus/labels.csv)
    advocacy = " ".join(m.passage for m in found["safeguarding-and-independent-advocacy"])
    assert "Independent Child Trafficking Advocate" in advocacy
    pathways = " ".join(m.passage for m in found["pathways-to-support"])
    assert "reformed NRM process" in pathways
    assert "listen-to-lived-experience" not in found  # labelled N
    for match in [m for ms in found.values() for m in ms]:
        assert match.score >= 0.5 and match.review_status == ReviewStatus.PENDING
        assert version.text[match.start : match.end] == match.passage
        assert match.page is not None


def test_scraping_again_changes_nothing(
    runner: FlaskCliRunner, db: Session, site: str, serving: None, httpserver: HTTPServer
) -> None:
    scrape(runner, "--authority", "HAM", "--url", f"{site}/{HAMPSHIRE}")
    before = (len(db.exec(select(Proposal)).all()), len(db.exec(select(DocumentVersion)).all()))
    code, output = scrape(runner, "--authority", "HAM", "--url", f"{site}/{HAMPSHIRE}")
    assert code == 0 and "not-modified       1" in output
    after = (len(db.exec(select(Proposal)).all()), len(db.exec(select(DocumentVersion)).all()))
    assert after == before
    assert db.exec(select(Document)).one().status == "not-modified"
    conditional = [r for r, _ in httpserver.log if r.path == f"/{HAMPSHIRE}"][-1]
    assert conditional.headers.get("If-None-Match")


def test_a_changed_document_becomes_a_new_version_and_reconciles_matches(
    runner: FlaskCliRunner, db: Session, site: str, httpserver: HTTPServer
) -> None:
    council = fictional_council(db, "Exampleshire")
    db.commit()
    url = f"{site}/statement.txt"
    first = (
        "Exampleshire modern slavery strategy\n\n"
        "We will fund a dedicated modern slavery partnership coordinator for the "
        "multi-agency partnership against exploitation.\n\n"
        "We will work with survivors of modern slavery and people with lived experience "
        "to co-produce our services.\n"
    )
    httpserver.expect_oneshot_request("/statement.txt").respond_with_handler(
        serve_file("statement.txt", first.encode())
    )
    scrape(runner, "--authority", council.slug, "--url", url)
    document = db.exec(select(Document)).one()
    assert document.authority_id == council.id
    proposed = matches_for(db, document)
    assert set(proposed) >= {"resourced-multi-agency-partnership", "listen-to-lived-experience"}
    lived = proposed["listen-to-lived-experience"][0]
    lived.review_status = ReviewStatus.REJECTED.value
    db.add(lived)
    db.commit()
    second = first.replace(
        "We will fund a dedicated modern slavery partnership coordinator "
        "for the multi-agency partnership against exploitation.",
        "The council has reviewed its plans.",
    )
    httpserver.expect_oneshot_request("/statement.txt").respond_with_handler(
        serve_file("statement.txt", second.encode())
    )
    code, output = scrape(runner, "--authority", council.slug, "--url", url)
    assert code == 0 and "changed            1" in output, output
    db.expire_all()
    assert document.version == 2
    assert len(db.exec(select(DocumentVersion)).all()) == 2
    after = matches_for(db, document)
    partnership = after["resourced-multi-agency-partnership"][0]
    assert partnership.withdrawn_in == 2  # kept, marked withdrawn, not deleted
    db.refresh(lived)
    assert (lived.review_status, lived.withdrawn_in) == ("rejected", None)  # still rejected


def test_refused_and_failed_urls_are_recorded_and_exit_non_zero(
    runner: FlaskCliRunner, db: Session, site: str, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/gone.pdf").respond_with_data("Not found", status=404)
    code, output = scrape(
        runner,
        "--authority",
        "SHF",
        "--url",
        "http://169.254.169.254/latest",
        "--url",
        f"{site}/gone.pdf",
    )
    assert code == 1
    assert "refused to fetch http://169.254.169.254/latest" in output
    assert "169.254.169.254 is a link-local address" in output
    assert "HTTP 404" in output
    statuses = {d.url: d.status for d in db.exec(select(Document))}
    assert statuses == {"http://169.254.169.254/latest": "refused", f"{site}/gone.pdf": "failed"}
    assert not [r for r, _ in httpserver.log if "169.254" in r.url]


def test_a_failure_keeps_the_earlier_version(
    runner: FlaskCliRunner, db: Session, site: str, httpserver: HTTPServer
) -> None:
    httpserver.expect_oneshot_request(f"/{HERTS}").respond_with_handler(serve_file(HERTS))
    scrape(runner, "--authority", "HRT", "--url", f"{site}/{HERTS}")
    matches = len(db.exec(select(Proposal)).all())
    assert matches
    httpserver.expect_oneshot_request(f"/{HERTS}").respond_with_data(
        b"%PDF-1.7 truncated", content_type="application/pdf"
    )
    code, output = scrape(runner, "--authority", "HRT", "--url", f"{site}/{HERTS}")
    assert code == 1 and "truncated" in output
    db.expire_all()
    document = db.exec(select(Document)).one()
    assert (document.status, document.version) == ("failed", 1)
    assert len(db.exec(select(Proposal)).all()) == matches
    assert len(db.exec(select(DocumentVersion)).all()) == 1
    httpserver.expect_oneshot_request(f"/{HERTS}").respond_with_handler(serve_file(HERTS))
    code, output = scrape(runner, "--authority", "HRT", "--url", f"{site}/{HERTS}")
    assert code == 0 and "unchanged          1" in output, output
    db.expire_all()
    assert (document.status, document.version) == ("ok", 1)


def test_word_documents_are_read_too(
    runner: FlaskCliRunner, db: Session, site: str, serving: None
) -> None:
    code, output = scrape(runner, "--authority", "W15000001", "--url", f"{site}/{WALES_DOCX}")
    assert code == 0, output
    found = matches_for(db, db.exec(select(Document)).one())
    assert "pathways-to-support" in found


def test_discovery_follows_relevant_links_from_the_website(
    runner: FlaskCliRunner,
    db: Session,
    site: str,
    serving: None,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    httpserver.expect_request("/").respond_with_data(
        "<html><body><main><h1>Exampleshire Council</h1>"
        '<a href="/bins">Bin collections</a>'
        '<a href="/safeguarding/modern-slavery">Modern slavery</a></main></body></html>',
        content_type="text/html",
    )
    httpserver.expect_request("/safeguarding/modern-slavery").respond_with_data(
        "<html><body><main><h1>Modern slavery</h1><p>Read our partnership strategy.</p>"
        f'<a href="/{HAMPSHIRE}">Partnership strategy (PDF)</a></main></body></html>',
        content_type="text/html",
    )
    seeds = tmp_path / "sources.toml"
    seeds.write_text(f'[E10000014]\nwebsite = "{site}/"\n')
    monkeypatch.setattr("tracker.pipeline.run.SOURCES_TOML", seeds)
    code, output = scrape(runner, "--authority", "E10000014")
    assert code == 0, output
    urls = {d.url for d in db.exec(select(Document))}
    assert f"{site}/{HAMPSHIRE}" in urls and f"{site}/bins" not in urls
    assert any(r.path == "/safeguarding/modern-slavery" for r, _ in httpserver.log)


def test_pending_submissions_are_fetched_once(
    runner: FlaskCliRunner, db: Session, site: str, serving: None
) -> None:
    hampshire = authority(db, "E10000014")
    db.add(
        Source(
            authority_id=hampshire.id,
            url=f"{site}/{HAMPSHIRE}",
            origin="submitted",
            pending=True,
        )
    )
    db.commit()
    code, output = scrape(runner, "--pending")
    assert code == 0 and "new                1" in output, output
    submitted = select(Source).where(Source.origin == "submitted")
    db.expire_all()
    assert db.exec(submitted).one().pending is False
    assert "new                0" in scrape(runner, "--pending")[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "Say what to scrape"),
        (("--url", "http://example.org/x.pdf"), "--url needs exactly one --authority"),
        (("--authority", "NOPE", "--url", "http://example.org/x"), "no authority has the code"),
        (("--authority", "SHF", "--url", "ftp://example.org/x"), "is not an http(s) address"),
    ],
)
def test_bad_arguments_are_explained(
    runner: FlaskCliRunner, args: tuple[str, ...], message: str
) -> None:
    code, output = scrape(runner, *args)
    assert code == 2 and message in output


def test_match_command_prints_json_best_first(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["match", "--json", str(CORPUS / HAMPSHIRE)])
    assert result.exit_code == 0, result.output
    import json

    found = json.loads(result.output)
    assert found and list(found[0]) == [
        "recommendation",
        "score",
        "text",
        "page",
        "start",
        "end",
        "rule",
        "document_title",
        "document_date",
        "ocr",
    ]
    # The Hampshire strategy's cover names it and its period; its PDF says when it was made.
    assert {(m["document_title"], m["document_date"], m["ocr"]) for m in found} == {
        ("Modern Slavery Partnership Strategy 2017 - 2020", "2018-03-01", False)
    }
    assert [m["score"] for m in found] == sorted((m["score"] for m in found), reverse=True)
    readable = runner.invoke(
        args=[
            "match",
            str(CORPUS / "f15_john-lewis-partnership-modern-slavery-statement-2017-18.pdf"),
        ]
    )
    assert readable.exit_code == 0
