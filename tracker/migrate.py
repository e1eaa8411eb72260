"""Alembic, driven from the app's own settings rather than an alembic.ini."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
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


def alembic_config(url: str, connection: Connection | None = None) -> AlembicConfig:
    """Return an Alembic config for the database at `url` (or an open connection)."""
    config = AlembicConfig()
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
