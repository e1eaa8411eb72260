"""Signing in and out: sessions, throttling, safe redirects and the account commands."""

from __future__ import annotations

import time

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlmodel import Session, select
from werkzeug.test import TestResponse

from tests.conftest import PASSWORD, AuthActions, soup
from tracker.accounts import user_for_token
from tracker.models import ApiToken, User


def test_sign_in_starts_a_session_and_lands_on_the_dashboard(
    client: FlaskClient, auth: AuthActions
) -> None:
    user = auth.user()
    response = auth.login(user.email)
    assert response.status_code == 303
    assert response.headers["Location"] == "/campaign/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = soup(client.get("/campaign/"))
    assert page.h1.text == "Campaign dashboard"
    assert "X-CSRFToken" in page.body["hx-headers"]


def test_passwords_are_hashed_with_scrypt(auth: AuthActions) -> None:
    user = auth.user()
    assert user.password_hash.startswith("scrypt:")
    assert PASSWORD not in user.password_hash


@pytest.mark.parametrize("email", ["campaigner-0@example.org", "nobody@example.org"])
def test_wrong_credentials_are_refused_with_the_same_message(auth: AuthActions, email: str) -> None:
    auth.user()
    response = auth.login(email, "wrong password entirely")
    assert response.status_code == 401
    error = soup(response).select_one("#password-error")
    assert error.text == "That email address and password do not match an account."
    assert soup(response).select_one("#password")["aria-invalid"] == "true"


@pytest.mark.parametrize(
    ("target", "landing"),
    [
        ("/authorities/sheffield", "/authorities/sheffield"),
        ("/candidates/?q=a%20b", "/candidates/?q=a%20b"),
        ("https://evil.example/", "/campaign/"),
        ("//evil.example/", "/campaign/"),
        ("/\\evil.example", "/campaign/"),
        ("javascript:alert(1)", "/campaign/"),
        ("/%0d%0aSet-Cookie:x", "/%0d%0aSet-Cookie:x"),
    ],
)
def test_next_only_leads_back_into_the_site(auth: AuthActions, target: str, landing: str) -> None:
    user = auth.user()
    response = auth.login(user.email, next=target)
    assert response.headers["Location"] == landing


def test_sign_out_ends_every_copy_of_the_session(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login_as()
    stolen = client.get_cookie("session")
    assert stolen is not None
    assert auth.logout().status_code == 303
    assert client.get("/campaign/").status_code == 302
    other = app.test_client()
    other.set_cookie("session", stolen.value)
    response = other.get("/campaign/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_sign_out_needs_a_post(client: FlaskClient, auth: AuthActions) -> None:
    auth.login_as()
    assert client.get("/logout").status_code == 405


def test_an_idle_session_expires_after_30_minutes(client: FlaskClient, auth: AuthActions) -> None:
    auth.login_as()
    assert client.get("/campaign/").status_code == 200
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - 31 * 60
    response = client.get("/campaign/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_deactivated_accounts_cannot_sign_in(
    client: FlaskClient, auth: AuthActions, runner: FlaskCliRunner
) -> None:
    user = auth.login_as()
    result = runner.invoke(args=["deactivate-user", user.email])
    assert result.exit_code == 0, result.output
    assert client.get("/campaign/").status_code == 302
    assert auth.login(user.email).status_code == 401


def sign_in_from(auth: AuthActions, address: str, email: str, password: str) -> TestResponse:
    """Post the sign-in form as a client at `address` would."""
    data = {"email": email, "password": password, "csrf_token": auth.form_token("/login")}
    return auth.client.post("/login", data=data, environ_base={"REMOTE_ADDR": address})


def test_failed_sign_ins_slow_one_address_down_at_one_account(auth: AuthActions) -> None:
    user = auth.user()
    wrong = [sign_in_from(auth, "192.0.2.1", user.email, "not the password") for _ in range(3)]
    assert [r.status_code for r in wrong] == [401] * 3
    refused = sign_in_from(auth, "192.0.2.1", user.email, PASSWORD)  # waits, even if right
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    assert "Too many failed attempts to sign in from here" in soup(refused).select_one("main").text
    # The campaigner's own address is not delayed by a stranger's failures.
    assert sign_in_from(auth, "198.51.100.7", user.email, PASSWORD).status_code == 303
    time.sleep(1.1)
    assert sign_in_from(auth, "192.0.2.1", user.email, "still wrong").status_code == 401
    doubled = sign_in_from(auth, "192.0.2.1", user.email, PASSWORD)
    assert doubled.status_code == 429 and doubled.headers["Retry-After"] == "2"


def test_a_flood_from_one_address_gets_429(
    app: Flask, auth: AuthActions, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_ADDRESS", "4 per 15 minutes")
    answers = [
        sign_in_from(auth, "192.0.2.2", f"guess{i}@example.org", "not the password")
        for i in range(5)
    ]
    assert [r.status_code for r in answers] == [401, 401, 401, 401, 429]
    assert 890 <= int(answers[-1].headers["Retry-After"]) <= 900


def test_a_flood_at_one_account_gets_429_from_anywhere(
    app: Flask, auth: AuthActions, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_ACCOUNT", "3 per hour")
    user = auth.user()
    for n in range(3):
        assert sign_in_from(auth, f"192.0.2.{10 + n}", user.email, "wrong").status_code == 401
    assert sign_in_from(auth, "192.0.2.99", user.email, PASSWORD).status_code == 429


def test_successful_sign_ins_do_not_count(auth: AuthActions) -> None:
    user = auth.user()
    answers = [sign_in_from(auth, "192.0.2.3", user.email, PASSWORD) for _ in range(5)]
    assert [r.status_code for r in answers] == [303] * 5


def test_a_success_forgets_the_addresss_failures(auth: AuthActions) -> None:
    user = auth.user()
    for _ in range(2):
        assert sign_in_from(auth, "192.0.2.4", user.email, "wrong").status_code == 401
    assert sign_in_from(auth, "192.0.2.4", user.email, PASSWORD).status_code == 303
    for _ in range(2):  # two more are free again: the delay starts after three in a row
        assert sign_in_from(auth, "192.0.2.4", user.email, "wrong").status_code == 401
    assert sign_in_from(auth, "192.0.2.4", user.email, PASSWORD).status_code == 303


def test_signed_in_pages_are_never_stored(client: FlaskClient, auth: AuthActions) -> None:
    public = client.get("/recommendations/")
    assert "no-store" not in public.headers.get("Cache-Control", "")
    auth.login_as()
    for url in ("/campaign/", "/campaign/tokens", "/recommendations/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url


def test_create_user_reads_the_password_from_stdin(runner: FlaskCliRunner, db: Session) -> None:
    result = runner.invoke(
        args=["create-user", "New@Example.org", "--role", "admin", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created admin account new@example.org." in result.output
    user = db.exec(select(User).where(User.email == "new@example.org")).one()
    assert user.role == "admin"


def test_create_user_prompts_twice_and_never_takes_argv(runner: FlaskCliRunner) -> None:
    prompted = runner.invoke(
        args=["create-user", "p@example.org", "--role", "campaigner"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert prompted.exit_code == 0, prompted.output
    refused = runner.invoke(
        args=["create-user", "q@example.org", "--role", "campaigner", "--password", PASSWORD]
    )
    assert refused.exit_code == 2 and "No such option" in refused.output


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ["create-user", "short@example.org", "--role", "campaigner", "--password-stdin"],
            "short\n",
            "Passwords need at least 12 characters.",
        ),
        (
            ["create-user", "not-an-email", "--role", "campaigner", "--password-stdin"],
            PASSWORD + "\n",
            "is not an email address",
        ),
        (
            ["create-user", "x@example.org", "--role", "overlord", "--password-stdin"],
            PASSWORD + "\n",
            "Invalid value for '--role'",
        ),
        (["set-role", "ghost@example.org", "admin"], "", "There is no account for"),
    ],
)
def test_account_commands_explain_refusals(
    runner: FlaskCliRunner, args: list[str], stdin: str, message: str
) -> None:
    result = runner.invoke(args=args, input=stdin)
    assert result.exit_code != 0
    assert message in result.output


def test_set_role_and_create_token(runner: FlaskCliRunner, auth: AuthActions, db: Session) -> None:
    user = auth.user()
    assert runner.invoke(args=["set-role", user.email, "admin"]).exit_code == 0
    db.refresh(user)
    assert user.role == "admin"
    result = runner.invoke(args=["create-token", user.email, "--name", "sync"])
    secret = result.output.strip()
    assert result.exit_code == 0 and secret.startswith("pt_")
    stored = db.exec(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert secret not in (stored.token_hash, stored.prefix) and stored.name == "sync"
    assert user_for_token(db, secret) == user
    assert user_for_token(db, secret + "x") is None
