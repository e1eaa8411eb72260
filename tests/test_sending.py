"""Emailing pledge links and reminders through a real SMTP server on loopback."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlmodel import Session, select

from tests.conftest import AuthActions
from tests.factories import candidate
from tests.smtp_server import PASSWORD, USER, self_signed, smtp_server
from tracker.mail import MailError, Throttle, smtp_settings
from tracker.models import PledgeInvitation, utcnow

ELECTION = "local.sheffield.2026-12-03"
SITE = "https://tracker.test"


@pytest.fixture
def mail_app(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """Configure links and the campaign's addresses; each test points SMTP_URL at its server."""
    monkeypatch.setitem(app.config, "SITE_URL", SITE)
    monkeypatch.setitem(app.config, "CAMPAIGN_EMAIL", "campaign@pledge-tracker.invalid")
    monkeypatch.setitem(app.config, "MAIL_FROM", "links@pledge-tracker.invalid")
    monkeypatch.setitem(app.config, "UNSUBSCRIBE_EMAIL", "unsubscribe@pledge-tracker.invalid")
    monkeypatch.setitem(app.config, "SMTP_RATE", 1000.0)
    return app


def _stand(db: Session) -> dict[str, int]:
    """Stand three fictional candidates: two with addresses (one refused), one without."""
    people = {
        "Jane Fictitious": "jane@example.org",
        "Joe Madeup": "joe@refuse.invalid",
        "Ann Invented": None,
    }
    ids = {}
    for name, email in people.items():
        person = candidate(db, name, poll_date=date(2026, 12, 3), ward=f"{name} Ward")
        person.email = email
        ids[name] = person.id
    db.commit()
    return ids


def test_sending_an_election_delivers_each_candidate_their_own_link(
    mail_app: Flask, runner: FlaskCliRunner, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _stand(db)
    with smtp_server() as (port, inbox):
        monkeypatch.setitem(mail_app.config, "SMTP_URL", f"smtp+plain://127.0.0.1:{port}")
        result = runner.invoke(args=["pledge-links", "--election", ELECTION, "--send"])
    assert result.exit_code == 0, result.output
    assert "1 sent, 1 refused, 1 no-address" in result.output
    assert [rcpts for rcpts, _ in inbox.received] == [["jane@example.org"]]
    message = inbox.received[0][1]
    assert message["Reply-To"] == "campaign@pledge-tracker.invalid"
    assert "unsubscribe@pledge-tracker.invalid" in message["List-Unsubscribe"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    link = next(word for word in text.split() if word.startswith(SITE + "/answer/"))
    assert f'href="{link}"' in html
    assert text.startswith("Dear Jane Fictitious,")

    rows = {i.person_id: i for i in db.exec(select(PledgeInvitation))}
    assert rows[ids["Jane Fictitious"]].send_outcome == "sent"
    assert rows[ids["Jane Fictitious"]].sent_to == "jane@example.org"
    assert rows[ids["Joe Madeup"]].send_outcome == "refused"
    assert "550" in (rows[ids["Joe Madeup"]].send_error or "")
    assert rows[ids["Ann Invented"]].send_outcome == "no-address"

    with smtp_server() as (port, inbox):
        monkeypatch.setitem(mail_app.config, "SMTP_URL", f"smtp+plain://127.0.0.1:{port}")
        again = runner.invoke(args=["pledge-links", "--election", ELECTION, "--send"])
    assert "1 sent before" in again.output
    assert inbox.received == []


def test_the_emailed_link_opens_the_answer_page(
    mail_app: Flask, runner: FlaskCliRunner, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stand(db)
    with smtp_server() as (port, inbox):
        monkeypatch.setitem(mail_app.config, "SMTP_URL", f"smtp+plain://127.0.0.1:{port}")
        runner.invoke(args=["pledge-links", "--election", ELECTION, "--send"])
    text = inbox.received[0][1].get_body(("plain",)).get_content()
    link = next(word for word in text.split() if word.startswith(SITE + "/answer/"))
    response = mail_app.test_client().get(link.removeprefix(SITE))
    assert response.status_code == 200
    assert "Jane Fictitious" in response.get_data(as_text=True)


def test_starttls_and_credentials_are_used(
    mail_app: Flask,
    runner: FlaskCliRunner,
    db: Session,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    jane = _stand(db)["Jane Fictitious"]
    cert, key = self_signed(tmp_path)
    monkeypatch.setitem(mail_app.config, "SMTP_CA_FILE", str(cert))
    with smtp_server((cert, key)) as (port, inbox):
        url = f"smtp://{USER}:{PASSWORD}@127.0.0.1:{port}"
        monkeypatch.setitem(mail_app.config, "SMTP_URL", url)
        result = runner.invoke(args=["pledge-links", "--election", ELECTION, "--send"])
        assert result.exit_code == 0, result.output
        wrong = url.replace(PASSWORD, "wrong-password")
        monkeypatch.setitem(mail_app.config, "SMTP_URL", wrong)
        refused = runner.invoke(args=["pledge-links", "--person", str(jane), "--send"])
    assert [rcpts for rcpts, _ in inbox.received] == [["jane@example.org"]]
    assert refused.exit_code != 0
    assert "refused the SMTP_URL credentials" in refused.output


def test_a_server_without_starttls_is_refused_for_smtp_urls(
    mail_app: Flask, runner: FlaskCliRunner, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stand(db)
    with smtp_server() as (port, inbox):
        monkeypatch.setitem(mail_app.config, "SMTP_URL", f"smtp://127.0.0.1:{port}")
        result = runner.invoke(args=["pledge-links", "--election", ELECTION, "--send"])
    assert result.exit_code != 0
    assert "does not offer STARTTLS" in result.output
    assert inbox.received == []


def test_reminders_go_a_week_before_expiry_to_those_who_have_not_answered(
    mail_app: Flask, runner: FlaskCliRunner, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stand(db)
    soon = (utcnow() + timedelta(days=5)).strftime("%Y-%m-%d")
    with smtp_server() as (port, inbox):
        monkeypatch.setitem(mail_app.config, "SMTP_URL", f"smtp+plain://127.0.0.1:{port}")
        runner.invoke(args=["pledge-links", "--election", ELECTION, "--send", "--expires", soon])
        first = inbox.received[0][1].get_body(("plain",)).get_content()
        result = runner.invoke(args=["pledge-links", "--remind"])
        assert result.exit_code == 0, result.output
        again = runner.invoke(args=["pledge-links", "--remind"])
    assert "1 sent" in result.output
    assert "0 sent" in again.output
    assert len(inbox.received) == 2
    reminder = inbox.received[1][1]
    assert str(reminder["Subject"]).strip().startswith("Reminder:")
    old = next(w for w in first.split() if w.startswith(SITE))
    new = next(w for w in reminder.get_body(("plain",)).get_content().split() if w.startswith(SITE))
    client = mail_app.test_client()
    assert client.get(new.removeprefix(SITE)).status_code == 200
    assert client.get(old.removeprefix(SITE)).status_code == 410


def test_sending_without_smtp_url_says_what_to_set(
    mail_app: Flask, runner: FlaskCliRunner, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stand(db)
    monkeypatch.setitem(mail_app.config, "SMTP_URL", None)
    result = runner.invoke(args=["pledge-links", "--election", ELECTION, "--send"])
    assert result.exit_code != 0
    assert "Set SMTP_URL" in result.output


def test_smtp_url_is_read_with_starttls_by_default() -> None:
    settings = smtp_settings("smtp://user%40x:p%3Ass@mail.example.org")
    assert (settings.host, settings.port, settings.starttls) == ("mail.example.org", 587, True)
    assert (settings.username, settings.password) == ("user@x", "p:ss")
    with pytest.raises(MailError, match="must look like"):
        smtp_settings("http://mail.example.org")


def test_throttle_spaces_messages_at_the_rate() -> None:
    clock = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 3))
        clock[0] += seconds

    throttle = Throttle(2, clock=lambda: clock[0], sleep=sleep)
    for _ in range(3):
        throttle.wait()
    assert slept == [0.5, 0.5]


def test_nobody_who_unsubscribed_is_written_to_again(
    mail_app: Flask,
    runner: FlaskCliRunner,
    auth: AuthActions,
    db: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    jane = _stand(db)["Jane Fictitious"]
    runner.invoke(args=["pledge-links", "--person", str(jane)])
    invitation = db.exec(select(PledgeInvitation)).one()
    auth.login_as("campaigner")
    token = auth.form_token("/campaign/links/")
    response = auth.client.post(
        f"/campaign/links/{invitation.id}/unsubscribe", data={"csrf_token": token}
    )
    assert response.status_code == 303
    with smtp_server() as (port, inbox):
        monkeypatch.setitem(mail_app.config, "SMTP_URL", f"smtp+plain://127.0.0.1:{port}")
        result = runner.invoke(args=["pledge-links", "--election", ELECTION, "--send"])
    assert "0 sent, 1 refused, 1 no-address, 1 unsubscribed" in result.output
    assert inbox.received == []


def test_a_campaigner_emails_one_subject_a_new_link_from_the_site(
    mail_app: Flask,
    runner: FlaskCliRunner,
    auth: AuthActions,
    db: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    jane = _stand(db)["Jane Fictitious"]
    old = runner.invoke(args=["pledge-links", "--person", str(jane)]).output.strip()
    invitation = db.exec(select(PledgeInvitation)).one()
    auth.login_as("campaigner")
    with smtp_server() as (port, inbox):
        monkeypatch.setitem(mail_app.config, "SMTP_URL", f"smtp+plain://127.0.0.1:{port}")
        token = auth.form_token("/campaign/links/")
        sent = auth.client.post(f"/campaign/links/{invitation.id}/send", data={"csrf_token": token})
        assert "Emailed." in auth.client.get(sent.headers["Location"]).text
        auth.client.post(f"/campaign/links/{invitation.id}/unsubscribe", data={"csrf_token": token})
        again = auth.client.post(
            f"/campaign/links/{invitation.id}/send", data={"csrf_token": token}
        )
        assert "they unsubscribed" in auth.client.get(again.headers["Location"]).text
    assert [rcpts for rcpts, _ in inbox.received] == [["jane@example.org"]]
    text = inbox.received[0][1].get_body(("plain",)).get_content()
    new = next(word for word in text.split() if word.startswith("http://localhost/answer/"))
    assert auth.client.get(new.removeprefix("http://localhost")).status_code == 200
    assert auth.client.get(old.removeprefix(SITE)).status_code == 410
