"""The `tracker` command: Flask's own commands plus the project's."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlmodel import Session

from tracker import demo, migrate
from tracker.accounts import (
    AccountError,
    create_token,
    create_user,
    deactivate_user,
    set_role,
    user_by_email,
)
from tracker.db import get_session, write_intent
from tracker.imports.authorities import import_authorities
from tracker.imports.candidates import import_candidates
from tracker.imports.pledges import apply_upload, plan_upload
from tracker.imports.rows import ImportRejected, ImportReport
from tracker.models import Role, utcnow

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
    for command in (
        db_group,
        import_authorities_command,
        import_candidates_command,
        import_pledges_command,
        sample_command,
        create_user_command,
        set_role_command,
        deactivate_user_command,
        create_token_command,
    ):
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


ROLE = click.Choice([role.value for role in Role])


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--role", type=ROLE, required=True, help="admin or campaigner")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user_command(email: str, role: str, password_stdin: bool) -> None:
    """Create an account. The password is prompted for, never taken from the command line."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with _writing() as session:
        user = create_user(session, email, password, Role(role))
    click.echo(f"Created {user.role} account {user.email}.")


@click.command("set-role")
@with_appcontext
@click.argument("email")
@click.argument("role", type=ROLE)
def set_role_command(email: str, role: str) -> None:
    """Change an account's role (its sessions end so the new role applies at once)."""
    with _writing() as session:
        user = set_role(session, email, Role(role))
    click.echo(f"{user.email} is now {user.role}.")


@click.command("deactivate-user")
@with_appcontext
@click.argument("email")
def deactivate_user_command(email: str) -> None:
    """Stop an account signing in or using its API tokens."""
    with _writing() as session:
        user = deactivate_user(session, email)
    click.echo(f"{user.email} can no longer sign in; its API tokens are revoked.")


@click.command("create-token")
@with_appcontext
@click.argument("email")
@click.option("--name", default="command line", help="A name to recognise the token by.")
def create_token_command(email: str, name: str) -> None:
    """Create an API token for an account and print it (it is shown only this once)."""
    with _writing() as session:
        user = user_by_email(session, email)
        if user is None or not user.is_active:
            raise click.ClickException(f"There is no active account for {email}.")
        _, secret = create_token(session, user, name)
    click.echo(secret)


@click.command("import-pledges")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change and save nothing.")
def import_pledges_command(path: Path, dry_run: bool) -> None:
    """Update pledges from a CSV (person_id or authority, recommendation, status, ...)."""
    text = _read_text(path)
    with _writing() as session:
        plan = plan_upload(session, text, today=utcnow().date())
        for row in plan.rows:
            click.echo(
                f"line {row.line}: {row.subject_name}, {row.recommendation.slug}: "
                f"{row.before.value} -> {row.change.status.value}"
            )
        if plan.errors:
            raise ImportRejected(plan.errors)
        if dry_run:
            click.echo(f"Dry run: {len(plan.rows)} to change, {len(plan.unchanged)} unchanged.")
            session.rollback()
            return
        report = apply_upload(
            session, text, expected=plan.fingerprint, actor_id=None, today=utcnow().date()
        )
    click.echo(f"Pledges: {report.summary()}.")


def _read_text(path: Path) -> str:
    """Read a UTF-8 text file, explaining clearly when it is not one."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise click.ClickException(f"{path} is not UTF-8 text; save it as CSV (UTF-8).") from None


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
