"""The database engine and one session per request or CLI command."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

EXTENSION = "tracker.db"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Whether the current request or command means to write. SQLite then takes the write lock
# when the transaction begins (BEGIN IMMEDIATE): a transaction that reads first and writes
# later would otherwise fail with "database is locked" if another writer committed between.
_write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)


@contextmanager
def write_intent() -> Iterator[None]:
    """Mark the transactions begun inside this block as writers."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


class Database:
    """Owns the engine and the session factory that requests draw from.

    Tests rebind `sessions` to a connection inside a rolled-back transaction.
    """

    def __init__(self, url: str) -> None:
        self.engine = build_engine(url)
        self.sessions = sessionmaker(bind=self.engine, class_=Session, expire_on_commit=False)

    def session(self) -> Session:
        """Open a new session."""
        return self.sessions()


def normalise_url(url: str) -> str:
    """Point plain `postgresql://` URLs at psycopg 3, the driver the project installs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def build_engine(url: str) -> Engine:
    """Create an engine tuned for the backend behind `url`."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:" and not database.startswith("file:"):
            create_private(Path(database))
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True)


def create_private(path: Path) -> None:
    """Make sure `path` exists readable and writable by its owner only (0600).

    The database and its backups hold password and token hashes and email addresses; under
    the usual umask SQLite and pg_dump would create them readable by every local user.
    SQLite gives its -wal and -shm files the database file's own mode.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    elif path.stat().st_mode & 0o077 and path.stat().st_uid == os.getuid():
        path.chmod(0o600)  # an older install's 0644 file: close it now


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """Enforce foreign keys, allow readers during writes, and let SQLAlchemy own BEGIN.

    pysqlite's own transaction handling breaks SAVEPOINTs, which the tests and nested
    writes rely on, so it is switched off and `_begin_sqlite` emits BEGIN instead.
    """
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _begin_sqlite(connection: Any) -> None:
    """Start each transaction explicitly, taking the write lock up front for writers."""
    connection.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


def is_unavailable(error: BaseException) -> bool:
    """Return whether an error means the database cannot be reached (rather than a bug)."""
    return isinstance(error, OperationalError | InterfaceError) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    )


def init_app(app: Flask) -> None:
    """Create the app's database and close each request's session when it ends."""
    app.extensions[EXTENSION] = Database(app.config["DATABASE_URL"])
    app.before_request(_note_write_intent)
    app.teardown_appcontext(_close_session)


def _note_write_intent() -> None:
    """Treat every request that may change state as a writer."""
    _write_intent.set(request.method not in SAFE_METHODS)


def database() -> Database:
    """Return the current app's database."""
    db: Database = current_app.extensions[EXTENSION]
    return db


def get_session() -> Session:
    """Return this request's session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = database().session()
    session: Session = g.db_session
    return session


def _close_session(_exc: BaseException | None) -> None:
    """Close the request's session, rolling back anything left uncommitted."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
