"""Background scraping through RQ and Redis, as `tracker worker` runs it in production.

The worker builds its own app from the environment and commits for real, so this test
commits its fictional council too, and removes everything it made afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pytest_httpserver import HTTPServer
from redis import Redis
from sqlmodel import col, delete, select

from tests.conftest import REDIS_URL, AuthActions, work_one_job
from tests.factories import fictional_council
from tracker.db import EXTENSION, Database
from tracker.models import (
    Authority,
    Document,
    DocumentPage,
    DocumentVersion,
    Proposal,
    Source,
    User,
)
from tracker.pipeline.queue import QUEUE

CORPUS = Path(__file__).parent / "corpus"
STATEMENT = "p15_west_yorkshire_pcc_priority_human_trafficking.txt"


@pytest.fixture
def committed(app: Flask) -> Iterator[Database]:
    """The real database, cleaned of what the worker and the test committed."""
    database: Database = app.extensions[EXTENSION]
    yield database
    with database.session() as session:
        council = select(Authority.id).where(col(Authority.slug) == "jobshire-fictional")
        documents = select(Document.id).where(col(Document.authority_id).in_(council))
        for stmt in (
            delete(Proposal).where(col(Proposal.document_id).in_(documents)),
            delete(DocumentVersion).where(col(DocumentVersion.document_id).in_(documents)),
            delete(DocumentPage).where(col(DocumentPage.document_id).in_(documents)),
            delete(Document).where(col(Document.authority_id).in_(council)),
            delete(Source).where(col(Source.authority_id).in_(council)),
            delete(Authority).where(col(Authority.slug) == "jobshire-fictional"),
            delete(User).where(col(User.email) == "worker-test@example.org"),
        ):
            session.exec(stmt)
        session.commit()


def test_a_submitted_url_is_queued_and_a_worker_scrapes_it(
    app: Flask,
    committed: Database,
    redis: Redis,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/statement.txt").respond_with_data(
        (CORPUS / STATEMENT).read_bytes(), content_type="text/plain; charset=utf-8"
    )
    with committed.session() as session:
        council = fictional_council(session, "Jobshire")
        session.commit()
        slug = council.slug
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    # The worker builds its own app from the environment, as in production.
    monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("SCRAPER_ALLOW_HOSTS", f"127.0.0.1:{httpserver.port}")
    monkeypatch.setenv("SCRAPER_MIN_INTERVAL", "0")
    client = app.test_client()
    url = f"http://127.0.0.1:{httpserver.port}/statement.txt"
    with committed.session() as accounts:
        auth = AuthActions(client, accounts)
        auth.login_as(email="worker-test@example.org")
        data = {"csrf_token": auth.csrf(), "authority": slug, "url": url}
    response = client.post("/campaign/review/sources", data=data)
    assert "It is being read now" in client.get(response.headers["Location"]).text
    work_one_job(redis, QUEUE)
    with committed.session() as session:
        document = session.exec(select(Document).where(Document.url == url)).one()
        assert (document.status, document.version) == ("ok", 1)
        assert session.exec(select(Proposal).where(Proposal.document_id == document.id)).all()
        source = session.exec(select(Source).where(Source.url == url)).one()
        assert source.pending is False


def test_without_redis_submissions_wait_for_the_command(
    app: Flask, client: FlaskClient, auth: AuthActions, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    auth.login_as()
    response = client.post(
        "/campaign/review/sources",
        data={
            "csrf_token": auth.csrf(),
            "authority": "sheffield",
            "url": "https://x.example/a.pdf",
        },
    )
    message = client.get(response.headers["Location"]).text
    assert "It will be read the next time the scraper runs" in message
    assert "`tracker" not in message
