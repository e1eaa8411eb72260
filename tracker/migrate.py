"""Alembic, driven from the app's own settings rather than an alembic.ini."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from tracker.config import ROOT
from tracker.db import normalise_url

MIGRATIONS = ROOT / "migrations"
# Search indexes the database keeps itself (FTS5 tables and their shadows, a GIN index over
# an expression): created by migrations, outside the models, so never "drift".
UNMODELLED_PREFIXES = ("documentpage_fts", "placename_fts")


def is_modelled(_obj: Any, name: str | None, _kind: str, _reflected: bool, _other: Any) -> bool:
    """Tell Alembic's comparison whether a schema object belongs to the models."""
    return not (name or "").startswith(UNMODELLED_PREFIXES)


def alembic_config(
    url: str, connection: Connection | None = None, echo: Callable[[str], None] | None = None
) -> AlembicConfig:
    """Return an Alembic config for the database at `url` (or an open connection).

    `echo` receives what Alembic would print (the current revision, say).
    """
    config = AlembicConfig()
    if echo is not None:
        config.print_stdout = lambda text, *args: echo(text % args if args else text)  # type: ignore[method-assign]
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def upgrade(url: str, revision: str = "head", connection: Connection | None = None) -> None:
    """Apply migrations up to `revision`; already-applied ones are skipped."""
    command.upgrade(alembic_config(url, connection), revision)


def downgrade(url: str, revision: str) -> None:
    """Revert migrations down to `revision`."""
    command.downgrade(alembic_config(url), revision)


def current(url: str, echo: Callable[[str], None]) -> None:
    """Report the revision the database is at, marked "(head)" when it is the newest."""
    command.current(alembic_config(url, echo=echo))


def check(url: str) -> None:
    """Raise alembic's CommandError if the models and the migrated schema disagree.

    Types and server defaults are compared too (see migrations/env.py); a database that
    is not at the newest revision fails as well.
    """
    command.check(alembic_config(url))


def revision(url: str, message: str, *, autogenerate: bool) -> str:
    """Write a new migration after the newest; return its file's path.

    Its id continues the project's numbering (0008 after 0007), so the files sort in order.
    """
    config = alembic_config(url)
    scripts = ScriptDirectory.from_config(config)
    numbers = [int(r.revision) for r in scripts.walk_revisions() if r.revision.isdigit()]
    rev_id = f"{max(numbers) + 1:04d}" if numbers else None
    script = command.revision(config, message, autogenerate=autogenerate, rev_id=rev_id)
    if script is None or isinstance(script, list):
        raise RuntimeError("Alembic wrote no single revision")
    return str(script.path)


def head_revision() -> str:
    """Return the newest migration's revision, read from the files ("base" if none)."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return script.get_current_head() or "base"
