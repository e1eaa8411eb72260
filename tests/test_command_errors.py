"""A command that fails on the database says what really happened, and only fitting advice."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from tracker.commands.common import database_problem


def failure(url: str, sql: str) -> OperationalError:
    """Run `sql` on a fresh engine that waits for no lock; return the error it raises."""
    engine = create_engine(url, connect_args={"timeout": 0})
    try:
        with engine.begin() as conn, pytest.raises(OperationalError) as raised:
            conn.execute(text(sql))
    finally:
        engine.dispose()
    return raised.value


def test_a_locked_database_is_called_busy_not_unmigrated(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x INTEGER)")
    holder.execute("BEGIN IMMEDIATE")  # another process's writer, holding the lock
    try:
        message = database_problem(failure(f"sqlite:///{path}", "INSERT INTO t VALUES (1)"))
    finally:
        holder.close()
    assert message.startswith("The database was busy (database is locked)")
    assert "tracker db upgrade" not in message


def test_a_missing_table_asks_for_an_upgrade(tmp_path: Path) -> None:
    message = database_problem(
        failure(f"sqlite:///{tmp_path / 'empty.db'}", "SELECT * FROM pledge")
    )
    assert message == (
        "The database is not ready (no such table: pledge). Run `tracker db upgrade` first."
    )
