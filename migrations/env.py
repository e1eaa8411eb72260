"""Alembic environment: the models' metadata, run online against the app's database."""

from __future__ import annotations

from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection
from sqlmodel.sql.sqltypes import AutoString

import tracker.models  # noqa: F401  (registers every table on the metadata)
from tracker.db import build_engine
from tracker.dbtypes import UTCDateTime
from tracker.migrate import is_modelled
from tracker.models import metadata

config = context.config


def render_item(kind: str, obj: Any, _context: AutogenContext) -> str | bool:
    """Write plain SQLAlchemy types into migrations so they never import the app."""
    if kind == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.Text()"
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run(connection: Connection) -> None:
    """Run the migrations on one connection, in one transaction."""
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        compare_server_default=True,
        render_item=render_item,
        include_object=is_modelled,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Use the caller's connection when given one, else connect to the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    engine = build_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; run `tracker db upgrade`.")
run_online()
