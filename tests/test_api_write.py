"""The write API: bearer tokens, If-Match, per-field errors, all as documented."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from sqlmodel import Session, select
from werkzeug.test import TestResponse

from tests.conftest import AuthActions
from tests.factories import candidate, fictional_council, pledge_of, record
from tracker.accounts import create_token, deactivate_user
from tracker.models import Person, PledgeEvent, User
from tracker.openapi import openapi_document

DOCUMENT = openapi_document("http://localhost/api/v1")
# The app reads only a letter from ENSWK and eight digits as a GSS code, so a lookup by code
# needs the fictional council to carry one: E99 is ONS's pseudo-code range, used by no body.
GSS_SHAPED = "E99999901"


def check(response: TestResponse, path: str, method: str, status: int) -> Any:
    """Assert the status and that the body matches what the document promises for it."""
    assert response.status_code == status, response.get_data(as_text=True)
    documented = DOCUMENT["paths"][path][method]["responses"][str(status)]["content"]
    assert list(documented) == [response.mimetype]
    schema = {**documented[response.mimetype]["schema"], "components": DOCUMENT["components"]}
    body = response.get_json()
    Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(body)
    return body


@pytest.fixture
def user(auth: AuthActions) -> User:
    return auth.user()


@pytest.fixture
def token(db: Session, user: User) -> str:
    _, secret = create_token(db, user, "tests")
    db.commit()
    return secret


@pytest.fixture
def person(db: Session) -> Person:
    made = candidate(db, "Api Andrews", council=fictional_council(db))
    db.commit()
    return made


def bearer(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **extra}


def test_post_creates_a_pledge_and_patch_changes_it(
    client: FlaskClient, db: Session, token: str, user: User, person: Person
) -> None:
    created = client.post(
        "/api/v1/pledges",
        headers=bearer(token),
        json={
            "recommendation": "pathways-to-support",
            "person_id": person.id,
            "status": "partial",
            "quote": "We will look at referral routes.",
            "date": "2024-04-10",
        },
    )
    body = check(created, "/pledges", "post", 201)
    assert created.headers["Location"] == f"http://localhost/api/v1/pledges/{body['id']}"
    assert created.headers["ETag"] == '"1"'
    assert (body["status"], body["version"], body["date"]) == ("partial", 1, "2024-04-10")
    url = f"/api/v1/pledges/{body['id']}"
    etag = client.get(url).headers["ETag"]
    changed = client.patch(
        url,
        headers=bearer(token, **{"If-Match": etag}),
        json={"status": "pledged", "evidence_url": "https://example.org/p"},
    )
    body = check(changed, "/pledges/{pledge_id}", "patch", 200)
    assert (body["status"], body["quote"], body["version"]) == (
        "pledged",
        "We will look at referral routes.",
        2,
    )
    assert changed.headers["ETag"] == '"2"'
    events = db.exec(select(PledgeEvent).where(PledgeEvent.pledge_id == body["id"])).all()
    assert [(e.to_status, e.actor_id) for e in events] == [
        ("partial", user.id),
        ("pledged", user.id),
    ]


def test_a_pledge_read_gzipped_can_be_changed_with_its_etag(
    client: FlaskClient, db: Session, token: str, person: Person
) -> None:
    long_quote = "We will fund the partnership's coordinator, in full. " * 40  # over 1 KB
    created = client.post(
        "/api/v1/pledges",
        headers=bearer(token),
        json={
            "recommendation": "pathways-to-support",
            "person_id": person.id,
            "status": "pledged",
            "quote": long_quote,
        },
    )
    url = created.headers["Location"]
    gzip_please = {"Accept-Encoding": "gzip"}
    client.get(url, headers=gzip_please)  # drawn and kept
    read = client.get(url, headers=gzip_please)  # sent from the cache, gzipped
    assert read.headers["Content-Encoding"] == "gzip" and read.headers["ETag"] == 'W/"1"'
    changed = client.patch(
        url, headers=bearer(token, **{"If-Match": read.headers["ETag"]}), json={"note": "ok"}
    )
    assert changed.status_code == 200 and changed.json["version"] == 2
    stale = client.patch(
        url, headers=bearer(token, **{"If-Match": read.headers["ETag"]}), json={"note": "no"}
    )
    assert stale.status_code == 412


def test_authorities_are_named_by_gss_code(client: FlaskClient, db: Session, token: str) -> None:
    council = fictional_council(db)
    council.gss_code = GSS_SHAPED
    db.commit()
    created = client.post(
        "/api/v1/pledges",
        headers=bearer(token),
        json={
            "recommendation": "listen-to-lived-experience",
            "authority": GSS_SHAPED,
            "status": "declined",
            "quote": "Not this year.",
        },
    )
    assert check(created, "/pledges", "post", 201)["authority"] == GSS_SHAPED


def test_posting_twice_is_a_conflict(client: FlaskClient, token: str, person: Person) -> None:
    first = {
        "recommendation": "pathways-to-support",
        "person_id": person.id,
        "status": "pledged",
        "quote": "Yes.",
    }
    created = client.post("/api/v1/pledges", headers=bearer(token), json=first)
    again = client.post("/api/v1/pledges", headers=bearer(token), json=first)
    check(again, "/pledges", "post", 409)
    assert again.headers["Location"] == created.headers["Location"]


def test_patch_needs_if_match_and_refuses_stale_versions(
    client: FlaskClient, db: Session, token: str, person: Person
) -> None:
    pledge = record(db, pledge_of(db, "pathways-to-support", person=person))
    db.commit()
    url = f"/api/v1/pledges/{pledge.id}"
    check(
        client.patch(url, headers=bearer(token), json={"status": "declined"}),
        "/pledges/{pledge_id}",
        "patch",
        428,
    )
    first = client.patch(
        url, headers=bearer(token, **{"If-Match": '"1"'}), json={"note": "first editor"}
    )
    check(first, "/pledges/{pledge_id}", "patch", 200)
    late = client.patch(
        url, headers=bearer(token, **{"If-Match": '"1"'}), json={"note": "second editor"}
    )
    check(late, "/pledges/{pledge_id}", "patch", 412)
    assert late.headers["ETag"] == '"2"'
    db.refresh(pledge)
    assert pledge.note == "first editor"
    assert len(db.exec(select(PledgeEvent).where(PledgeEvent.pledge_id == pledge.id)).all()) == 2


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"status": "maybe"}, {"status": "One of: awaiting-response, pledged, partial, declined."}),
        (
            {"status": "pledged", "quote": None, "evidence_url": None},
            {"evidence_url": "“Pledged” needs evidence: a source link or a quote."},
        ),
        (
            {"evidence_url": "javascript:alert(1)"},
            {"evidence_url": "Give a web address starting with http:// or https://."},
        ),
        ({"date": "2999-01-01"}, {"date": "The date cannot be in the future."}),
        ({"date": "yesterday"}, {"date": "An ISO 8601 date, such as 2024-05-02."}),
        ({"quote": 42}, {"quote": "A string, or null."}),
        ({"person_id": 1}, {"person_id": "This cannot be changed."}),
        ({"colour": "red"}, {"colour": "Not a field of a pledge you can send."}),
    ],
)
def test_bad_fields_get_422_with_a_message_each(
    client: FlaskClient,
    db: Session,
    token: str,
    person: Person,
    body: dict[str, Any],
    errors: dict[str, str],
) -> None:
    pledge = record(db, pledge_of(db, "pathways-to-support", person=person))
    db.commit()
    response = client.patch(
        f"/api/v1/pledges/{pledge.id}", json=body, headers=bearer(token, **{"If-Match": '"1"'})
    )
    assert check(response, "/pledges/{pledge_id}", "patch", 422)["errors"] == errors
    db.refresh(pledge)
    assert pledge.version == 1


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"recommendation": "free-lunch", "person_id": 1, "status": "pledged", "quote": "x"},
            {
                "recommendation": "Give a recommendation's slug.",
                "person_id": "No candidate has this Democracy Club person id.",
            },
        ),
        (
            {"recommendation": "pathways-to-support", "status": "pledged", "quote": "x"},
            {"person_id": "Give either person_id or authority (a GSS code or slug)."},
        ),
        (
            {
                "recommendation": "pathways-to-support",
                "authority": "X99999999",
                "status": "pledged",
                "quote": "x",
            },
            {"authority": "No authority has this GSS code or slug."},
        ),
    ],
)
def test_new_pledges_must_name_a_real_subject_and_recommendation(
    client: FlaskClient, token: str, body: dict[str, Any], errors: dict[str, str]
) -> None:
    response = client.post("/api/v1/pledges", headers=bearer(token), json=body)
    assert check(response, "/pledges", "post", 422)["errors"] == errors


def test_tokens_are_required_and_must_be_live(
    client: FlaskClient, db: Session, token: str, user: User, person: Person
) -> None:
    body = {
        "recommendation": "pathways-to-support",
        "person_id": person.id,
        "status": "pledged",
        "quote": "x",
    }
    for headers in (
        {},
        {"Authorization": "Bearer pt_not-a-token"},
        {"Authorization": f"Basic {token}"},
    ):
        response = client.post("/api/v1/pledges", headers=headers, json=body)
        check(response, "/pledges", "post", 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    deactivate_user(db, user)
    db.commit()
    check(client.post("/api/v1/pledges", headers=bearer(token), json=body), "/pledges", "post", 401)


def test_the_body_must_be_json(client: FlaskClient, token: str) -> None:
    response = client.post("/api/v1/pledges", headers=bearer(token), data="status=pledged")
    check(response, "/pledges", "post", 415)


def test_session_cookies_do_not_authorise_the_api(
    client: FlaskClient, auth: AuthActions, person: Person
) -> None:
    auth.login_as()
    response = client.post(
        "/api/v1/pledges",
        headers={"X-CSRFToken": auth.csrf()},
        json={
            "recommendation": "pathways-to-support",
            "person_id": person.id,
            "status": "pledged",
            "quote": "x",
        },
    )
    check(response, "/pledges", "post", 401)
