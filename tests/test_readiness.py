"""`/readyz` follows the real database; `/healthz` never does.

On PostgreSQL the database is a throwaway one, really dropped and recreated; on SQLite
the file is overwritten with junk (root can read a file whatever its mode) and put back.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.databases import fresh_database
from tracker import create_app, migrate
from tracker.db import EXTENSION
from tracker.views.health import expected_revision


@pytest.fixture(params=["sqlite", "postgresql"])
def backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    for url in fresh_database(request.param, "readyz_check", tmp_path):
        migrate.upgrade(url)
        yield request.param, url


def site(url: str) -> Flask:
    return create_app({"DATABASE_URL": url, "SECRET_KEY": "test", "TESTING": True})


def stop(backend: str, url: str) -> bytes:
    """Make the database unusable; return what is needed to bring it back."""
    if backend == "sqlite":
        path = Path(make_url(url).database or "")
        saved = path.read_bytes()
        path.write_bytes(b"this is not a database" * 512)
        return saved
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text('DROP DATABASE "readyz_check" WITH (FORCE)'))
    admin.dispose()
    return b""


def start(backend: str, url: str, saved: bytes) -> None:
    """Bring the database back as it was."""
    if backend == "sqlite":
        Path(make_url(url).database or "").write_bytes(saved)
        return
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text('CREATE DATABASE "readyz_check"'))
    admin.dispose()
    migrate.upgrade(url)


def test_readyz_is_503_while_the_database_is_down(backend_url: tuple[str, str]) -> None:
    backend, url = backend_url
    app = site(url)
    client = app.test_client()
    up = client.get("/readyz")
    assert (up.status_code, up.text) == (200, f"ready: database at {expected_revision()}\n")
    saved = stop(backend, url)
    try:
        down = client.get("/readyz")
        assert down.status_code == 503 and down.headers["Retry-After"] == "10"
        assert down.text.startswith("not ready: the database cannot be read (")
        assert (client.get("/healthz").status_code, client.get("/healthz").text) == (200, "ok\n")
    finally:
        start(backend, url, saved)
    app.extensions[EXTENSION].engine.dispose()
    back = site(url)
    assert back.test_client().get("/readyz").status_code == 200
    back.extensions[EXTENSION].engine.dispose()


def test_readyz_is_503_until_the_schema_is_upgraded(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'behind.db'}"
    migrate.upgrade(url, "0006")
    app = site(url)
    behind = app.test_client().get("/readyz")
    assert behind.status_code == 503
    assert behind.text == (
        f"not ready: the database is at 0006, this code needs {expected_revision()}: "
        "run `tracker db upgrade`\n"
    )
    migrate.upgrade(url)
    assert app.test_client().get("/readyz").status_code == 200
    app.extensions[EXTENSION].engine.dispose()
