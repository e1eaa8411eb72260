"""Shared fixtures: an app on a migrated database, and a rolled-back transaction per test.

Tests run on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import text
from sqlmodel import Session

from tracker import create_app, migrate
from tracker.db import EXTENSION, Database, build_engine
from tracker.imports.authorities import import_authorities

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Refuse every connection that leaves this machine; loopback and Unix sockets are fine."""
    real_connect = socket.socket.connect

    def guarded_connect(sock: socket.socket, address: Any) -> Any:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0]
            if not ipaddress.ip_address(host).is_loopback:
                raise OSError(f"tests may not reach the network (tried {host})")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    yield


def reset_database(url: str) -> None:
    """Empty the test database completely, so every run starts from migration zero."""
    if url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
        return
    engine = build_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Return the URL of a freshly migrated database holding the real authorities."""
    url = os.environ.get("TEST_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    )
    reset_database(url)
    migrate.upgrade(url)
    database = Database(url)
    with database.session() as session:
        import_authorities(session)
        session.commit()
    database.engine.dispose()
    return url


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """Return the app, configured for tests."""
    os.environ.setdefault("TRACKER_INSTANCE", str(tmp_path_factory.mktemp("instance")))
    return create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test"})


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    """Give the test and every request it makes one connection, rolled back afterwards."""
    database: Database = app.extensions[EXTENSION]
    connection = database.engine.connect()
    transaction = connection.begin()
    database.sessions.configure(bind=connection, join_transaction_mode="create_savepoint")
    session = database.session()
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()
        database.sessions.configure(
            bind=database.engine, join_transaction_mode="conservative_savepoint"
        )


@pytest.fixture
def client(app: Flask, db: Session) -> FlaskClient:
    """Return a test client whose requests share the test's transaction."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask, db: Session) -> FlaskCliRunner:
    """Return a CLI runner whose commands share the test's transaction."""
    return app.test_cli_runner()
