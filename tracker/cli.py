"""The `tracker` command: Flask's own commands plus the project's."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlmodel import Session

from tracker import demo, migrate
from tracker.db import get_session
from tracker.imports.authorities import import_authorities
from tracker.imports.candidates import import_candidates
from tracker.imports.rows import ImportRejected, ImportReport

SAMPLE_CANDIDATES = (
    Path(__file__).resolve().parent
    / "sample"
    / ("dc_candidates_south_yorkshire_local_2018_2021.csv")
)


def main() -> None:
    """Run the `tracker` console script."""
    from tracker import create_app

    FlaskGroup(create_app=lambda: create_app(), help="Pledge Tracker's command line.")()


def init_app(app: Flask) -> None:
    """Register the project's commands on the app's CLI."""
    for command in (db_group, import_authorities_command, import_candidates_command,
                    sample_command):  # fmt: skip
        app.cli.add_command(command)


@click.group("db", cls=AppGroup)
def db_group() -> None:
    """Manage the database schema (Alembic migrations)."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the latest); safe to re-run."""
    url = current_app.config["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(url, revision)
    click.echo(f"Database is at revision {revision}.")


@db_group.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION (`base` removes every table)."""
    migrate.downgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database is at revision {revision}.")


@click.command("import-authorities")
@with_appcontext
def import_authorities_command() -> None:
    """Load every current UK local authority and police force area; re-runs update."""
    with _writing() as session:
        report = import_authorities(session)
    click.echo(f"Authorities: {report.summary()}.")


@click.command("import-candidates")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Import the good rows and list the bad.")
def import_candidates_command(path: Path, skip_invalid: bool) -> None:
    """Import candidates from a Democracy Club CSV export at PATH."""
    with _writing() as session:
        report = import_candidates(session, path, skip_invalid=skip_invalid)
    _print_report("Candidacies", report)


@click.command("sample")
@with_appcontext
@click.option(
    "--demo/--no-demo", "with_demo", default=True, help="Also load the fictional demonstration."
)
@click.option("--remove-demo", is_flag=True, help="Delete the fictional demonstration data.")
def sample_command(with_demo: bool, remove_demo: bool) -> None:
    """Load real authorities and South Yorkshire candidates, plus a fictional demo."""
    with _writing() as session:
        if remove_demo:
            click.echo(f"Removed {demo.remove_demo(session)} demonstration rows.")
            return
        click.echo(f"Authorities: {import_authorities(session).summary()}.")
        _print_report("Candidacies", import_candidates(session, SAMPLE_CANDIDATES))
        if with_demo:
            click.echo(f"Demonstration: {demo.load_demo(session)}.")


def _print_report(label: str, report: ImportReport) -> None:
    """Print an import's summary and each rejected row."""
    click.echo(f"{label}: {report.summary()}.")
    for error in report.rejected:
        click.echo(f"  {error}", err=True)


@contextmanager
def _writing() -> Iterator[Session]:
    """Run a command's writes in one transaction, turning known failures into messages."""
    session = get_session()
    try:
        yield session
        session.commit()
    except ImportRejected as exc:
        session.rollback()
        for error in exc.errors:
            click.echo(f"  {error}", err=True)
        raise click.ClickException(f"{exc}. Fix the rows above, or use --skip-invalid.") from exc
    except (OperationalError, ProgrammingError) as exc:
        session.rollback()
        raise click.ClickException(
            f"The database is not ready ({exc.orig}). Run `tracker db upgrade` first."
        ) from exc
