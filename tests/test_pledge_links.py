"""Personal pledge links: made by `tracker pledge-links`, answered on /answer/<token>."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlmodel import Session, select

from tests.conftest import forget_failed_sign_ins, soup
from tests.factories import candidate, fictional_council
from tracker.invitations import issue_link
from tracker.models import LinkAnswer, PledgeEvent, PledgeInvitation, Recommendation, utcnow
from tracker.pledging import Subject

SITE = "https://tracker.test"


@pytest.fixture
def site(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Give links a site address and the campaign an email address."""
    monkeypatch.setitem(app.config, "SITE_URL", SITE)
    monkeypatch.setitem(app.config, "CAMPAIGN_EMAIL", "campaign@pledge-tracker.invalid")
    forget_failed_sign_ins(app)


def _path(url: str) -> str:
    """Return the path the test client opens for a printed link."""
    assert url.startswith(SITE + "/answer/"), url
    return url.removeprefix(SITE)


def _recs(db: Session) -> dict[str, Recommendation]:
    return {r.slug: r for r in db.exec(select(Recommendation))}


def _answer_form(client: FlaskClient, path: str) -> dict[str, str]:
    """Return the answer form's hidden fields (CSRF token and versions)."""
    page = soup(client.get(path))
    return {
        str(field["name"]): str(field["value"])
        for field in page.select("form.answer-form input[type=hidden]")
    }


def test_cli_link_opens_the_five_recommendations_by_theme_for_its_candidate(
    runner: FlaskCliRunner, client: FlaskClient, db: Session, site: None
) -> None:
    jane = candidate(db, "Jane Fictitious", poll_date=date(2026, 12, 3))
    result = runner.invoke(args=["pledge-links", "--person", str(jane.id)])
    assert result.exit_code == 0, result.output
    response = client.get(_path(result.output.strip()))
    assert response.status_code == 200
    page = soup(response)
    assert "Jane Fictitious" in page.select_one(".link-owner .lede").get_text()
    assert "Fictional Ward" in page.select_one(".link-owner .lede").get_text()
    assert len(page.select("form.answer-form fieldset.answer")) == 5
    assert len(page.select("form.answer-form section h2")) == 3
    assert len(page.select("input[type=radio][value=partial]")) == 5
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


def test_two_pledges_through_the_link_are_public_and_marked_as_the_candidates_own(
    runner: FlaskCliRunner, client: FlaskClient, db: Session, site: None
) -> None:
    jane = candidate(db, "Jane Fictitious", poll_date=date(2026, 12, 3))
    path = _path(runner.invoke(args=["pledge-links", "--person", str(jane.id)]).output.strip())
    recs = _recs(db)
    first, second = recs["priority-in-strategic-plans"], recs["pathways-to-support"]
    form = _answer_form(client, path) | {
        f"answer-{first.id}": "pledged",
        f"answer-{second.id}": "pledged",
        f"statement-{second.id}": "I will fund it in my first budget.",
    }
    response = client.post(path, data=form)
    assert response.status_code == 303
    today = utcnow()
    marker = f"Answered by the candidate through their pledge link on {today.day} {today:%B %Y}."

    detail = soup(client.get(f"/candidates/{jane.id}", follow_redirects=True))
    notes = [n.get_text() for n in detail.select(".pledge-row .note")]
    assert notes == [marker, marker]
    assert [b.get_text(strip=True) for b in detail.select(".pledge-row blockquote")] == []

    rows = list(csv.DictReader(client.get(f"/pledges.csv?candidate={jane.id}").text.splitlines()))
    assert sorted(r["status"] for r in rows) == ["pledged", "pledged"]
    assert {r["note"] for r in rows} == {marker}
    api = client.get(f"/api/v1/candidates/{jane.id}").get_json()
    assert "pledged" in str(api)
    feed = client.get(f"/feeds/candidates/{jane.id}.atom").text
    assert feed.count("<entry>") == 2
    assert feed.count(marker) == 2

    answer = db.exec(select(LinkAnswer).where(LinkAnswer.statement.is_not(None))).one()  # type: ignore[union-attr]
    assert answer.statement_state == "pending"


def test_reopening_the_link_shows_and_changes_the_answer(
    runner: FlaskCliRunner, client: FlaskClient, db: Session, site: None
) -> None:
    jane = candidate(db, "Jane Fictitious", poll_date=date(2026, 12, 3))
    path = _path(runner.invoke(args=["pledge-links", "--person", str(jane.id)]).output.strip())
    rec = _recs(db)["resourced-multi-agency-partnership"]
    client.post(path, data=_answer_form(client, path) | {f"answer-{rec.id}": "declined"})
    page = soup(client.get(path))
    assert page.select_one(f"#answer-{rec.id}-declined").has_attr("checked")
    client.post(path, data=_answer_form(client, path) | {f"answer-{rec.id}": "partial"})
    events = db.exec(select(PledgeEvent).order_by(PledgeEvent.id)).all()  # type: ignore[arg-type]
    assert [e.to_status for e in events] == ["declined", "partial"]


@pytest.mark.parametrize(
    "damage",
    [
        lambda t: t[:-3],
        lambda t: t[:10] + ("x" if t[10] != "x" else "y") + t[11:],
        lambda t: t.split(".")[0],
        lambda t: "nonsense",
        lambda t: t * 3,
        lambda t: "é" + t,
        lambda t: "WzEsIngiXQ.forged-signature",
    ],
)
def test_changed_or_truncated_links_answer_404_with_what_to_do(
    client: FlaskClient, db: Session, site: None, damage: object
) -> None:
    jane = candidate(db, "Jane Fictitious", poll_date=date(2026, 12, 3))
    issued = issue_link(
        db,
        Subject(person_id=jane.id),
        election=None,
        expires_at=utcnow() + timedelta(days=9),
        secret_key="test",
    )
    response = client.get(f"/answer/{damage(issued.token)}")  # type: ignore[operator]
    assert response.status_code == 404
    assert "copy all of it" in soup(response).select_one(".lede").get_text()


def test_expired_revoked_and_replaced_links_answer_410(
    client: FlaskClient, runner: FlaskCliRunner, db: Session, site: None
) -> None:
    jane = candidate(db, "Jane Fictitious", poll_date=date(2026, 12, 3))
    old = _path(runner.invoke(args=["pledge-links", "--person", str(jane.id)]).output.strip())
    new = _path(runner.invoke(args=["pledge-links", "--person", str(jane.id)]).output.strip())
    assert client.get(old).status_code == 410
    assert "newer pledge link" in soup(client.get(old)).select_one(".lede").get_text()
    invitation = db.exec(select(PledgeInvitation)).one()
    invitation.expires_at = utcnow() - timedelta(seconds=1)
    db.commit()
    response = client.get(new)
    assert response.status_code == 410
    assert "campaign@pledge-tracker.invalid" in soup(response).select_one(".lede").get_text()
    invitation.expires_at = utcnow() + timedelta(days=3)
    invitation.revoked_at = utcnow()
    db.commit()
    assert "withdrawn by the campaign" in soup(client.get(new)).select_one(".lede").get_text()


def test_invitation_keeps_only_a_hash_of_the_secret(
    runner: FlaskCliRunner, db: Session, site: None
) -> None:
    jane = candidate(db, "Jane Fictitious", poll_date=date(2026, 12, 3))
    token = runner.invoke(args=["pledge-links", "--person", str(jane.id)]).output.strip()
    invitation = db.exec(select(PledgeInvitation)).one()
    assert len(invitation.secret_hash) == 64
    assert invitation.secret_hash not in token
    assert invitation.expires_at == datetime(2027, 1, 2, 23, 59, 59, tzinfo=UTC)


def test_an_election_in_the_past_needs_an_expiry_date(
    runner: FlaskCliRunner, db: Session, site: None
) -> None:
    jane = candidate(db, "Jane Fictitious", poll_date=date(2024, 5, 2))
    result = runner.invoke(args=["pledge-links", "--person", str(jane.id)])
    assert result.exit_code != 0
    assert "give a later expiry date" in result.output


def test_election_csv_has_one_row_per_candidate_with_link_and_email(
    runner: FlaskCliRunner, db: Session, site: None, tmp_path: Path
) -> None:
    jane = candidate(db, "Jane Fictitious", poll_date=date(2026, 12, 3))
    jane.email = "jane@example.org"
    candidate(db, "=Joe Madeup", poll_date=date(2026, 12, 3), ward="Other Ward")
    db.commit()
    out = tmp_path / "links.csv"
    election = "local.sheffield.2026-12-03"
    result = runner.invoke(args=["pledge-links", "--election", election, "--csv", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert [(r["name"], r["email"]) for r in rows] == [
        ("Jane Fictitious", "jane@example.org"),
        ("'=Joe Madeup", ""),
    ]
    assert all(r["link"].startswith(SITE + "/answer/") for r in rows)


def test_answers_from_one_link_are_rate_limited(
    app: Flask,
    runner: FlaskCliRunner,
    client: FlaskClient,
    db: Session,
    site: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "ANSWER_LIMIT_LINK", "2 per hour")
    jane = candidate(db, "Jane Fictitious", poll_date=date(2026, 12, 3))
    path = _path(runner.invoke(args=["pledge-links", "--person", str(jane.id)]).output.strip())
    rec = _recs(db)["listen-to-lived-experience"]
    codes = [
        client.post(path, data=_answer_form(client, path) | {f"answer-{rec.id}": s}).status_code
        for s in ("pledged", "declined", "partial")
    ]
    assert codes == [303, 303, 429]


def test_a_statement_without_an_answer_is_refused_beside_its_recommendation(
    runner: FlaskCliRunner, client: FlaskClient, db: Session, site: None
) -> None:
    jane = candidate(db, "Jane Fictitious", poll_date=date(2026, 12, 3))
    path = _path(runner.invoke(args=["pledge-links", "--person", str(jane.id)]).output.strip())
    rec = _recs(db)["listen-to-lived-experience"]
    response = client.post(path, data=_answer_form(client, path) | {f"statement-{rec.id}": "Hi"})
    assert response.status_code == 400
    assert soup(response).select_one(f"#rec-{rec.id}-error") is not None
    assert db.exec(select(PledgeEvent)).first() is None


def test_every_candidate_of_an_authority_gets_a_link(
    runner: FlaskCliRunner, db: Session, site: None
) -> None:
    council = fictional_council(db, "Linkshire")
    for name in ("Jane Fictitious", "Joe Madeup"):
        candidate(db, name, council=council, poll_date=date(2026, 12, 3))
    db.commit()
    args = ["pledge-links", "--authority", council.slug, "--candidates"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    names = [line.split("\t")[1] for line in result.output.splitlines()]
    assert names == ["Jane Fictitious", "Joe Madeup"]
    assert db.exec(select(PledgeInvitation)).all()[0].person_id is not None


def test_an_authority_link_is_for_the_authority(
    runner: FlaskCliRunner, client: FlaskClient, db: Session, site: None
) -> None:
    council = fictional_council(db, "Linkshire")
    db.commit()
    args = ["pledge-links", "--authority", council.slug, "--expires", "2099-01-01"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    page = soup(client.get(_path(result.output.strip())))
    assert "Linkshire Council (fictional)" in page.select_one(".link-owner .lede").get_text()


def test_an_answer_without_the_forms_csrf_token_is_refused(
    runner: FlaskCliRunner, client: FlaskClient, db: Session, site: None
) -> None:
    jane = candidate(db, "Jane Fictitious", poll_date=date(2026, 12, 3))
    path = _path(runner.invoke(args=["pledge-links", "--person", str(jane.id)]).output.strip())
    rec = _recs(db)["listen-to-lived-experience"]
    form = _answer_form(client, path)
    del form["csrf_token"]
    response = client.post(path, data=form | {f"answer-{rec.id}": "pledged"})
    assert response.status_code == 400
    assert db.exec(select(PledgeEvent)).first() is None


def test_links_need_the_sites_address(
    app: Flask, runner: FlaskCliRunner, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "SITE_URL", None)
    jane = candidate(db, "Jane Fictitious", poll_date=date(2026, 12, 3))
    result = runner.invoke(args=["pledge-links", "--person", str(jane.id)])
    assert result.exit_code == 1
    assert "Set SITE_URL" in result.output
    assert db.exec(select(PledgeInvitation)).first() is None
