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
    session = get_session()
    try:
        with write_intent():
            yield session
            session.commit()
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
        raise click.ClickException(
            f"The database is not ready ({exc.orig}). Run `tracker db upgrade` first."
        ) from exc
