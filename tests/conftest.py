"""Shared fixtures: an app on a migrated database, and a rolled-back transaction per test.

Tests run on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import event, text
from sqlmodel import Session, select
from werkzeug.test import TestResponse

from tests.databases import sqlite_once
from tracker import create_app, migrate
from tracker.accounts import create_user
from tracker.auth import THROTTLE
from tracker.db import EXTENSION, Database, build_engine
from tracker.imports.authorities import import_authorities
from tracker.models import Role, User
from tracker.page_cache import PageCache

ROOT = Path(__file__).resolve().parent.parent
# The worker tests' own Redis database, which the `redis` fixture empties: no other test uses 15.
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


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


def prepare_database(url: str) -> None:
    """Empty the database, migrate it and import the real authorities."""
    reset_database(url)
    migrate.upgrade(url)
    database = Database(url)
    with database.session() as session:
        import_authorities(session)
        session.commit()
    database.engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Return the URL of a freshly migrated database holding the real authorities."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        prepare_database(url)
        return url
    path = tmp_path_factory.mktemp("db") / "test.db"
    sqlite_once(path, prepare_database)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """Return the app, configured for tests; its connections close when the run ends."""
    os.environ.setdefault("TRACKER_INSTANCE", str(tmp_path_factory.mktemp("instance")))
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "SESSION_COOKIE_SECURE": False,  # the test client speaks plain HTTP
            # Submitted documents wait as pending sources; tests that read them in the
            # background give the app readers of their own (tests/test_review.py).
            "SUBMITTED_READERS": 0,
        }
    )
    yield app
    app.extensions[EXTENSION].engine.dispose()


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    """Give the test and every request it makes one connection, rolled back afterwards."""
    database: Database = app.extensions[EXTENSION]
    connection = database.engine.connect()
    transaction = connection.begin()
    database.sessions.configure(bind=connection, join_transaction_mode="create_savepoint")
    session = database.session()
    # Production pages change when a commit bumps the data version, which other connections
    # read; the test's writes are never committed, so any session's flush clears the cache.
    cache: PageCache = app.extensions["tracker.page_cache"]
    cache.clear()

    def forget_pages(*_: object) -> None:
        cache.clear()

    event.listen(database.sessions, "after_flush", forget_pages)
    try:
        yield session
    finally:
        event.remove(database.sessions, "after_flush", forget_pages)
        session.close()
        transaction.rollback()
        connection.close()
        database.sessions.configure(
            bind=database.engine, join_transaction_mode="conditional_savepoint"
        )


@pytest.fixture
def client(app: Flask, db: Session) -> FlaskClient:
    """Return a test client whose requests share the test's transaction (and no counts)."""
    forget_failed_sign_ins(app)
    return app.test_client()


@pytest.fixture
def runner(app: Flask, db: Session) -> FlaskCliRunner:
    """Return a CLI runner whose commands share the test's transaction."""
    return app.test_cli_runner()


PASSWORD = "correct horse battery staple"


class AuthActions:
    """Sign in and out through the real forms, as a campaigner's browser would."""

    def __init__(self, client: FlaskClient, db: Session) -> None:
        self.client = client
        self.db = db

    def user(self, role: str = "campaigner", email: str | None = None) -> User:
        """Create an account (committed to the test's savepoint)."""
        email = email or f"{role}-{len(self.db.exec(select(User)).all())}@example.org"
        user = create_user(self.db, email, PASSWORD, Role(role))
        self.db.commit()
        return user

    def login_as(self, role: str = "campaigner", email: str | None = None) -> User:
        """Create an account and sign it in."""
        user = self.user(role, email)
        response = self.login(user.email)
        assert response.status_code == 303, response.get_data(as_text=True)
        return user

    def login(self, email: str, password: str = PASSWORD, **extra: str) -> TestResponse:
        """Post the sign-in form with a valid CSRF token."""
        data = {"email": email, "password": password, "csrf_token": self.form_token("/login")}
        return self.client.post("/login", data={**data, **extra})

    def logout(self) -> TestResponse:
        """Post the sign-out form."""
        return self.client.post("/logout", data={"csrf_token": self.csrf()})

    def form_token(self, url: str) -> str:
        """Return the CSRF token from the first form on a page."""
        page = BeautifulSoup(self.client.get(url).get_data(as_text=True), "html.parser")
        field = page.select_one("input[name=csrf_token]")
        assert field is not None, f"no CSRF field on {url}"
        return str(field["value"])

    def csrf(self) -> str:
        """Return the token htmx sends, from <body hx-headers> of a signed-in page."""
        page = BeautifulSoup(self.client.get("/").get_data(as_text=True), "html.parser")
        body = page.body
        assert body is not None and body.get("hx-headers"), "not signed in"
        return str(json.loads(str(body["hx-headers"]))["X-CSRFToken"])


def soup(response: TestResponse) -> BeautifulSoup:
    """Parse a response's HTML."""
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def forget_failed_sign_ins(app: Flask) -> None:
    """Clear the shared sign-in failure counts, so no test inherits another's delays."""
    app.extensions[THROTTLE].clear_all()


@pytest.fixture
def auth(app: Flask, client: FlaskClient, db: Session) -> AuthActions:
    """Sign in and out of the test client."""
    forget_failed_sign_ins(app)
    return AuthActions(client, db)


@pytest.fixture
def redis() -> Iterator[Redis]:
    """A Redis database of the tests' own, emptied before and after."""
    connection = Redis.from_url(REDIS_URL)
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()


def work_one_job(redis: Redis, queue_name: str) -> None:
    """Check one job waits on the queue, and run it as `tracker worker --burst` would.

    The job must leave the queue without failing, so a test reads only what it committed.
    """
    queue = Queue(queue_name, connection=redis)
    assert queue.count == 1
    SimpleWorker([queue], connection=redis).work(burst=True)
    assert queue.count == 0 and queue.failed_job_registry.count == 0
