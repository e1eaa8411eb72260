"""Know when the data a page shows last changed: committed writes bump versions.

Public pages are cached by URL and by the versions of what they show (tracker.page_cache,
tracker.scopes), so a cached page is served only while nothing it shows has changed since
it was drawn: a campaigner's edit shows on the next request. Versions are rows of
`sitestate`, bumped in the writing transaction itself by events on the app's session
factory (registered by `init_app`), so no write path of the app can forget them, and every
worker reads the same committed versions. A write to pledges bumps the scopes showing
them; any other write bumps EVERYTHING.

A bump sets a fresh random version rather than adding one, so versions name states of
the data: a page kept in Redis (tracker.redis_pages) matches only the state it was drawn
from, even after the database is restored from a backup or built again at the same URL,
where counters would count the same numbers again over other data.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from sqlalchemy import BigInteger, BinaryExpression, BindParameter, ClauseElement, cast, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, UOWTransaction
from sqlalchemy.sql import operators
from sqlmodel import Session as SQLModelSession
from sqlmodel import select

from tracker.db import EXTENSION, Database
from tracker.models import ApiToken, Pledge, PledgeEvent, SiteState
from tracker.scopes import EVERYTHING, scope_id, written_scopes

WROTE = "tracker.wrote"
# Tables no public page shows: writing them (a token's last use) makes nothing stale.
UNSHOWN = frozenset({SiteState.__tablename__, ApiToken.__tablename__})
VERSIONS = 2**31 - 2  # versions are 1 .. VERSIONS: positive, within a PostgreSQL integer
PLACEHOLDERS = {"qmark": "?", "numeric": "?", "format": "%s", "pyformat": "%s"}


@dataclass
class Writes:
    """What one transaction wrote: the pledges it touched, and whether anything else."""

    pledges: set[int] = field(default_factory=set)
    unplaced: bool = False


def init_app(app: Flask) -> None:
    """Count the writes of this app's sessions, and only theirs.

    The listeners sit on the app's own session factory, so two apps in one process (or a
    script's `Database`) each keep their own books.
    """
    sessions = app.extensions[EXTENSION].sessions
    event.listen(sessions, "after_flush", _flushed)
    event.listen(sessions, "do_orm_execute", _executed)
    event.listen(sessions, "before_commit", _bump)
    event.listen(sessions, "after_transaction_end", _forget)


def data_version(session: SQLModelSession, name: str | None = None) -> int:
    """Return a scope's version (EVERYTHING's by default) as this session's transaction sees it."""
    row = EVERYTHING if name is None else scope_id(name)
    found = session.exec(select(SiteState.data_version).where(SiteState.id == row)).first()
    return found or 0


def committed_versions(database: Database, rows: Sequence[int]) -> tuple[int, ...]:
    """Return the committed versions in `rows` (0 for a scope never written), cheaply.

    A cached page costs this one read, so it skips the ORM and the request's session: a
    plain cursor on a pooled connection is some ten times faster than a session. It sees
    what every other worker sees, committed writes only.
    """
    engine = database.engine
    marks = ", ".join(PLACEHOLDERS[engine.dialect.paramstyle] for _ in rows)
    # Only placeholders are joined into the text; the ids travel as parameters.
    sql = f"SELECT id, data_version FROM sitestate WHERE id IN ({marks})"  # noqa: S608  # nosec B608
    driver_error = engine.dialect.loaded_dbapi.Error
    try:
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute(sql, tuple(rows))
            found: dict[int, int] = dict(cursor.fetchall())
            cursor.close()
        except driver_error:
            raw.invalidate()
            raise
        finally:
            raw.close()
    except driver_error as error:
        # Wrapped as SQLAlchemy wraps its own, so an outage still reads as one (tracker.db).
        raise DBAPIError.instance(sql, None, error, driver_error) from error
    return tuple(found.get(row, 0) for row in rows)


def _writes(session: Session) -> Writes:
    """Return this transaction's record of writes, starting one."""
    writes: Writes = session.info.setdefault(WROTE, Writes())
    return writes


def _flushed(session: Session, _flush: UOWTransaction) -> None:
    """Note the pledges (or anything else) this flush changed."""
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Pledge) and obj.id is not None:
            _writes(session).pledges.add(obj.id)
        elif isinstance(obj, PledgeEvent):
            _writes(session).pledges.add(obj.pledge_id)
        elif getattr(obj, "__tablename__", None) not in UNSHOWN:
            _writes(session).unplaced = True


def _executed(state: ORMExecuteState) -> None:
    """Note an INSERT, UPDATE or DELETE statement: of one pledge, or of anything."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(getattr(state.statement, "table", None), "name", None)
    if table in UNSHOWN:
        return
    pinned = _pinned_pledge(state.statement) if table == Pledge.__tablename__ else None
    if pinned is not None and not state.is_insert:
        _writes(state.session).pledges.add(pinned)
    else:
        _writes(state.session).unplaced = True


def _pinned_pledge(statement: Any) -> int | None:
    """Return the pledge id an UPDATE or DELETE is limited to (`pledge.id = n`), if any."""
    where: ClauseElement | None = getattr(statement, "whereclause", None)
    clauses = list(getattr(where, "clauses", [where]))
    for clause in clauses:
        if (
            isinstance(clause, BinaryExpression)
            and clause.operator is operators.eq
            # The ORM's `Pledge.id` is an annotated copy of the table's column: compare lineage.
            and clause.left.shares_lineage(Pledge.__table__.c.id)  # type: ignore[attr-defined]
            and isinstance(clause.right, BindParameter)
            and isinstance(clause.right.value, int)
        ):
            return clause.right.value
    return None


def _bump(session: Session) -> None:
    """Bump the versions of what the transaction wrote, in that same transaction.

    A SAVEPOINT's release fires this hook too; only the whole transaction's commit counts.
    """
    if session.in_nested_transaction():
        return
    session.flush()  # the commit would flush after this hook: count those writes too
    writes: Writes | None = session.info.get(WROTE)
    if writes is None:
        return
    scopes = None if writes.unplaced else written_scopes(session, writes.pledges)  # type: ignore[arg-type]
    rows = [EVERYTHING] if scopes is None else sorted({scope_id(name) for name in scopes})
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    step = 1 + secrets.randbelow(VERSIONS - 1)  # 1 .. VERSIONS - 1: never a whole turn
    # Sorted, so two writers lock the rows in the same order and never deadlock.
    statement = insert(SiteState).values([{"id": row, "data_version": step} for row in rows])
    old = cast(SiteState.__table__.c.data_version, BigInteger)  # type: ignore[attr-defined]
    session.connection().execute(
        statement.on_conflict_do_update(
            index_elements=[SiteState.__table__.c.id],  # type: ignore[attr-defined]
            # A random step around 1 .. VERSIONS: a new value, and never the old one.
            set_={"data_version": (old + statement.excluded.data_version - 1) % VERSIONS + 1},
        )
    )
    # Only now: the scopes' queries may flush again, noting the same writes a second time.
    session.info.pop(WROTE, None)


def _forget(session: Session, transaction: SessionTransaction) -> None:
    """Forget the writes of a transaction that ended without a commit.

    Rolling back a SAVEPOINT keeps what the rest of the transaction wrote.
    """
    if transaction.parent is None:
        session.info.pop(WROTE, None)
