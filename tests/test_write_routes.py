"""Every route that changes state refuses the public and the wrong roles, and checks CSRF."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from tests.conftest import AuthActions
from tests.factories import candidate, fictional_council
from tracker.models import PledgeEvent

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Signing in is how the public becomes a campaigner; a pledge link is its own credential.
PUBLIC_WRITES = {"auth.login", "answer.page"}
ADMIN_PREFIX = "/campaign/admin/"


def write_routes(app: Flask) -> list[tuple[str, str, str]]:
    """Return (endpoint, method, URL) for every state-changing route, with sample arguments."""
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) & WRITE_METHODS):
            if rule.endpoint in PUBLIC_WRITES:
                continue
            url = re.sub(r"<int:[^>]+>", "1", rule.rule)
            url = re.sub(r"<[^>]+>", "sheffield", url)
            found.append((rule.endpoint, method, url))
    return found


def test_the_matrix_covers_the_write_routes(app: Flask) -> None:
    endpoints = {endpoint for endpoint, _, _ in write_routes(app)}
    assert {
        "pledges.save_candidate",
        "pledges.save_authority",
        "auth.logout",
        "campaign.upload",
        "campaign.apply",
        "campaign.tokens",
        "campaign.revoke",
        "admin.change_role",
        "admin.deactivate",
        "admin.reword",
    } <= endpoints


def test_the_public_is_sent_to_sign_in_or_refused(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    token = auth.form_token("/login")  # a valid token, so only the missing account matters
    for endpoint, method, url in write_routes(app):
        response = client.open(
            url, method=method, data={"csrf_token": token}, headers={"X-CSRFToken": token}
        )
        if url.startswith("/api/"):
            assert response.status_code == 401, (endpoint, response.status_code)
        else:
            assert response.status_code == 302, (endpoint, response.status_code)
            assert response.headers["Location"].startswith("/login?next="), endpoint


def test_campaigners_are_refused_admin_routes(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login_as("campaigner")
    token = auth.csrf()
    admin_routes = [r for r in write_routes(app) if r[2].startswith(ADMIN_PREFIX)]
    assert admin_routes
    for endpoint, method, url in admin_routes:
        response = client.open(
            url, method=method, data={"csrf_token": token}, headers={"X-CSRFToken": token}
        )
        assert response.status_code == 403, endpoint
    for url in ("/campaign/admin/users", "/campaign/admin/recommendations/pathways-to-support"):
        assert client.get(url).status_code == 403


def test_admins_reach_admin_routes(client: FlaskClient, auth: AuthActions) -> None:
    auth.login_as("admin")
    assert client.get("/campaign/admin/users").status_code == 200


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(
    client: FlaskClient, auth: AuthActions, db: Session
) -> None:
    person = candidate(db, "Cassie Csrf", council=fictional_council(db))
    db.commit()
    auth.login_as()
    url = f"/candidates/{person.id}/pledges/pathways-to-support"
    data = {"status": "pledged", "delivery": "not-yet-rated", "quote": "Yes.", "version": "0"}
    for headers in ({}, {"X-CSRFToken": "forged"}, {"HX-Request": "true"}):
        response = client.post(url, data=data, headers=headers)
        assert response.status_code == 400
        assert "did not come from this site" in response.get_data(as_text=True)
    assert db.exec(select(PledgeEvent)).all() == []


@pytest.mark.parametrize("url", ["/logout", "/campaign/tokens"])
def test_csrf_applies_to_every_form(client: FlaskClient, auth: AuthActions, url: str) -> None:
    auth.login_as()
    assert client.post(url, data={"name": "x"}).status_code == 400
