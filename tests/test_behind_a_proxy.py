"""Behind a real reverse proxy, each client is itself: throttling sees real addresses.

The app runs in a real server behind a real forwarding proxy on loopback, configured to
trust one hop (TRUSTED_PROXIES=1). Clients connect from distinct loopback addresses, so
the proxy forwards distinct X-Forwarded-For values, exactly as it would in production.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from bs4 import BeautifulSoup
from flask import Flask

from tests.conftest import PASSWORD, forget_failed_sign_ins
from tests.databases import fresh_database, suite_backend
from tests.reverse_proxy import client_at, reverse_proxy, serve_app
from tracker import create_app, migrate
from tracker.accounts import create_user
from tracker.db import EXTENSION, get_session
from tracker.models import Role

EMAIL = "proxied-campaigner@example.org"


def make_app(database_url: str) -> Flask:
    """One worker of the deployment: same database, same instance folder."""
    return create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "SESSION_COOKIE_SECURE": False,
            "TRUSTED_PROXIES": 1,
        }
    )


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A migrated scratch database holding one campaigner."""
    for url in fresh_database(suite_backend(), "behind_proxy", tmp_path):
        migrate.upgrade(url)
        app = make_app(url)
        with app.app_context():
            create_user(get_session(), EMAIL, PASSWORD, Role.CAMPAIGNER)
            get_session().commit()
        forget_failed_sign_ins(app)
        app.extensions[EXTENSION].engine.dispose()
        yield url


@pytest.fixture
def proxied(database_url: str) -> Iterator[tuple[Flask, str]]:
    """Yield the app and the proxy's base URL."""
    app = make_app(database_url)
    with serve_app(app) as app_port, reverse_proxy(app_port) as proxy_port:
        yield app, f"http://127.0.0.1:{proxy_port}"
    forget_failed_sign_ins(app)
    app.extensions[EXTENSION].engine.dispose()


def sign_in(client: requests.Session, base: str, password: str, **headers: str) -> int:
    """Sign in through the proxy with the form's CSRF token; return the status."""
    page = BeautifulSoup(client.get(f"{base}/login", timeout=10).text, "html.parser")
    field = page.select_one("input[name=csrf_token]")
    assert field is not None
    data = {"email": EMAIL, "password": password, "csrf_token": str(field["value"])}
    answer = client.post(
        f"{base}/login", data=data, headers=headers, allow_redirects=False, timeout=10
    )
    return answer.status_code


def test_strangers_failures_do_not_lock_a_campaigner_out(proxied: tuple[Flask, str]) -> None:
    _, base = proxied
    strangers = [sign_in(client_at(f"127.0.0.{10 + n}"), base, "wrong guess") for n in range(25)]
    assert strangers == [401] * 25
    assert sign_in(client_at("127.0.0.200"), base, PASSWORD) == 303


def test_a_client_cannot_pose_as_others_by_sending_x_forwarded_for(
    proxied: tuple[Flask, str],
) -> None:
    _, base = proxied
    client = client_at("127.0.0.77")
    spoofed = [
        sign_in(client, base, "wrong guess", **{"X-Forwarded-For": f"203.0.113.{n}"})
        for n in range(4)
    ]
    # Three failures are free; the fourth try waits, whatever the client claims to be.
    assert spoofed == [401, 401, 401, 429]
    assert sign_in(client_at("127.0.0.78"), base, PASSWORD) == 303


def test_two_workers_share_the_failure_counts(database_url: str) -> None:
    one, two = make_app(database_url), make_app(database_url)
    with (
        serve_app(one) as port_one,
        serve_app(two) as port_two,
        reverse_proxy(port_one) as proxy_one,
        reverse_proxy(port_two) as proxy_two,
    ):
        client = client_at("127.0.0.90")
        first, second = f"http://127.0.0.1:{proxy_one}", f"http://127.0.0.1:{proxy_two}"
        answers = [sign_in(client, base, "wrong") for base in (first, second, first)]
        assert answers == [401, 401, 401]
        # Each worker saw at most two failures itself; together they saw three.
        assert sign_in(client, second, PASSWORD) == 429
    for app in (one, two):
        app.extensions[EXTENSION].engine.dispose()
