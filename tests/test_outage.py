"""When PostgreSQL goes away the site answers 503 and logs it; it recovers when it returns.

A real PostgreSQL sits behind a TCP proxy the test cuts, so the failure is a real one
(connections dropped mid-life, new ones refused), without stopping the shared server.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy.engine import make_url

from tests.databases import POSTGRES
from tests.tcp_proxy import Proxy
from tracker import create_app, migrate


@pytest.fixture
def proxied_app(database_url: str) -> Iterator[tuple[Flask, Proxy]]:
    """An app whose PostgreSQL connections all pass through a proxy we control."""
    url = make_url(database_url if database_url.startswith("postgresql") else POSTGRES)
    if not database_url.startswith("postgresql"):
        migrate.upgrade(url.render_as_string(hide_password=False))
    with Proxy((url.host or "127.0.0.1", url.port or 5432)) as proxy:
        through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        app = create_app(
            {
                "TESTING": True,
                "DATABASE_URL": through,
                "SECRET_KEY": "t",
                "SESSION_COOKIE_SECURE": False,
            }
        )
        yield app, proxy
        app.extensions["tracker.db"].engine.dispose()


def test_a_vanished_database_gives_503_then_recovers(
    proxied_app: tuple[Flask, Proxy], caplog: pytest.LogCaptureFixture
) -> None:
    app, proxy = proxied_app
    client = app.test_client()
    assert client.get("/recommendations/").status_code == 200
    proxy.cut()
    with caplog.at_level(logging.ERROR, logger="tracker"):
        page = client.get("/recommendations/")
        api = client.get("/api/v1/recommendations")
    assert page.status_code == 503 and page.headers["Retry-After"] == "30"
    text = page.get_data(as_text=True)
    assert "cannot reach its database" in text and "Traceback" not in text
    assert "psycopg" not in text and "OperationalError" not in text
    assert api.status_code == 503 and api.mimetype == "application/problem+json"
    assert any("database unavailable" in r.getMessage() for r in caplog.records)
    assert not any(r.exc_info for r in caplog.records if r.name.startswith("tracker"))
    proxy.restore()
    assert client.get("/recommendations/").status_code == 200
    assert client.get("/api/v1/recommendations").status_code == 200
