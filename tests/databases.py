"""Scratch databases of a test's own, on SQLite or on the PostgreSQL server CI provides."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

POSTGRES = os.environ.get("CI_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
# Kept here, not in conftest.py, because pytest imports conftest.py afresh for each session.
_PREPARED_SQLITE: list[bytes] = []


def sqlite_once(path: Path, prepare: Callable[[str], None]) -> None:
    """Make a prepared SQLite database at `path`, preparing one only once per process.

    `make mutation` runs the tests once per mutant, each time in a fork of one process;
    migrating and importing every authority each time would cost seconds a mutant. A
    prepared copy is made with the code as it was before any mutant ran.
    """
    if not _PREPARED_SQLITE:
        prepare(f"sqlite:///{path}")
        _PREPARED_SQLITE.append(path.read_bytes())
        return
    path.write_bytes(_PREPARED_SQLITE[0])


def suite_backend() -> str:
    """Return the backend this run of the suite is on: "postgresql" or "sqlite"."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    return "postgresql" if url.startswith("postgresql") else "sqlite"


def fresh_database(backend: str, name: str, tmp_path: Path) -> Iterator[str]:
    """Yield the URL of an empty database of its own, dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / f'{name}.db'}"
        return
    server = os.environ.get("TEST_DATABASE_URL") or POSTGRES
    admin = create_engine(
        make_url(server).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
