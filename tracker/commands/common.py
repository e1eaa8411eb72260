"""What the project's commands share: one transaction per command, clear failures."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlmodel import Session

from tracker.accounts import AccountError
from tracker.db import get_session, write_intent
from tracker.imports.rows import ImportRejected, ImportReport


def print_report(label: str, report: ImportReport) -> None:
    """Print an import's summary, each rejected row and each warning."""
    click.echo(f"{label}: {report.summary()}.")
    for error in report.rejected:
        click.echo(f"  {error}", err=True)
    for warning in report.warnings:
        click.echo(f"  warning: {warning}", err=True)


@contextmanager
def writing() -> Iterator[Session]:
    """Run a command's writes in one transaction, turning known failures into messages."""
    with explained_failures() as session, write_intent():
        yield session
        session.commit()


@contextmanager
def explained_failures() -> Iterator[Session]:
    """Give a command the session, rolling back and explaining any known failure.

    A command that fetches (the scrape) uses this alone and takes its own short write
    transactions, so it never holds the database's write lock across the network.
    """
    session = get_session()
    try:
        yield session
    except ImportRejected as exc:
        session.rollback()
        for error in exc.errors:
            click.echo(f"  {error}", err=True)
        raise click.ClickException(f"{exc}. Fix the rows above, or use --skip-invalid.") from exc
    except AccountError as exc:
        session.rollback()
        raise click.ClickException(str(exc)) from exc
    except (OperationalError, ProgrammingError) as exc:
        session.rollback()
        raise click.ClickException(database_problem(exc)) from exc


# What each backend says when a table or column the code expects is missing.
_NOT_MIGRATED = ("no such table", "no such column", "does not exist", "undefinedtable")
# What each backend says when another connection held a lock for too long.
_LOCKED = ("database is locked", "database table is locked", "lock timeout", "deadlock")


def database_problem(exc: OperationalError | ProgrammingError) -> str:
    """Say what went wrong with the database, and only suggest a fix that fits.

    "Run `tracker db upgrade`" is right for a missing table, and wrong for a database that
    another process kept locked, which used to get the same advice.
    """
    reason = str(exc.orig).strip()
    lowered = f"{type(exc.orig).__name__} {reason}".lower()
    if any(words in lowered for words in _LOCKED):
        return (
            f"The database was busy ({reason}): another process held its write lock "
            "longer than this command would wait. Nothing was written by the step that "
            "failed; run the command again once the other writer has finished."
        )
    if any(words in lowered for words in _NOT_MIGRATED):
        return f"The database is not ready ({reason}). Run `tracker db upgrade` first."
    return f"The database failed ({reason})."
