"""Commands for the schema and the data: migrations, imports and the sample."""

from __future__ import annotations

from pathlib import Path

import click
from alembic.util import CommandError
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from tracker import demo, migrate
from tracker.backups import BackupError, backup, restore
from tracker.commands.common import print_report, writing
from tracker.imports.authorities import import_authorities
from tracker.imports.candidates import import_candidates
from tracker.imports.pledges import apply_upload, plan_upload
from tracker.imports.postcodes import NotAPostcodeFile, import_postcodes
from tracker.imports.rows import ImportRejected
from tracker.models import utcnow
from tracker.sample_documents import load_sample_documents
from tracker.text import plural

SAMPLE_CANDIDATES = (
    Path(__file__).resolve().parent.parent
    / "sample"
    / "dc_candidates_south_yorkshire_local_2018_2021.csv"
)


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


@db_group.command("current")
def db_current() -> None:
    """Print the revision the database is at ("(head)" when it is up to date)."""
    migrate.current(current_app.config["DATABASE_URL"], click.echo)


@db_group.command("check")
def db_check() -> None:
    """Fail unless the database is at the newest revision and matches the models."""
    try:
        migrate.check(current_app.config["DATABASE_URL"])
    except CommandError as error:
        raise click.ClickException(str(error)) from error
    click.echo("The database matches the models: no migration needed.")


@db_group.command("revision")
@click.option("-m", "--message", required=True, help="What the migration changes.")
@click.option("--autogenerate", is_flag=True, help="Write the operations the models need.")
def db_revision(message: str, autogenerate: bool) -> None:
    """Write a new migration file after the newest (compare the models with --autogenerate)."""
    try:
        path = migrate.revision(
            current_app.config["DATABASE_URL"], message, autogenerate=autogenerate
        )
    except CommandError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Wrote {path}; read it through before committing it.")


@click.command("import-authorities")
@with_appcontext
def import_authorities_command() -> None:
    """Load every current UK local authority and police force area; re-runs update."""
    with writing() as session:
        report = import_authorities(session)
    click.echo(f"Authorities: {report.summary()}.")


@click.command("import-candidates")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Import the good rows and list the bad.")
def import_candidates_command(path: Path, skip_invalid: bool) -> None:
    """Import candidates from a Democracy Club CSV export at PATH."""
    with writing() as session:
        report = import_candidates(session, path, skip_invalid=skip_invalid)
    print_report("Candidacies", report)


@click.command("import-postcodes")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_postcodes_command(path: Path) -> None:
    """Load the ONS Postcode Directory or NSPL CSV at PATH, so search takes postcodes."""
    size = path.stat().st_size
    with click.progressbar(length=size, label="Postcodes") as bar, writing() as session:
        done = 0

        def advance(position: int) -> None:
            nonlocal done
            bar.update(position - done)
            done = position

        try:
            report = import_postcodes(session, path, progress=advance)
        except NotAPostcodeFile as error:
            raise click.ClickException(f"{path}: {error}") from None
    for rejected in report.rejected[:20]:
        click.echo(f"  {rejected}")
    click.echo(f"Postcodes: {report.summary()}.")


@click.command("sample")
@with_appcontext
@click.option(
    "--demo/--no-demo", "with_demo", default=True, help="Also load the fictional demonstration."
)
@click.option("--remove-demo", is_flag=True, help="Delete the fictional demonstration data.")
def sample_command(with_demo: bool, remove_demo: bool) -> None:
    """Load real authorities, South Yorkshire candidates and council documents to review,
    plus a fictional demo."""
    with writing() as session:
        if remove_demo:
            click.echo(f"Removed {demo.remove_demo(session)} demonstration rows.")
            return
        click.echo(f"Authorities: {import_authorities(session).summary()}.")
        print_report("Candidacies", import_candidates(session, SAMPLE_CANDIDATES))
        for stored in load_sample_documents(session):
            click.echo(
                f"Document: {stored.document.title} ({stored.outcome}), "
                f"{plural(len(stored.proposed), 'new passage')} to review."
            )
        if with_demo:
            click.echo(f"Demonstration: {demo.load_demo(session)}.")


@click.command("import-pledges")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change and save nothing.")
def import_pledges_command(path: Path, dry_run: bool) -> None:
    """Update pledges from a CSV (person_id or authority, recommendation, status, ...)."""
    text = _read_text(path)
    with writing() as session:
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


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Write a consistent backup of the database to PATH (safe while the site runs)."""
    try:
        backup(current_app.config["DATABASE_URL"], path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backed up to {path}.")


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(path: Path, yes: bool) -> None:
    """Replace the database with the backup at PATH (stop the site and workers first)."""
    if not yes:
        click.confirm("This replaces everything in the database. Continue?", abort=True)
    try:
        restore(current_app.config["DATABASE_URL"], path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored from {path}.")


COMMANDS: tuple[click.Command, ...] = (
    db_group,
    import_authorities_command,
    import_candidates_command,
    import_postcodes_command,
    import_pledges_command,
    sample_command,
    backup_command,
    restore_command,
)
