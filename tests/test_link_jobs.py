"""Emailing an election's links from the site: queued in Redis, sent by `tracker worker`.

The worker builds its own app from the environment and commits for real, so this test
commits its fictional council and candidates too, and removes everything it made.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from redis import Redis
from sqlmodel import col, delete, select

from tests.conftest import REDIS_URL, AuthActions, work_one_job
from tests.factories import candidate, fictional_council
from tests.smtp_server import smtp_server
from tracker.db import EXTENSION, Database
from tracker.link_jobs import MAIL_QUEUE
from tracker.models import (
    Authority,
    Ballot,
    Candidacy,
    Election,
    Party,
    Person,
    PledgeInvitation,
    User,
)

EMAIL = "mail-worker-test@example.org"


@pytest.fixture
def committed(app: Flask) -> Iterator[Database]:
    """The real database, cleaned of what the worker and the test committed."""
    database: Database = app.extensions[EXTENSION]
    with database.session() as session:
        had_party = session.exec(select(Party.id)).first() is not None
    yield database
    with database.session() as session:
        council = select(Authority.id).where(col(Authority.slug) == "mailshire-fictional")
        elections = select(Election.id).where(col(Election.authority_id).in_(council))
        ballots = select(Ballot.id).where(col(Ballot.election_id).in_(elections))
        people = select(Candidacy.person_id).where(col(Candidacy.ballot_id).in_(ballots))
        person_ids = list(session.exec(people))
        for stmt in (
            delete(PledgeInvitation).where(col(PledgeInvitation.person_id).in_(person_ids)),
            delete(Candidacy).where(col(Candidacy.ballot_id).in_(ballots)),
            delete(Ballot).where(col(Ballot.election_id).in_(elections)),
            delete(Election).where(col(Election.authority_id).in_(council)),
            delete(Person).where(col(Person.id).in_(person_ids)),
            delete(Authority).where(col(Authority.slug) == "mailshire-fictional"),
            delete(User).where(col(User.email) == EMAIL),
        ):
            session.exec(stmt)
        if not had_party:
            session.exec(delete(Party))
        session.commit()


def test_a_campaigner_queues_an_election_and_a_worker_emails_each_candidate(
    app: Flask, committed: Database, redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    with committed.session() as session:
        council = fictional_council(session, "Mailshire")
        for name, email in (("Jane Fictitious", "jane@example.org"), ("Joe Madeup", None)):
            person = candidate(session, name, council=council, poll_date=date(2099, 5, 7))
            person.email = email
        session.commit()
        election = f"local.{council.slug}.2099-05-07"
    with smtp_server() as (port, inbox):
        smtp_url = f"smtp+plain://127.0.0.1:{port}"
        for key, value in {
            "REDIS_URL": REDIS_URL,
            "SMTP_URL": smtp_url,
            "CAMPAIGN_EMAIL": "campaign@pledge-tracker.invalid",
        }.items():
            monkeypatch.setitem(app.config, key, value)
            monkeypatch.setenv(key, value)  # the worker builds its own app from these
        monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])
        monkeypatch.setenv("SECRET_KEY", app.config["SECRET_KEY"])
        monkeypatch.setenv("SMTP_RATE", "1000")
        client = app.test_client()
        with committed.session() as accounts:
            auth = AuthActions(client, accounts)
            auth.login_as(email=EMAIL)
            token = auth.form_token("/campaign/links/")
        response = client.post(
            "/campaign/links/send-election", data={"csrf_token": token, "election": election}
        )
        assert "a worker is emailing" in client.get(response.headers["Location"]).text
        work_one_job(redis, MAIL_QUEUE)
    assert [rcpts for rcpts, _ in inbox.received] == [["jane@example.org"]]
    text = inbox.received[0][1].get_body(("plain",)).get_content()
    link = next(word for word in text.split() if word.startswith("http://localhost/answer/"))
    assert client.get(link.removeprefix("http://localhost")).status_code == 200
    with committed.session() as session:
        outcomes = sorted(str(i.send_outcome) for i in session.exec(select(PledgeInvitation)))
    assert outcomes == ["no-address", "sent"]


def test_without_redis_the_page_names_the_command(
    app: Flask, auth: AuthActions, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    monkeypatch.setitem(app.config, "SMTP_URL", "smtp+plain://127.0.0.1:2525")
    candidate(auth.db, "Jane Fictitious", poll_date=date(2099, 5, 7))
    auth.db.commit()
    auth.login_as()
    token = auth.form_token("/campaign/links/")
    election = "local.sheffield.2099-05-07"
    response = auth.client.post(
        "/campaign/links/send-election", data={"csrf_token": token, "election": election}
    )
    page = auth.client.get(response.headers["Location"]).text
    assert f"tracker pledge-links --election {election} --send" in page
