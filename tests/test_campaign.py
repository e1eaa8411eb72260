"""The campaigners' side: dashboard, spreadsheet uploads, API tokens and admin pages."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient, FlaskCliRunner
from sqlmodel import Session, select

from tests.conftest import AuthActions, soup
from tests.factories import candidate, fictional_council, pledge_of, record
from tracker.imports.pledges import COLUMNS, read_upload
from tracker.models import ApiToken, Person, Pledge, PledgeEvent, Recommendation

HEADER = "person_id,authority,recommendation,status,delivery,evidence_url,quote,date,note\n"


@pytest.fixture
def people(db: Session) -> list[Person]:
    council = fictional_council(db)
    made = [
        candidate(db, "Uma Upload", council=council),
        candidate(db, "Val Upload", council=council),
    ]
    db.commit()
    return made


def upload(client: FlaskClient, auth: AuthActions, text: str, name: str = "pledges.csv"):  # type: ignore[no-untyped-def]
    token = auth.form_token("/campaign/uploads")
    return client.post(
        "/campaign/uploads",
        data={"csrf_token": token, "file": (io.BytesIO(text.encode()), name)},
        content_type="multipart/form-data",
    )


def test_dashboard_shows_what_is_awaited_and_what_the_team_did(
    client: FlaskClient, auth: AuthActions, db: Session, people: list[Person]
) -> None:
    user = auth.login_as()
    record(db, pledge_of(db, "pathways-to-support", person=people[0]), actor_id=user.id)
    db.commit()
    page = soup(client.get("/campaign/"))
    rows = page.select("section[aria-labelledby=awaiting-by-rec] tbody tr")
    awaited = {r.th.text.split(". ", 1)[1]: int(r.select("td")[0].text) for r in rows}
    assert awaited["Create pathways to support services"] == 1
    assert awaited["Resource multi-agency partnerships"] == 2
    backlog = page.select("section[aria-labelledby=awaiting-by-authority] tbody tr")
    assert backlog[0].th.text == "Testshire Council (fictional)"
    assert [td.text for td in backlog[0].select("td")[:2]] == ["2", "9"]
    activity = page.select_one("section[aria-labelledby=activity] .events").text
    assert "Uma Upload" in activity
    assert user.email not in activity, "history hides editors from campaigners; so does this"
    auth.login_as("admin")
    activity = soup(client.get("/campaign/")).select_one("section[aria-labelledby=activity]")
    assert user.email in activity.text


def test_an_upload_keeps_internal_notes_internal(
    client: FlaskClient, auth: AuthActions, db: Session, people: list[Person]
) -> None:
    auth.login_as()
    text = (
        "person_id,recommendation,status,quote,note,internal_note\n"
        f"{people[0].id},pathways-to-support,pledged,We will.,Said at hustings,Ask again in May\n"
    )
    preview = soup(client.get(upload(client, auth, text).headers["Location"]))
    form = preview.select_one("form[action$='/apply']")
    fields = {name: form.select_one(f"[name={name}]")["value"] for name in ("csrf_token", "plan")}
    assert client.post(form["action"], data=fields).status_code == 303
    pledge = db.exec(select(Pledge).where(Pledge.person_id == people[0].id)).one()
    assert (pledge.note, pledge.private_note) == ("Said at hustings", "Ask again in May")
    page = soup(client.get("/campaign/uploads")).select_one("main").text
    assert "never published" in page


def test_upload_previews_then_applies_in_one_go(
    client: FlaskClient, auth: AuthActions, db: Session, people: list[Person]
) -> None:
    auth.login_as()
    council = fictional_council(db)
    text = HEADER + (
        f"{people[0].id},,pathways-to-support,pledged,,https://example.org/u,We will.,2024-04-01,\n"
        f"{people[1].id},,listen-to-lived-experience,declined,,,No thanks.,,\n"
        f",{council.gss_code},resourced-multi-agency-partnership,partial,,,Some funding.,,\n"
    )
    response = upload(client, auth, text)
    assert response.status_code == 303
    preview = soup(client.get(response.headers["Location"]))
    changes = preview.select("section[aria-labelledby=changes] tbody tr")
    assert [r.th.text for r in changes] == ["2", "3", "4"]
    assert [s.text for s in changes[0].select(".status")] == ["Awaiting response", "Pledged"]
    assert db.exec(select(PledgeEvent)).all() == []  # nothing written by the preview
    form = preview.select_one("form[action$='/apply']")
    applied = client.post(
        form["action"],
        data={
            "csrf_token": form.select_one("[name=csrf_token]")["value"],
            "plan": form.select_one("[name=plan]")["value"],
        },
    )
    assert applied.status_code == 303
    assert "3 created, 0 updated" in soup(client.get("/campaign/")).select_one(".flashes").text
    assert len(db.exec(select(PledgeEvent)).all()) == 3
    again = client.post(form["action"], data={"csrf_token": auth.csrf(), "plan": "x"})
    assert again.status_code == 409


def test_upload_errors_are_listed_by_line_and_block_applying_the_whole_file(
    client: FlaskClient, auth: AuthActions, db: Session, people: list[Person]
) -> None:
    auth.login_as()
    council = fictional_council(db)
    text = HEADER + (
        f"{people[0].id},,pathways-to-support,pledged,,,,,\n"
        f"999999999,,pathways-to-support,pledged,,,x,,\n"
        f"{people[0].id},,free-lunch,pledged,,,x,,\n"
        f"{people[1].id},{council.gss_code},pathways-to-support,pledged,,,x,,\n"
        f"{people[1].id},,pathways-to-support,maybe,,,x,,\n"
        f"{people[1].id},,listen-to-lived-experience,pledged,,,x,01/02/2024,\n"
        f"{people[1].id},,listen-to-lived-experience,declined,,,x,,\n"
    )
    preview = soup(client.get(upload(client, auth, text).headers["Location"]))
    problems = {
        r.th.text: r.td.text for r in preview.select("section[aria-labelledby=problems] tbody tr")
    }
    assert problems == {
        "2": "“Pledged” needs evidence: a source link or a quote.",
        "3": "no candidate has person_id '999999999'",
        "4": "unknown recommendation 'free-lunch'",
        "5": "give either person_id or authority (a GSS code), not both",
        "6": "unknown status 'maybe'",
        "7": "date '01/02/2024' is not a date (YYYY-MM-DD)",
    }
    # Only the good rows can go in, and only by choosing to skip the rest.
    offer = preview.select_one("form[action$='/apply']")
    assert offer.select_one("input[name=skip_bad]")["value"] == "y"
    assert offer.button.text == "Apply the 1 good row, skip the 6 bad ones"


def mixed_upload(people: list[Person]) -> str:
    """Return a file of two good rows around two bad ones (lines 3 and 5)."""
    return HEADER + (
        f"{people[0].id},,pathways-to-support,pledged,,,We will.,,\n"
        f"999999999,,pathways-to-support,pledged,,,x,,\n"
        f"{people[1].id},,listen-to-lived-experience,declined,,,No thanks.,,\n"
        f"{people[1].id},,pathways-to-support,maybe,,,x,,\n"
    )


def apply_form(preview: BeautifulSoup) -> tuple[str, dict[str, str]]:
    """Return the preview's apply form: where it posts and what it sends."""
    form = preview.select_one("form[action$='/apply']")
    return str(form["action"]), {
        str(i["name"]): str(i["value"]) for i in form.select("input[type=hidden]")
    }


def test_apply_the_good_rows_and_skip_the_bad_ones(
    client: FlaskClient, auth: AuthActions, db: Session, people: list[Person]
) -> None:
    auth.login_as()
    preview = soup(client.get(upload(client, auth, mixed_upload(people)).headers["Location"]))
    button = preview.select_one("form[action$='/apply'] button")
    assert button.text == "Apply the 2 good rows, skip the 2 bad ones"
    action, data = apply_form(preview)
    assert data["skip_bad"] == "y"
    assert client.post(action, data=data).status_code == 303
    statuses = {(p.person_id, p.recommendation_id): p.status for p in db.exec(select(Pledge)).all()}
    recs = {r.slug: r.id for r in db.exec(select(Recommendation))}
    assert statuses == {
        (people[0].id, recs["pathways-to-support"]): "pledged",
        (people[1].id, recs["listen-to-lived-experience"]): "declined",
    }
    flashes = [p.text for p in soup(client.get("/campaign/")).select(".flashes .flash")]
    assert flashes[0] == "Applied pledges.csv: 2 created, 0 updated, 0 unchanged, 2 rejected."
    assert flashes[1] == (
        "Skipped, as the preview listed: line 3: no candidate has person_id '999999999'; "
        "line 5: unknown status 'maybe'."
    )


def test_without_choosing_to_skip_bad_rows_nothing_is_applied(
    client: FlaskClient, auth: AuthActions, db: Session, people: list[Person]
) -> None:
    auth.login_as()
    preview = soup(client.get(upload(client, auth, mixed_upload(people)).headers["Location"]))
    action, data = apply_form(preview)
    response = client.post(action, data={k: v for k, v in data.items() if k != "skip_bad"})
    assert response.status_code == 409
    assert db.exec(select(Pledge)).all() == []


def test_skipping_bad_rows_is_refused_if_a_good_one_changed_since_the_preview(
    client: FlaskClient, auth: AuthActions, db: Session, people: list[Person]
) -> None:
    auth.login_as()
    preview = soup(client.get(upload(client, auth, mixed_upload(people)).headers["Location"]))
    action, data = apply_form(preview)
    record(db, pledge_of(db, "pathways-to-support", person=people[0]), quote="Edited meanwhile.")
    db.commit()
    response = client.post(action, data=data)
    assert response.status_code == 409
    assert "changed after the preview" in soup(response).select_one("[role=alert]").text
    assert [p.quote for p in db.exec(select(Pledge)).all()] == ["Edited meanwhile."]


def test_the_upload_form_offers_a_template_and_says_where_ids_come_from(
    client: FlaskClient, auth: AuthActions
) -> None:
    auth.login_as()
    page = soup(client.get("/campaign/uploads"))
    assert page.select_one("main a[href='/candidates.csv']") is not None
    template = client.get(page.select_one("main a[download]")["href"])
    assert template.status_code == 200 and template.mimetype == "text/csv"
    lines = template.get_data(as_text=True).splitlines()
    assert lines == [",".join(COLUMNS)]  # the header the upload reads, and no made-up row
    assert read_upload(lines[0] + "\n")[1] is None


def test_a_row_with_extra_cells_is_an_error_not_a_shortened_quote(
    client: FlaskClient, auth: AuthActions, db: Session, people: list[Person]
) -> None:
    auth.login_as()
    text = HEADER + (
        f"{people[0].id},,pathways-to-support,pledged,,,We will, if elected, fund it,,\n"
        f'{people[1].id},,pathways-to-support,pledged,,,"We will, if elected, fund it",,\n'
    )
    preview = soup(client.get(upload(client, auth, text).headers["Location"]))
    problems = {
        r.th.text: r.td.text for r in preview.select("section[aria-labelledby=problems] tbody tr")
    }
    assert problems == {
        "2": "2 more cell(s) than the header has columns; put a quote holding commas in "
        "double quotes"
    }
    offer = preview.select_one("form[action$='/apply'] button").text
    assert offer == "Apply the 1 good row, skip the 1 bad one"


def test_a_pledge_changed_after_the_preview_is_not_overwritten(
    client: FlaskClient, auth: AuthActions, db: Session, people: list[Person]
) -> None:
    auth.login_as()
    text = HEADER + f"{people[0].id},,pathways-to-support,pledged,,,From the sheet.,,\n"
    preview = soup(client.get(upload(client, auth, text).headers["Location"]))
    form = preview.select_one("form[action$='/apply']")
    record(db, pledge_of(db, "pathways-to-support", person=people[0]), quote="Edited meanwhile.")
    db.commit()
    response = client.post(
        form["action"],
        data={
            "csrf_token": form.select_one("[name=csrf_token]")["value"],
            "plan": form.select_one("[name=plan]")["value"],
        },
    )
    assert response.status_code == 409
    assert "changed after the preview" in soup(response).select_one("[role=alert]").text
    pledge = pledge_of(db, "pathways-to-support", person=people[0])
    db.refresh(pledge)
    assert pledge.quote == "Edited meanwhile."


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\x00b\x00a\x00d", "Save the spreadsheet as CSV (UTF-8) and upload that."),
        (b"x,\x00y\n", "This looks like a binary file; save the spreadsheet as CSV (UTF-8)."),
    ],
)
def test_unreadable_uploads_are_refused(
    client: FlaskClient, auth: AuthActions, content: bytes, message: str
) -> None:
    auth.login_as()
    token = auth.form_token("/campaign/uploads")
    response = client.post(
        "/campaign/uploads",
        data={"csrf_token": token, "file": (io.BytesIO(content), "sheet.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert soup(response).select_one("#file-error").text == message


def test_missing_columns_are_a_file_error(client: FlaskClient, auth: AuthActions) -> None:
    auth.login_as()
    response = upload(client, auth, "who,what\n1,2\n")
    assert response.status_code == 422
    assert soup(response).select_one("#file-error").text == (
        "This file cannot be used: line 1: missing column(s): recommendation, status, "
        "person_id or authority; unknown column(s): who, what."
    )


def test_someone_elses_upload_is_not_found(
    client: FlaskClient, auth: AuthActions, people: list[Person]
) -> None:
    auth.login_as()
    location = upload(client, auth, HEADER).headers["Location"]
    auth.logout()
    auth.login_as(email="other@example.org")
    assert client.get(location).status_code == 404


def test_import_pledges_command(
    runner: FlaskCliRunner, db: Session, people: list[Person], tmp_path: Path
) -> None:
    path = tmp_path / "p.csv"
    path.write_text(HEADER + f"{people[0].id},,pathways-to-support,pledged,,,Yes.,,\n")
    dry = runner.invoke(args=["import-pledges", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "awaiting-response -> pledged" in dry.output and "Dry run: 1 to change" in dry.output
    assert db.exec(select(Pledge)).all() == []
    real = runner.invoke(args=["import-pledges", str(path)])
    assert real.exit_code == 0 and "1 created, 0 updated, 0 unchanged" in real.output
    assert (
        "0 created, 0 updated, 1 unchanged"
        in runner.invoke(args=["import-pledges", str(path)]).output
    )
    path.write_text(HEADER + f"{people[0].id},,nope,pledged,,,Yes.,,\n")
    bad = runner.invoke(args=["import-pledges", str(path)])
    assert bad.exit_code == 1 and "line 2: unknown recommendation 'nope'" in bad.output


def test_tokens_are_shown_once_and_stored_hashed(
    client: FlaskClient, auth: AuthActions, db: Session
) -> None:
    user = auth.login_as()
    response = client.post(
        "/campaign/tokens", data={"name": "sync script", "csrf_token": auth.csrf()}
    )
    secret = soup(response).select_one("#new-token")["value"]
    assert secret.startswith("pt_")
    stored = db.exec(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert secret not in stored.token_hash
    later = client.get("/campaign/tokens").get_data(as_text=True)
    assert secret not in later and stored.prefix in later
    form = soup(client.get("/campaign/tokens")).select_one("form[action$='/revoke']")
    client.post(form["action"], data={"csrf_token": auth.csrf()})
    db.refresh(stored)
    assert stored.revoked_at is not None


def test_admins_manage_accounts(client: FlaskClient, auth: AuthActions, db: Session) -> None:
    other = auth.user("campaigner", "helper@example.org")
    auth.login_as("admin")
    token = auth.csrf()
    client.post(
        f"/campaign/admin/users/{other.id}/role", data={"role": "admin", "csrf_token": token}
    )
    client.post(f"/campaign/admin/users/{other.id}/deactivate", data={"csrf_token": token})
    db.refresh(other)
    assert (other.role, other.is_active) == ("admin", False)
    rows = soup(client.get("/campaign/admin/users")).select("tbody tr")
    assert any("helper@example.org" in r.th.text and "deactivated" in r.text for r in rows)


def test_admins_correct_wording_without_overwriting_each_other(
    client: FlaskClient, auth: AuthActions, db: Session
) -> None:
    auth.login_as("admin")
    url = "/campaign/admin/recommendations/pathways-to-support"
    rec = db.exec(select(Recommendation).where(Recommendation.slug == "pathways-to-support")).one()
    data = {
        "title": rec.title + " (corrected)",
        "summary": rec.summary,
        "body": rec.body,
        "version": str(rec.version),
        "csrf_token": auth.csrf(),
    }
    assert client.post(url, data=data).status_code == 303
    stale = client.post(url, data={**data, "title": "Someone else's words"})
    assert stale.status_code == 409
    db.refresh(rec)
    assert rec.title.endswith("(corrected)") and rec.version == 2
    assert soup(client.get("/recommendations/pathways-to-support")).h1.text == rec.title


def test_campaign_pages_need_an_account(client: FlaskClient) -> None:
    for url in ("/campaign/", "/campaign/uploads", "/campaign/tokens"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
