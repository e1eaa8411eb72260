"""One lookup-and-authorise helper per resource a URL names (flaskr's `get_post`).

Each returns the row or stops the request with Missing, a 404: pages show their
"couldn't find that page", the API says which thing it could not find. Rows that belong
to an account are found only for that account, so another's answers 404 as well.
"""

from __future__ import annotations

from typing import TypeVar

from flask import abort, redirect, url_for
from werkzeug.exceptions import NotFound

from tracker.auth import current_account
from tracker.db import get_session
from tracker.models import (
    Authority,
    Party,
    Person,
    Pledge,
    PledgeUpload,
    Proposal,
    Recommendation,
    Responsibility,
    User,
)
from tracker.queries.authorities import authority_by_key, authority_by_slug
from tracker.queries.campaign import upload_of
from tracker.queries.parties import party_by_slug
from tracker.queries.pledges import recommendation_by_slug

T = TypeVar("T")


class Missing(NotFound):
    """A 404 that knows what was asked for, so the API can name it."""

    def __init__(self, kind: str, key: object) -> None:
        super().__init__()
        self.detail = f"There is no {kind} “{key}”."


def found(row: T | None, kind: str, key: object) -> T:
    """Return the row, or answer 404 for the `kind` named `key`."""
    if row is None:
        raise Missing(kind, key)
    return row


def get_authority(slug: str) -> Authority:
    """Return the authority whose page this is."""
    return found(authority_by_slug(get_session(), slug), "authority", slug)


def get_authority_page(key: str, endpoint: str) -> Authority:
    """Return the authority whose page this is; send any other name for it to that page.

    Links and old data name councils by GSS code (even a former one, E06000048) or by
    mySociety code (SHF): each is redirected, permanently, to the page's one address.
    """
    authority = found(authority_by_key(get_session(), key), "authority", key)
    if authority.slug != key:
        abort(redirect(url_for(endpoint, slug=authority.slug), 301))
    return authority


def get_person(person_id: int) -> Person:
    """Return the candidate with this Democracy Club person id."""
    return found(get_session().get(Person, person_id), "candidate", person_id)


def get_party(slug: str) -> Party:
    """Return the party with this slug."""
    return found(party_by_slug(get_session(), slug), "party", slug)


def get_recommendation(slug: str) -> Recommendation:
    """Return the recommendation with this slug."""
    return found(recommendation_by_slug(get_session(), slug), "recommendation", slug)


def get_pledge(pledge_id: int) -> Pledge:
    """Return the pledge with this id."""
    return found(get_session().get(Pledge, pledge_id), "pledge", pledge_id)


def get_proposal(proposal_id: int) -> Proposal:
    """Return the passage proposed for review with this id."""
    return found(get_session().get(Proposal, proposal_id), "passage", proposal_id)


def get_user(user_id: int) -> User:
    """Return the account with this id (for admins' pages)."""
    return found(get_session().get(User, user_id), "account", user_id)


def get_responsibility(cell_id: int) -> Responsibility:
    """Return one cell of the responsibility table."""
    return found(get_session().get(Responsibility, cell_id), "responsibility", cell_id)


def get_upload(upload_id: int) -> PledgeUpload:
    """Return one of the signed-in account's own uploads; others' are not found."""
    stored = upload_of(get_session(), upload_id, current_account().id)
    return found(stored, "upload", upload_id)
