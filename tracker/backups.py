"""Back up and restore the whole database with each backend's own consistent tools.

SQLite: the online backup API copies a consistent snapshot while the site keeps running.
PostgreSQL: pg_dump (custom format) takes a consistent snapshot; pg_restore replays it.
Either way the backup holds exactly the writes committed before it began.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess  # runs only pg_dump and pg_restore, found by shutil.which  # nosec B404
from pathlib import Path

from sqlalchemy.engine import make_url

from tracker.db import create_private, normalise_url


class BackupError(RuntimeError):
    """A backup or restore could not be made; the message says why."""


def backup(database_url: str, path: Path) -> None:
    """Write a consistent copy of the database to `path`."""
    url = make_url(normalise_url(database_url))
    create_private(path)  # it holds password and token hashes and email addresses
    if url.get_backend_name() == "sqlite":
        _copy_sqlite(_sqlite_path(url.database), path)
    elif url.get_backend_name() == "postgresql":
        _run("pg_dump", "--format=custom", "--no-owner", f"--file={path}", _libpq(database_url))
    else:
        raise BackupError(f"no backup method for {url.get_backend_name()}")


def restore(database_url: str, path: Path) -> None:
    """Replace the database's contents with the backup at `path`."""
    if not path.is_file():
        raise BackupError(f"{path} is not a backup file")
    url = make_url(normalise_url(database_url))
    if url.get_backend_name() == "sqlite":
        _copy_sqlite(path, _sqlite_path(url.database))
    elif url.get_backend_name() == "postgresql":
        _run(
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={_libpq(database_url)}",
            str(path),
        )
    else:
        raise BackupError(f"no restore method for {url.get_backend_name()}")


def _copy_sqlite(source: Path, target: Path) -> None:
    """Copy one SQLite database into another page by page, through SQLite itself."""
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    create_private(target)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    # The `with` blocks commit but do not close: close both so the files are released.
    src.close()
    dst.close()


def _sqlite_path(database: str | None) -> Path:
    """Return the file of a file-backed SQLite URL."""
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _libpq(database_url: str) -> str:
    """Return the URL as libpq tools read it (no SQLAlchemy driver suffix)."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _run(tool: str, *args: str) -> None:
    """Run a PostgreSQL client tool, turning its failure into a clear message."""
    program = shutil.which(tool)
    if program is None:
        raise BackupError(f"{tool} is not installed (Debian package postgresql-client)")
    result = subprocess.run(  # noqa: S603 (fixed program, arguments we built)  # nosec B603
        [program, *args], capture_output=True, text=True, check=False, timeout=3600
    )
    if result.returncode != 0:
        raise BackupError(f"{tool} failed: {result.stderr.strip()[:500]}")
