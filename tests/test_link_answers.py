"""Campaigners and answers given through pledge links: approve, verify, withdraw, revoke."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from tests.conftest import AuthActions, forget_failed_sign_ins, soup
from tests.factories import candidate, pledge_of, record
from tracker.invitations import issue_link
from tracker.models import LinkAnswer, Person, PledgeStatus, Recommendation, utcnow
from tracker.pledging import Subject


@pytest.fixture
def site(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Give the campaign an address, and start with fresh answer limits."""
    monkeypatch.setitem(app.config, "CAMPAIGN_EMAIL", "campaign@pledge-tracker.invalid")
    forget_failed_sign_ins(app)


def _rec(db: Session, slug: str) -> Recommendation:
    return db.exec(select(Recommendation).where(Recommendation.slug == slug)).one()


def _link(db: Session, person: Person) -> str:
    issued = issue_link(
        db,
        Subject(person_id=person.id),
        election=None,
        expires_at=utcnow() + timedelta(days=20),
        secret_key="test",
    )
    db.commit()
    return f"/answer/{issued.token}"


def _answer(client: FlaskClient, path: str, answers: dict[int, str], **statements: str) -> None:
    """Post the answer page as the candidate would, keeping its hidden fields."""
    page = soup(client.get(path))
    data = {
        str(f["name"]): str(f["value"]) for f in page.select("form.answer-form input[type=hidden]")
    }
    data |= {f"answer-{rec_id}": value for rec_id, value in answers.items()}
    data |= {f"statement-{key.removeprefix('s')}": text for key, text in statements.items()}
    assert client.post(path, data=data).status_code == 303


def _decide(auth: AuthActions, client: FlaskClient, answer_id: int, decision: str, **form: str):
    token = auth.form_token("/campaign/links/answers")
    return client.post(
        f"/campaign/links/answers/{answer_id}/{decision}", data={"csrf_token": token, **form}
    )


def _page(client: FlaskClient, person: Person):
    return soup(client.get(f"/candidates/{person.id}", follow_redirects=True))


def test_a_statement_is_shown_only_once_a_campaigner_approves_it(
    client: FlaskClient, auth: AuthActions, db: Session, site: None
) -> None:
    jane = candidate(db, "Jane Fictitious", poll_date=date(2026, 12, 3))
    rec = _rec(db, "pathways-to-support")
    _answer(client, _link(db, jane), {rec.id: "pledged"}, **{f"s{rec.id}": "Funded in May."})
    assert _page(client, jane).select(".pledge-row blockquote") == []

    auth.login_as("campaigner")
    queue = soup(client.get("/campaign/links/answers"))
    assert "Funded in May." in queue.select_one(".statement-queue").get_text()
    answer = db.exec(select(LinkAnswer)).one()
    response = _decide(auth, client, answer.id, "approve")
    assert response.status_code == 303
    auth.logout()
    quotes = [q.get_text(strip=True) for q in _page(client, jane).select(".pledge-row blockquote")]
    assert quotes == ["Funded in May."]


def test_a_rejected_statement_stays_hidden_and_the_answer_stands(
    client: FlaskClient, auth: AuthActions, db: Session, site: None
) -> None:
    jane = candidate(db, "Jane Fictitious", poll_date=date(2026, 12, 3))
    rec = _rec(db, "pathways-to-support")
    _answer(client, _link(db, jane), {rec.id: "partial"}, **{f"s{rec.id}": "Vote for me!"})
    auth.login_as("campaigner")
    _decide(auth, client, db.exec(select(LinkAnswer)).one().id, "reject")
    auth.logout()
    page = _page(client, jane)
    assert page.select(".pledge-row blockquote") == []
    assert pledge_of(db, rec.slug, person=jane).status == "partial"


def test_verifying_and_withdrawing_show_in_history(
    client: FlaskClient, auth: AuthActions, db: Session, site: None
) -> None:
    jane = candidate(db, "Jane Fictitious", poll_date=date(2026, 12, 3))
    first, second = _rec(db, "pathways-to-support"), _rec(db, "listen-to-lived-experience")
    _answer(client, _link(db, jane), {first.id: "pledged", second.id: "pledged"})
    answers = {a.recommendation_id: a for a in db.exec(select(LinkAnswer))}
    auth.login_as("campaigner")
    assert _decide(auth, client, answers[first.id].id, "verify").status_code == 303
    refused = _decide(auth, client, answers[second.id].id, "withdraw", reason="  ")
    assert refused.status_code == 303
    assert pledge_of(db, second.slug, person=jane).status == "pledged"
    _decide(auth, client, answers[second.id].id, "withdraw", reason="Not their account.")

    verified = pledge_of(db, first.slug, person=jane)
    history = soup(client.get(f"/pledges/{verified.id}/history")).get_text()
    assert "Verified by the campaign on" in history
    withdrawn = pledge_of(db, second.slug, person=jane)
    assert withdrawn.status == PledgeStatus.AWAITING.value
    history = soup(client.get(f"/pledges/{withdrawn.id}/history")).get_text()
    assert "withdrew the answer given through the pledge link: Not their account." in history


def test_revoking_a_link_rolls_back_its_answers_to_what_stood_before(
    client: FlaskClient, auth: AuthActions, db: Session, site: None
) -> None:
    jane = candidate(db, "Jane Fictitious", poll_date=date(2026, 12, 3))
    first, second = _rec(db, "pathways-to-support"), _rec(db, "listen-to-lived-experience")
    record(db, pledge_of(db, first.slug, person=jane), PledgeStatus.DECLINED)
    db.commit()
    path = _link(db, jane)
    _answer(client, path, {first.id: "pledged", second.id: "pledged"})
    invitation_id = db.exec(select(LinkAnswer)).first().invitation_id  # type: ignore[union-attr]

    auth.login_as("campaigner")
    token = auth.form_token("/campaign/links/")
    response = client.post(
        f"/campaign/links/{invitation_id}/revoke",
        data={"csrf_token": token, "reason": "The link was forwarded."},
        follow_redirects=True,
    )
    assert "2 answers rolled back" in soup(response).select_one(".flashes").get_text()
    restored = pledge_of(db, first.slug, person=jane)
    assert (restored.status, restored.evidence_url) == ("declined", "https://example.org/evidence")
    assert pledge_of(db, second.slug, person=jane).status == "awaiting-response"
    history = soup(client.get(f"/pledges/{restored.id}/history")).get_text()
    assert "The link was forwarded." in history
    auth.logout()
    assert client.get(path).status_code == 410


def test_the_address_a_link_was_sent_to_is_shown_to_admins_only(
    client: FlaskClient, auth: AuthActions, db: Session, site: None
) -> None:
    jane = candidate(db, "Jane Fictitious", poll_date=date(2026, 12, 3))
    _link(db, jane)
    auth.login_as("campaigner")
    headers = [th.get_text() for th in soup(client.get("/campaign/links/")).select("thead th")]
    assert "Sent to" not in headers
    auth.logout()
    auth.login_as("admin")
    headers = [th.get_text() for th in soup(client.get("/campaign/links/")).select("thead th")]
    assert "Sent to" in headers


@pytest.mark.parametrize("url", ["/campaign/links/", "/campaign/links/answers"])
def test_the_public_is_sent_to_sign_in(client: FlaskClient, db: Session, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_campaigner_makes_a_link_on_the_site_and_it_works(
    client: FlaskClient, auth: AuthActions, db: Session, site: None
) -> None:
    jane = candidate(db, "Jane Fictitious", poll_date=date(2026, 12, 3))
    auth.login_as("campaigner")
    token = auth.form_token("/campaign/links/")
    page = soup(
        client.post("/campaign/links/new", data={"csrf_token": token, "person_id": str(jane.id)})
    )
    link = str(page.select_one("#new-link")["value"])
    auth.logout()
    assert "Jane Fictitious" in soup(client.get(link.removeprefix("http://localhost"))).get_text()


def test_a_statement_overtaken_by_a_newer_answer_cannot_be_approved(
    client: FlaskClient, auth: AuthActions, db: Session, site: None
) -> None:
    jane = candidate(db, "Jane Fictitious", poll_date=date(2026, 12, 3))
    rec = _rec(db, "pathways-to-support")
    path = _link(db, jane)
    _answer(client, path, {rec.id: "pledged"}, **{f"s{rec.id}": "First thoughts."})
    _answer(client, path, {rec.id: "declined"})
    first = db.exec(select(LinkAnswer).order_by(LinkAnswer.id)).first()  # type: ignore[arg-type]
    assert first is not None
    auth.login_as("campaigner")
    response = _decide(auth, client, first.id, "approve")
    assert "keep it off the site" in soup(client.get(response.headers["Location"])).get_text()
    db.refresh(first)
    assert first.statement_state == "pending"
    assert _decide(auth, client, first.id, "reject").status_code == 303
    db.refresh(first)
    assert first.statement_state == "rejected"
    assert pledge_of(db, rec.slug, person=jane).quote is None


def test_an_answer_racing_a_campaigners_edit_is_refused_then_accepted_on_resubmit(
    client: FlaskClient, db: Session, site: None
) -> None:
    jane = candidate(db, "Jane Fictitious", poll_date=date(2026, 12, 3))
    rec = _rec(db, "pathways-to-support")
    path = _link(db, jane)
    page = soup(client.get(path))
    data = {
        str(f["name"]): str(f["value"]) for f in page.select("form.answer-form input[type=hidden]")
    }
    record(db, pledge_of(db, rec.slug, person=jane), PledgeStatus.DECLINED)
    db.commit()
    conflict = client.post(path, data=data | {f"answer-{rec.id}": "pledged"})
    assert conflict.status_code == 409
    fresh = {
        str(f["name"]): str(f["value"])
        for f in soup(conflict).select("form.answer-form input[type=hidden]")
    }
    assert fresh[f"version-{rec.id}"] == "1"
    again = client.post(path, data=fresh | {f"answer-{rec.id}": "pledged"})
    assert again.status_code == 303
    assert pledge_of(db, rec.slug, person=jane).status == "pledged"


def test_a_campaigner_rates_the_delivery_of_an_answer_given_through_a_link(
    client: FlaskClient, auth: AuthActions, db: Session, site: None
) -> None:
    jane = candidate(db, "Jane Fictitious", poll_date=date(2026, 12, 3))
    rec = _rec(db, "pathways-to-support")
    _answer(client, _link(db, jane), {rec.id: "pledged"})
    pledge = pledge_of(db, rec.slug, person=jane)
    auth.login_as("campaigner")
    edit = f"/candidates/{jane.id}/pledges/{rec.slug}"
    form = soup(client.get(edit + "/edit")).select_one("form.pledge-form")
    data = {str(field["name"]): str(field.get("value", "")) for field in form.select("input[name]")}
    data |= {"status": "pledged", "delivery": "in-progress", "note": pledge.note or ""}
    assert client.post(edit, data=data).status_code == 303
    db.refresh(pledge)
    assert (pledge.status, pledge.delivery) == ("pledged", "in-progress")
    data |= {"status": "declined", "delivery": "not-yet-rated", "version": str(pledge.version)}
    refused = client.post(edit, data=data)
    assert refused.status_code in (400, 422)
    assert soup(refused).select_one(".field-error") is not None


def test_changing_one_answer_leaves_a_sourced_record_of_another_alone(
    client: FlaskClient, db: Session, site: None
) -> None:
    jane = candidate(db, "Jane Fictitious", poll_date=date(2026, 12, 3))
    sourced, changed = _rec(db, "pathways-to-support"), _rec(db, "listen-to-lived-experience")
    record(db, pledge_of(db, sourced.slug, person=jane), PledgeStatus.DECLINED)
    db.commit()
    path = _link(db, jane)
    ticked = soup(client.get(path)).select_one(f"#answer-{sourced.id}-declined")
    assert ticked is not None and ticked.has_attr("checked")
    _answer(client, path, {sourced.id: "declined", changed.id: "pledged"})
    kept = pledge_of(db, sourced.slug, person=jane)
    assert (kept.version, kept.evidence_url) == (1, "https://example.org/evidence")
    answers = db.exec(select(LinkAnswer)).all()
    assert [a.recommendation_id for a in answers] == [changed.id]
