"""Build a national-scale database for the benchmarks: real authorities, fictional everything else.

Every current UK authority is loaded from the real register; around them stand about 12,000
fictional candidates in 3,000 ballots, with 60,000 pledges, 150,000 pledge events, 8,000
scraped documents and 40,000 matches. Nothing invented is attributed to a real person or
body: every person and party is marked "(fictional)" (counted as real data, so the pages
draw full figures: bench.fiction says why); the only authority-level pledges belong to
twenty fictional councils; documents and matches sit under real authorities but every word
of them is marked "(fictional benchmark text)", every link points at example.invalid, and
every match stays pending, never accepted.

Rows go in with SQLAlchemy Core executemany in chunks, so the build takes a minute or two.
The same seed always builds the same data. Run:

    python -m bench.make_dataset                       # SQLite under the temp directory
    python -m bench.make_dataset --database-url postgresql://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import click
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Table, func, insert, select, text
from sqlmodel import col

from bench.fiction import BENCH_EMAIL, Generator, Scale
from bench.output import say
from tracker import migrate
from tracker.accounts import create_user
from tracker.db import Database, build_engine
from tracker.imports.authorities import import_authorities
from tracker.models import (
    Authority,
    Ballot,
    Candidacy,
    Document,
    DocumentPage,
    DocumentVersion,
    Election,
    Party,
    Person,
    Pledge,
    PledgeEvent,
    Proposal,
    Role,
)

SEED = 20240502
DEFAULT_PATH = Path(tempfile.gettempdir()) / "pledge-tracker-bench" / "national.db"
CHUNK = 5_000
BENCH_PASSWORD = "fictional benchmark password"  # noqa: S105 - a throwaway local account


def main(argv: Sequence[str] | None = None) -> int:
    """Build the dataset at --database-url (or DATABASE_URL, or SQLite in the temp dir)."""
    return _cli.main(args=list(argv) if argv is not None else None, standalone_mode=False) or 0


@click.command()
@click.option("--database-url", help="default: $DATABASE_URL, else SQLite under the temp dir")
@click.option("--seed", default=SEED, show_default=True)
@click.option("--reset", is_flag=True, help="empty a PostgreSQL database first (drops its data)")
@click.option("--small", is_flag=True, help="a tenth of the rows, for a quick look")
def _cli(database_url: str | None, seed: int, reset: bool, small: bool) -> int:
    """Build a national-scale dataset of real authorities and fictional candidates."""
    url = database_url or os.environ.get("DATABASE_URL") or default_url()
    scale = Scale() if not small else small_scale()
    counts = build(url, scale=scale, seed=seed, reset=reset)
    say_counts(url, counts)
    return 0


def default_url() -> str:
    """Return the SQLite URL the benchmarks use by default."""
    return f"sqlite:///{DEFAULT_PATH}"


def small_scale() -> Scale:
    """Return a tenth of the national scale."""
    return Scale(1_200, 300, 6_000, 15_000, 800, 4_000, 20, 20)


def ensure(url: str, scale: Scale | None = None, seed: int = SEED) -> dict[str, int]:
    """Return the dataset's counts, building it first unless it is already complete."""
    scale = scale or Scale()
    counts = table_counts(url)
    full = counts.get("person") == scale.candidates and counts.get("match") == scale.matches
    if full and _at_head(url) and not _has_demo_people(url):
        return counts
    return build(url, scale=scale, seed=seed, reset=not url.startswith("sqlite"))


def build(url: str, *, scale: Scale, seed: int, reset: bool = False) -> dict[str, int]:
    """Create the schema, load the authorities and bulk-insert the fictional rows."""
    started = time.perf_counter()
    _prepare(url, reset=reset)
    migrate.upgrade(url)
    database = Database(url)
    with database.session() as session:
        import_authorities(session)
        create_user(session, BENCH_EMAIL, BENCH_PASSWORD, Role.CAMPAIGNER)
        session.commit()
    database.engine.dispose()
    engine = build_engine(url)
    with engine.begin() as conn:
        if conn.execute(select(func.count()).select_from(Person.__table__)).scalar_one():
            raise click.ClickException(f"{url} already holds candidates; use a fresh database")
        rows = Generator(conn, scale, random.Random(seed)).tables()  # noqa: S311 - fiction
        total = sum(len(r) for _, r in rows)
        with click.progressbar(length=total, label="inserting", file=sys.stderr) as bar:
            for table, table_rows in rows:
                for chunk in _chunks(table_rows):
                    conn.execute(insert(table), chunk)
                    bar.update(len(chunk))
        if conn.dialect.name == "postgresql":
            _advance_sequences(conn, [table for table, _ in rows])
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("ANALYZE")
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    counts = table_counts(url)
    counts["seconds"] = round(time.perf_counter() - started)
    return counts


def _at_head(url: str) -> bool:
    """Return whether the database has every migration applied (else it is rebuilt)."""
    head = ScriptDirectory.from_config(migrate.alembic_config(url)).get_current_head()
    engine = build_engine(url)
    try:
        with engine.connect() as conn:
            applied = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()
    return applied == head


def _has_demo_people(url: str) -> bool:
    """Return whether the people were built as demonstration data, as builds before
    bench.fiction counted them did (else public figures would leave them all out)."""
    engine = build_engine(url)
    try:
        with engine.connect() as conn:
            return (
                conn.execute(select(col(Person.id)).where(col(Person.is_demo)).limit(1)).first()
                is not None
            )
    finally:
        engine.dispose()


def table_counts(url: str) -> dict[str, int]:
    """Count the rows of the tables the benchmarks care about (empty if no schema yet)."""
    tables = (Authority, Party, Person, Election, Ballot, Candidacy, Pledge, PledgeEvent)
    tables += (Document, DocumentVersion, DocumentPage, Proposal)
    engine = build_engine(url)
    counts: dict[str, int] = {}
    try:
        with engine.connect() as conn:
            for model in tables:
                table: Table = model.__table__  # type: ignore[attr-defined]
                counts[table.name] = conn.execute(
                    select(func.count()).select_from(table)
                ).scalar_one()
    except Exception:  # noqa: BLE001 - no schema yet means "nothing built"
        return {}
    finally:
        engine.dispose()
    return counts


def say_counts(url: str, counts: dict[str, int]) -> None:
    """Print what the dataset holds."""
    say(f"dataset: {_safe(url)}")
    say(f"{'table':<18} {'rows':>9}")
    for name, count in counts.items():
        if name != "seconds":
            say(f"{name:<18} {count:>9,}")
    if "seconds" in counts:
        say(f"built in {counts['seconds']} s")


def _safe(url: str) -> str:
    """Return the URL without a password."""
    return url.split("@")[-1] if "@" in url else url


def _prepare(url: str, *, reset: bool) -> None:
    """Start from an empty database: a new SQLite file, or a reset PostgreSQL schema."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    if reset:
        engine = build_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()


def _advance_sequences(conn: Connection, tables: list[Table]) -> None:
    """Move PostgreSQL's id sequences past the ids inserted explicitly."""
    for table in tables:
        if "id" in table.c and table.c.id.autoincrement is not False:
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                f"(SELECT max(id) FROM {table.name}))"
            )


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """Yield the rows CHUNK at a time."""
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


if __name__ == "__main__":
    sys.exit(main())
