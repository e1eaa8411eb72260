"""Recording pledges in place: htmx fragments, plain-form fallbacks, errors and conflicts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup, Tag
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select
from werkzeug.test import TestResponse

from tests.conftest import AuthActions, soup
from tests.factories import candidate, fictional_council, pledge_of, record
from tests.sql import FIND_PLEDGE, counted_queries
from tracker.models import Person, PledgeEvent, PledgeStatus, Recommendation, User
from tracker.pledging import PledgeChange, Subject, save_pledge

SLUG = "pathways-to-support"
COLLEAGUE = "colleague@example.org"
GOOD = {
    "status": "pledged",
    "delivery": "not-yet-rated",
    "evidence_url": "https://example.org/s",
    "quote": "We will fund a referral pathway.",
    "evidence_date": "2024-04-20",
    "note": "",
}


@pytest.fixture
def person(db: Session) -> Person:
    made = candidate(db, "Edna Editable", council=fictional_council(db))
    db.commit()
    return made


def out_of_band(response: TestResponse) -> dict[str, Tag]:
    """Return the response's out-of-band swaps by element id.

    Each sits in a <template>, whose content CSS selectors do not enter (as in a browser).
    """
    found = {}
    for template in soup(response).find_all("template"):
        element = BeautifulSoup(template.decode_contents(), "html.parser").find(True)
        assert isinstance(element, Tag) and element["hx-swap-oob"] == "true"
        found[str(element["id"])] = element
    return found


def urls(person: Person, slug: str = SLUG) -> tuple[str, str, str]:
    base = f"/candidates/{person.id}/pledges/{slug}"
    return f"/candidates/{person.id}-{person.slug}", base, base + "/edit"


def test_the_public_sees_no_edit_controls(client: FlaskClient, person: Person) -> None:
    page = soup(client.get(urls(person)[0]))
    assert page.select("a.edit-link") == []
    assert page.body.get("hx-headers") is None


def test_campaigners_get_an_edit_link_per_recommendation(
    client: FlaskClient, auth: AuthActions, person: Person
) -> None:
    auth.login_as()
    links = soup(client.get(urls(person)[0])).select("table.pledges a.edit-link")
    assert [a["href"] for a in links][3] == urls(person)[2]
    assert all(a["hx-target"] == "closest tr" and a["hx-swap"] == "outerHTML" for a in links)


def test_htmx_edit_returns_the_row_form(
    client: FlaskClient, auth: AuthActions, person: Person
) -> None:
    auth.login_as()
    response = client.get(urls(person)[2], headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    row = soup(response).select_one(f"tr#pledge-candidate-{person.id}-{SLUG}")
    form = row.select_one("form.pledge-form")
    assert form["method"] == "post" and form["action"] == urls(person)[1]
    assert form["hx-post"] == urls(person)[1]
    assert form.select_one("input[name=version]")["value"] == "0"
    assert form.select_one("input[name=csrf_token]")["value"]
    for control in form.select("select, input:not([type=hidden]), textarea"):
        assert form.select_one(f"label[for='{control['id']}']") is not None
    assert form.select_one("select[name=status]").has_attr("autofocus")


def test_without_javascript_the_edit_form_is_a_page(
    client: FlaskClient, auth: AuthActions, person: Person
) -> None:
    auth.login_as()
    page = soup(client.get(urls(person)[2]))
    assert page.select_one("html") is not None and page.h1.text == "Edit pledge"
    form = page.select_one("form.pledge-form")
    assert form.get("hx-post") is None and form["action"] == urls(person)[1]


def test_htmx_save_swaps_the_row_and_announces_it(
    client: FlaskClient, auth: AuthActions, person: Person, db: Session
) -> None:
    auth.login_as()
    response = client.post(
        urls(person)[1],
        data={**GOOD, "version": "0"},
        headers={"HX-Request": "true", "X-CSRFToken": auth.csrf()},
    )
    assert response.status_code == 200
    assert "<html" not in response.get_data(as_text=True)
    row = soup(response).select_one("tr.pledge-row")
    assert row.select_one(".status").text == "Pledged"
    assert row.select_one("blockquote").text == GOOD["quote"]
    assert "Saved Edna Editable" in response.headers["HX-Trigger"]
    assert len(db.exec(select(PledgeEvent)).all()) == 1


def test_htmx_save_updates_what_read_the_old_answer_out_of_band(
    client: FlaskClient, auth: AuthActions, person: Person
) -> None:
    auth.login_as()
    before = soup(client.get(urls(person)[0]))
    assert "Edna Editable has not answered yet" in before.select_one("#answer-prompt.ask").text
    assert "answered none of 5 recommendations" in before.select_one("#answer-summary").text
    response = client.post(
        urls(person)[1],
        data={**GOOD, "version": "0"},
        headers={"HX-Request": "true", "X-CSRFToken": auth.csrf()},
    )
    swaps = out_of_band(response)
    expected = "Edna Editable has answered 1 of 5 recommendations: 1 pledged."
    assert swaps["answer-summary"].text.strip() == expected
    assert "badge" in swaps["answer-prompt"]["class"]
    assert "not answered" not in swaps["answer-prompt"].text
    # The swap target comes first: a row after a <section> would be dropped by the parser.
    assert soup(response).find(True).name == "tr"
    after = soup(client.get(urls(person)[0]))  # without JavaScript the reload says the same
    assert after.select_one("#answer-summary").text.strip() == expected
    assert after.select_one("#answer-prompt.badge") is not None


def test_a_save_that_records_no_answer_keeps_the_ask(
    client: FlaskClient, auth: AuthActions, person: Person
) -> None:
    auth.login_as()
    response = client.post(
        urls(person)[1],
        data={
            "status": "awaiting-response",
            "delivery": "not-yet-rated",
            "version": "0",
            "private_note": "Phoned on Monday.",
        },
        headers={"HX-Request": "true", "X-CSRFToken": auth.csrf()},
    )
    assert response.status_code == 200
    swaps = out_of_band(response)
    assert "Edna Editable has not answered yet" in swaps["answer-prompt"].text
    assert "answered none" in swaps["answer-summary"].text


def test_without_javascript_save_redirects_back_with_a_message(
    client: FlaskClient, auth: AuthActions, person: Person
) -> None:
    auth.login_as()
    token = auth.form_token(urls(person)[2])
    response = client.post(urls(person)[1], data={**GOOD, "version": "0", "csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"] == f"{urls(person)[0]}#pledge-candidate-{person.id}-{SLUG}"
    page = soup(client.get(urls(person)[0]))
    assert "Saved Edna Editable" in page.select_one(".flashes").text
    assert page.select("table.pledges .status")[3].text == "Pledged"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"evidence_url": "", "quote": ""},
            "evidence_url",
            "“Pledged” needs evidence: a source link or a quote.",
        ),
        (
            {"evidence_url": "javascript:alert(1)"},
            "evidence_url",
            "Give a web address starting with http:// or https://.",
        ),
        (
            {"evidence_date": (date.today() + timedelta(days=2)).isoformat()},
            "evidence_date",
            "The date cannot be in the future.",
        ),
        (
            {"evidence_date": "20/04/2024"},
            "evidence_date",
            "Give the date as YYYY-MM-DD, for example 2024-05-02.",
        ),
        (
            {"status": "declined", "delivery": "delivered"},
            "delivery",
            "Delivery can only be rated once something was pledged.",
        ),
        ({"status": "maybe"}, "status", "Not a valid choice."),
    ],
)
def test_bad_input_is_explained_beside_the_field(
    client: FlaskClient,
    auth: AuthActions,
    person: Person,
    db: Session,
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    auth.login_as()
    headers = {"HX-Request": "true", "X-CSRFToken": auth.csrf()}
    response = client.post(
        urls(person)[1], data={**GOOD, **changes, "version": "0"}, headers=headers
    )
    assert response.status_code == 422
    control_id = f"pledge-candidate-{person.id}-{SLUG}-{field}"
    page = soup(response)
    assert page.select_one(f"#{control_id}-error").text == message
    assert page.select_one(f"#{control_id}")["aria-invalid"] == "true"
    assert db.exec(select(PledgeEvent)).all() == []


def test_a_stale_edit_is_refused_with_both_versions(
    client: FlaskClient, auth: AuthActions, person: Person, db: Session
) -> None:
    auth.login_as()
    headers = {"HX-Request": "true", "X-CSRFToken": auth.csrf()}
    first = client.post(urls(person)[1], data={**GOOD, "version": "0"}, headers=headers)
    assert first.status_code == 200
    mine = {**GOOD, "status": "declined", "quote": "We will not.", "version": "0"}
    conflict = client.post(urls(person)[1], data=mine, headers=headers)
    assert conflict.status_code == 409
    page = soup(conflict)
    cells = compared(conflict)
    assert cells["Answer"] == ["Pledged", "Declined"]
    assert cells["Quoted text"] == [GOOD["quote"], "We will not."]
    assert differing(conflict) == ["Answer", "Quoted text"]
    assert page.select_one("input[name=version]")["value"] == "1"
    assert page.select_one("textarea[name=quote]").text.strip() == "We will not."
    assert page.select_one(".cancel-link").text == "Keep theirs"
    assert len(db.exec(select(PledgeEvent)).all()) == 1
    choose_mine = client.post(urls(person)[1], data={**mine, "version": "1"}, headers=headers)
    assert choose_mine.status_code == 200
    assert soup(choose_mine).select_one(".status").text == "Declined"
    assert len(db.exec(select(PledgeEvent)).all()) == 2


def compared(response: TestResponse) -> dict[str, list[str]]:
    """Return the conflict table's cells by field label: [saved now, yours]."""
    return {
        str(row.th.find(string=True)).strip(): [td.text.strip() for td in row.select("td")]
        for row in soup(response).select(".conflict table tbody tr")
    }


def differing(response: TestResponse) -> list[str]:
    """Return the labels of the rows the conflict table marks as differing."""
    rows = soup(response).select(".conflict tbody tr.compare--differs")
    assert all(row.select_one(".compare__flag").text == "Differs" for row in rows)
    return [str(row.th.find(string=True)).strip() for row in rows]


def posted(response: TestResponse) -> dict[str, str]:
    """Return what the response's pledge form would post as it stands."""
    form = soup(response).select_one("form.pledge-form")
    data = {str(i["name"]): str(i.get("value", "")) for i in form.select("input[name]")}
    data |= {str(t["name"]): t.text.strip() for t in form.select("textarea")}
    for select_ in form.select("select"):  # as a browser does, the first option by default
        chosen = select_.select_one("option[selected]") or select_.select_one("option")
        data[str(select_["name"])] = str(chosen["value"])
    return data


@pytest.fixture
def colleague_saved(
    client: FlaskClient, auth: AuthActions, person: Person, db: Session
) -> Callable[[User], dict[str, str]]:
    """Open the edit form as `editor`, then have a colleague save a note over it.

    Returns the form as the editor loaded it (version 1, with its digests).
    """

    def loaded_then_saved(editor: User) -> dict[str, str]:
        record(db, pledge_of(db, SLUG, person=person), quote=GOOD["quote"])
        db.commit()
        auth.login(editor.email)
        form = posted(client.get(urls(person)[2], headers={"HX-Request": "true"}))
        rec = db.exec(select(Recommendation).where(Recommendation.slug == SLUG)).one()
        note = PledgeChange(
            PledgeStatus.PLEDGED,
            evidence_url="https://example.org/evidence",
            quote=GOOD["quote"],
            note="Named in the 2025 plan.",
        )
        colleague = db.exec(select(User).where(User.email == COLLEAGUE)).first()
        save_pledge(
            db,
            Subject(person_id=person.id),
            rec.id,
            note,
            expected_version=1,
            actor_id=colleague.id if colleague else auth.user(email=COLLEAGUE).id,
        )
        db.commit()
        return form

    return loaded_then_saved


def test_save_mine_keeps_the_note_i_did_not_touch(
    client: FlaskClient,
    auth: AuthActions,
    person: Person,
    db: Session,
    colleague_saved: Callable[[User], dict[str, str]],
) -> None:
    loaded = colleague_saved(auth.user())
    headers = {"HX-Request": "true", "X-CSRFToken": auth.csrf()}
    mine = {**loaded, "status": "declined", "quote": "We will not."}
    conflict = client.post(urls(person)[1], data=mine, headers=headers)
    assert conflict.status_code == 409
    assert differing(conflict) == ["Answer", "Quoted text"]
    note = compared(conflict)["Public note"]
    assert note[0] == "Named in the 2025 plan."
    assert note[1] == "Named in the 2025 plan. (you did not change this: theirs is kept)"
    again = posted(conflict)
    assert again["note"] == "Named in the 2025 plan." and again["version"] == "2"
    assert client.post(urls(person)[1], data=again, headers=headers).status_code == 200
    saved = pledge_of(db, SLUG, person=person)
    db.refresh(saved)
    assert (saved.status, saved.quote, saved.note) == (
        "declined",
        "We will not.",
        "Named in the 2025 plan.",
    )


def test_save_mine_replaces_the_note_i_rewrote(
    client: FlaskClient,
    auth: AuthActions,
    person: Person,
    db: Session,
    colleague_saved: Callable[[User], dict[str, str]],
) -> None:
    loaded = colleague_saved(auth.user())
    headers = {"HX-Request": "true", "X-CSRFToken": auth.csrf()}
    mine = {**loaded, "note": "Confirmed by phone."}
    conflict = client.post(urls(person)[1], data=mine, headers=headers)
    assert conflict.status_code == 409
    assert differing(conflict) == ["Public note"]
    assert compared(conflict)["Public note"] == ["Named in the 2025 plan.", "Confirmed by phone."]
    again = posted(conflict)
    assert again["note"] == "Confirmed by phone."
    assert client.post(urls(person)[1], data=again, headers=headers).status_code == 200
    saved = pledge_of(db, SLUG, person=person)
    db.refresh(saved)
    assert saved.note == "Confirmed by phone."


@pytest.mark.parametrize(("role", "shows_email"), [("campaigner", False), ("admin", True)])
def test_the_conflict_says_who_saved_and_when_as_history_would(
    client: FlaskClient,
    auth: AuthActions,
    person: Person,
    db: Session,
    colleague_saved: Callable[[User], dict[str, str]],
    role: str,
    shows_email: bool,
) -> None:
    loaded = colleague_saved(auth.user(role))
    headers = {"HX-Request": "true", "X-CSRFToken": auth.csrf()}
    conflict = client.post(urls(person)[1], data={**loaded, "status": "declined"}, headers=headers)
    notice = soup(conflict).select_one(".conflict p strong")
    saved = pledge_of(db, SLUG, person=person)
    db.refresh(saved)
    assert notice.select_one("time")["datetime"] == saved.updated_at.isoformat()
    assert f"{saved.updated_at:%H:%M} UTC on" in notice.text
    assert (COLLEAGUE in notice.text) is shows_email
    assert notice.text.startswith(COLLEAGUE if shows_email else "Another member of the team")
    history = soup(client.get(f"/pledges/{saved.id}/history")).select_one("ol.timeline").text
    assert (COLLEAGUE in history) is shows_email  # the same rule as the history page


def test_the_conflict_says_when_it_was_my_own_other_tab(
    client: FlaskClient, auth: AuthActions, person: Person
) -> None:
    auth.login_as()
    headers = {"HX-Request": "true", "X-CSRFToken": auth.csrf()}
    loaded = posted(client.get(urls(person)[2], headers=headers))
    assert client.post(urls(person)[1], data={**loaded, **GOOD}, headers=headers).status_code == 200
    conflict = client.post(
        urls(person)[1], data={**loaded, **GOOD, "status": "partial"}, headers=headers
    )
    assert conflict.status_code == 409
    assert (
        soup(conflict)
        .select_one(".conflict p strong")
        .text.startswith("You, in another tab or window, saved this pledge")
    )


def test_without_javascript_a_conflict_is_a_409_page(
    client: FlaskClient, auth: AuthActions, person: Person, db: Session
) -> None:
    record(db, pledge_of(db, SLUG, person=person))
    db.commit()
    auth.login_as()
    token = auth.form_token(urls(person)[2])
    response = client.post(urls(person)[1], data={**GOOD, "version": "0", "csrf_token": token})
    assert response.status_code == 409
    assert soup(response).select_one("html") is not None
    notice = soup(response).select_one(".conflict p strong").text
    assert notice.startswith("An import or an automatic update saved this pledge at")


def test_cancel_returns_the_row_or_the_page(
    client: FlaskClient, auth: AuthActions, person: Person
) -> None:
    auth.login_as()
    row = client.get(urls(person)[1], headers={"HX-Request": "true"})
    assert row.status_code == 200 and soup(row).select_one("tr a.edit-link") is not None
    page = client.get(urls(person)[1])
    assert page.status_code == 303 and page.headers["Location"].startswith(urls(person)[0])


def test_authority_pledges_are_edited_the_same_way(
    client: FlaskClient, auth: AuthActions, db: Session
) -> None:
    council = fictional_council(db)
    db.commit()
    auth.login_as()
    response = client.post(
        f"/authorities/{council.slug}/pledges/{SLUG}",
        data={**GOOD, "status": "partial", "version": "0"},
        headers={"HX-Request": "true", "X-CSRFToken": auth.csrf()},
    )
    assert response.status_code == 200
    swaps = out_of_band(response)
    summary = swaps["answer-summary"].text.strip()
    delivered = len(
        soup(client.get(f"/authorities/{council.slug}")).select("table.pledges tbody tr")
    )
    assert (
        summary
        == f"{council.name} has answered 1 of {delivered} recommendations: 1 partly pledged."
    )
    assert "badge" in swaps["answer-prompt"]["class"]
    page = soup(client.get(f"/authorities/{council.slug}"))
    assert page.select("table.pledges .status")[3].text == "Partly pledged"
    assert page.select_one("#answer-summary").text.strip() == summary


@pytest.mark.parametrize(
    "url",
    [
        "/candidates/1/pledges/pathways-to-support/edit",
        "/candidates/{id}/pledges/free-lunch/edit",
        "/authorities/atlantis/pledges/pathways-to-support/edit",
    ],
)
def test_edit_urls_for_unknown_things_are_404(
    client: FlaskClient, auth: AuthActions, person: Person, url: str
) -> None:
    auth.login_as()
    assert client.get(url.format(id=person.id)).status_code == 404


def test_history_lists_changes_and_hides_editors_from_the_public(
    app: Flask, client: FlaskClient, auth: AuthActions, person: Person
) -> None:
    user = auth.login_as()
    headers = {"HX-Request": "true", "X-CSRFToken": auth.csrf()}
    client.post(
        urls(person)[1], data={**GOOD, "status": "partial", "version": "0"}, headers=headers
    )
    client.post(urls(person)[1], data={**GOOD, "version": "1"}, headers=headers)
    link = soup(client.get(urls(person)[0])).select("table.pledges a[href*='/history']")[0]
    public = app.test_client()
    page = soup(public.get(link["href"]))
    items = page.select("ol.timeline li")
    assert len(items) == 2
    assert [s.text for s in items[1].select(".status")] == ["Partly pledged", "Pledged"]
    assert user.email not in page.text
    assert items[0].select_one("a[href='https://example.org/s']") is not None
    mine = soup(client.get(link["href"])).select_one("ol.timeline").text
    assert user.email not in mine  # campaigners neither
    admin = auth.user("admin")
    auth.logout()
    auth.login(admin.email)
    assert user.email in soup(client.get(link["href"])).select_one("ol.timeline").text


def test_a_save_reads_the_pledge_row_once(
    app: Flask, client: FlaskClient, auth: AuthActions, person: Person, db: Session
) -> None:
    """The view finds the pledge for its slot and the workflow saves over that copy."""
    record(db, pledge_of(db, SLUG, person=person))
    db.commit()
    auth.login_as()
    headers = {"HX-Request": "true", "X-CSRFToken": auth.csrf()}
    with counted_queries(app) as statements:
        response = client.post(urls(person)[1], data={**GOOD, "version": "1"}, headers=headers)
    assert response.status_code == 200
    assert soup(response).select_one("tr.pledge-row blockquote").text == GOOD["quote"]
    assert len([s for s in statements if FIND_PLEDGE.search(s)]) == 1
