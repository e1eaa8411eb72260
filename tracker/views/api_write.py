"""Writing pledges through the API: bearer tokens, and If-Match against lost updates.

`PATCH /api/v1/pledges/<id>` changes a pledge only if the client names the version it
read (If-Match: the ETag of GET /api/v1/pledges/<id>); `POST /api/v1/pledges` records a
subject's first answer to a recommendation. Both write through `tracker.pledging`, so
the API obeys exactly the rules the web forms do and every change is logged.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, NoReturn

from flask import Response, abort, request, url_for

from tracker.accounts import user_for_token
from tracker.db import get_session
from tracker.dbtypes import MAX_INTEGER
from tracker.models import Delivery, Person, Pledge, PledgeStatus, Role, User
from tracker.pledging import (
    InvalidPledge,
    PledgeChange,
    StaleEdit,
    Subject,
    find_pledge,
    save_pledge,
)
from tracker.queries.authorities import authority_by_key
from tracker.queries.opendata import pledge_record
from tracker.queries.pledges import recommendation_by_slug
from tracker.serialise import pledge_json
from tracker.text import is_storable
from tracker.views.api import bp, json_response, problem
from tracker.views.links import SiteLinks
from tracker.views.lookups import get_pledge

EDITABLE = ("status", "delivery", "evidence_url", "quote", "date", "note")
SUBJECT = ("recommendation", "person_id", "authority")
API_NAMES = {"evidence_date": "date"}  # the pledging module's names -> the API's
READ_ONLY = ("id", "version", "updated_at", "url", "subject_type", "authority_slug")


class FieldErrors(Exception):
    """The body broke rules; `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@bp.patch("/pledges/<int:pledge_id>", endpoint="update_pledge")
def update_pledge(pledge_id: int) -> Response:
    """Change a pledge, if it is still at the version named in If-Match."""
    user = _token_user()
    session = get_session()
    pledge = get_pledge(pledge_id)
    expected = _if_match(pledge)
    body = _body(allowed=EDITABLE + SUBJECT + READ_ONLY)
    _unchanged_subject(body, pledge)
    try:
        change = _change(body, base=pledge)
        subject = Subject(person_id=pledge.person_id, authority_id=pledge.authority_id)
        save_pledge(
            session,
            subject,
            pledge.recommendation_id,
            change,
            expected_version=expected,
            actor_id=user.id,
            current=pledge,
        )
    except (FieldErrors, InvalidPledge) as invalid:
        return _invalid(invalid.errors)
    except StaleEdit as stale:
        session.rollback()
        return _stale(stale.current)
    session.commit()
    return _pledge(pledge_id)


@bp.post("/pledges", endpoint="create_pledge")
def create_pledge() -> Response:
    """Record a subject's first answer to a recommendation (409 if one exists)."""
    user = _token_user()
    session = get_session()
    body = _body(allowed=EDITABLE + SUBJECT)
    try:
        subject, recommendation_id = _subject(body)
        existing = find_pledge(session, subject, recommendation_id)
        if existing is not None:
            return _exists(existing)
        change = _change(body, base=None)
        pledge, _ = save_pledge(
            session,
            subject,
            recommendation_id,
            change,
            expected_version=0,
            actor_id=user.id,
            current=None,
        )
    except (FieldErrors, InvalidPledge) as invalid:
        return _invalid(invalid.errors)
    except StaleEdit as stale:
        session.rollback()
        return _exists(stale.current)
    if pledge is None:
        return _invalid({"status": "A new pledge needs an answer other than awaiting-response."})
    session.commit()
    response = _pledge(pledge.id)
    response.status_code = 201
    response.headers["Location"] = url_for(".pledge", pledge_id=pledge.id, _external=True)
    return response


def _token_user() -> User:
    """Return the account whose bearer token came with the request, or refuse."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    user = user_for_token(get_session(), secret.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        response = problem(401, "Send a valid API token: Authorization: Bearer <token>.")
        response.headers["WWW-Authenticate"] = 'Bearer realm="pledge-tracker"'
        abort(response)
    if not Role(user.role).allows(Role.CAMPAIGNER):
        _refuse(403, "This token's account cannot change pledges.")
    return user


def _if_match(pledge: Pledge) -> int:
    """Return the version the client read; 428 without If-Match, 412 if it moved on."""
    header = request.headers.get("If-Match")
    if not header:
        _refuse(428, "Send If-Match with the ETag from GET /api/v1/pledges/{id}.")
    # A client that read the pledge gzipped from the page cache holds W/"<version>".
    tag = header.strip().removeprefix("W/").strip('"')
    if not tag.isascii() or not tag.isdigit() or int(tag) != pledge.version:
        abort(_stale(pledge))
    return pledge.version


def _body(*, allowed: tuple[str, ...]) -> Mapping[str, Any]:
    """Return the JSON object sent, refusing other media types and unknown fields."""
    if not request.is_json:
        _refuse(415, "Send the pledge as JSON (Content-Type: application/json).")
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser follows: not a pledge anyway
        body = None
    if not isinstance(body, dict):
        _refuse(400, "The body must be a JSON object.")
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        abort(_invalid(dict.fromkeys(unknown, "Not a field of a pledge you can send.")))
    unstorable = [k for k, v in body.items() if isinstance(v, str) and not is_storable(v)]
    if unstorable:
        message = "Text cannot hold NUL characters or unpaired surrogates."
        abort(_invalid(dict.fromkeys(unstorable, message)))
    return body


def _unchanged_subject(body: Mapping[str, Any], pledge: Pledge) -> None:
    """Refuse attempts to move a pledge to another subject or recommendation."""
    record = pledge_record(get_session(), pledge.id)
    current = {
        "recommendation": record.recommendation.slug if record else None,
        "person_id": pledge.person_id,
        "authority": record.authority.gss_code if record and record.authority else None,
        "id": pledge.id,
        "version": pledge.version,
    }
    moved = {k: "This cannot be changed." for k in current if k in body and body[k] != current[k]}
    if moved:
        abort(_invalid(moved))


def _subject(body: Mapping[str, Any]) -> tuple[Subject, int]:
    """Return whose pledge a new one is, and on which recommendation."""
    errors: dict[str, str] = {}
    slug = body.get("recommendation")
    recommendation = recommendation_by_slug(get_session(), slug) if isinstance(slug, str) else None
    if recommendation is None:
        errors["recommendation"] = "Give a recommendation's slug."
    person_id, authority_key = body.get("person_id"), body.get("authority")
    subject = None
    if (person_id is None) == (authority_key is None):
        errors["person_id"] = "Give either person_id or authority (a GSS code or slug)."
    elif person_id is not None:
        is_id = type(person_id) is int and 0 < person_id <= MAX_INTEGER
        if not is_id or get_session().get(Person, person_id) is None:
            errors["person_id"] = "No candidate has this Democracy Club person id."
        else:
            subject = Subject(person_id=person_id)
    else:
        found = None
        if isinstance(authority_key, str):
            found = authority_by_key(get_session(), authority_key)
        if found is None:
            errors["authority"] = "No authority has this GSS code or slug."
        else:
            subject = Subject(authority_id=found.id)
    if errors or subject is None or recommendation is None:
        raise FieldErrors(errors)
    return subject, recommendation.id


def _change(body: Mapping[str, Any], *, base: Pledge | None) -> PledgeChange:
    """Merge the sent fields over the pledge as it stands (a PATCH), checking each type."""
    current: dict[str, Any] = {
        "status": base.status if base else PledgeStatus.AWAITING.value,
        "delivery": base.delivery if base else Delivery.NOT_YET_RATED.value,
        "evidence_url": base.evidence_url if base else None,
        "quote": base.quote if base else None,
        "date": base.evidence_date.isoformat() if base and base.evidence_date else None,
        "note": base.note if base else None,
    }
    values = {**current, **{k: body[k] for k in EDITABLE if k in body}}
    errors: dict[str, str] = {}
    if values["status"] not in {s.value for s in PledgeStatus}:
        errors["status"] = f"One of: {', '.join(s.value for s in PledgeStatus)}."
    if values["delivery"] not in {d.value for d in Delivery}:
        errors["delivery"] = f"One of: {', '.join(d.value for d in Delivery)}."
    for name in ("evidence_url", "quote", "note", "date"):
        if values[name] is not None and not isinstance(values[name], str):
            errors[name] = "A string, or null."
    said = None
    if isinstance(values["date"], str) and values["date"]:
        try:
            said = date.fromisoformat(values["date"])
        except ValueError:
            errors["date"] = "An ISO 8601 date, such as 2024-05-02."
    if errors:
        raise FieldErrors(errors)
    return PledgeChange(
        status=PledgeStatus(values["status"]),
        delivery=Delivery(values["delivery"]),
        evidence_url=values["evidence_url"] or None,
        quote=values["quote"] or None,
        evidence_date=said,
        note=values["note"] or None,
        private_note=base.private_note if base else None,  # the API never reads or sets it
    )


def _pledge(pledge_id: int) -> Response:
    """Answer with the pledge as saved, and its new version as the ETag."""
    record = pledge_record(get_session(), pledge_id)
    assert record is not None  # noqa: S101 (just saved in this request)  # nosec B101
    response = json_response(pledge_json(record, SiteLinks()), etag=str(record.pledge.version))
    response.cache_control.no_store = True
    response.cache_control.public = False
    response.cache_control.max_age = None
    return response


def _invalid(errors: Mapping[str, str]) -> Response:
    """Answer 422 with a message per field."""
    named = {API_NAMES.get(field, field): message for field, message in errors.items()}
    return problem(422, "Some fields need fixing; see `errors`.", errors=named)


def _stale(current: Pledge) -> Response:
    """Answer 412: someone changed the pledge since the client read it."""
    response = problem(
        412,
        f"This pledge is now at version {current.version}; GET it again, reapply your change "
        "and send the new ETag in If-Match.",
    )
    response.set_etag(str(current.version))
    return response


def _exists(pledge: Pledge) -> Response:
    """Answer 409 pointing at the subject's existing pledge."""
    response = problem(
        409, "This subject already has a pledge on this recommendation; PATCH it instead."
    )
    response.headers["Location"] = url_for(".pledge", pledge_id=pledge.id, _external=True)
    return response


def _refuse(status: int, detail: str) -> NoReturn:
    """Stop with a JSON problem."""
    abort(problem(status, detail))
