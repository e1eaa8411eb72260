"""Know when the data last changed: every committed write bumps one counter.

Public pages are cached by URL and this counter (tracker.page_cache), so a cached page
is served only while nothing has changed since it was drawn: a campaigner's edit shows
on the next request. The counter is bumped in the writing transaction itself, by events
on the app's session factory (registered by `init_app`), so no write path of the app can
forget it.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import event, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlmodel import Session as SQLModelSession
from sqlmodel import col, select

from tracker.db import EXTENSION, Database
from tracker.models import SiteState

WROTE = "tracker.wrote"
VERSION_SQL = "SELECT data_version FROM sitestate WHERE id = 1"


def data_version(session: SQLModelSession) -> int:
    """Return the data version as this session's transaction sees it."""
    return session.exec(select(SiteState.data_version).where(SiteState.id == 1)).one()


def init_app(app: Flask) -> None:
    """Count the writes of this app's sessions, and only theirs.

    The listeners sit on the app's own session factory, so two apps in one process (or a
    script's `Database`) each keep their own books.
    """
    sessions = app.extensions[EXTENSION].sessions
    event.listen(sessions, "after_flush", _flushed)
    event.listen(sessions, "do_orm_execute", _executed)
    event.listen(sessions, "before_commit", _bump)
    event.listen(sessions, "after_rollback", _forget)


def committed_version(database: Database) -> int:
    """Return the committed data version, as cheaply as the driver allows.

    A cached page costs this one read, so it skips the ORM and the request's session: a
    plain cursor on a pooled connection is some ten times faster than a session. It sees
    what every other worker sees, committed writes only.
    """
    driver_error = database.engine.dialect.loaded_dbapi.Error
    try:
        raw = database.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute(VERSION_SQL)
            row: Any = cursor.fetchone()  # the row exists from the migration on
            (version,) = row
            cursor.close()
        except driver_error:
            raw.invalidate()
            raise
        finally:
            raw.close()
    except driver_error as error:
        # Wrapped as SQLAlchemy wraps its own, so an outage still reads as one (tracker.db).
        raise DBAPIError.instance(VERSION_SQL, None, error, driver_error) from error
    return int(version)


def _flushed(session: Session, _flush: UOWTransaction) -> None:
    """Note that this transaction changed ORM objects."""
    if session.new or session.dirty or session.deleted:
        session.info[WROTE] = True


def _executed(state: ORMExecuteState) -> None:
    """Note that this transaction ran an INSERT, UPDATE or DELETE statement."""
    table = getattr(getattr(state.statement, "table", None), "name", None)
    writes = state.is_insert or state.is_update or state.is_delete
    if writes and table != SiteState.__tablename__:
        state.session.info[WROTE] = True


def _bump(session: Session) -> None:
    """Bump the data version in the same transaction as the writes it stands for."""
    if session.info.pop(WROTE, False):
        session.execute(
            update(SiteState)
            .where(col(SiteState.id) == 1)
            .values(data_version=col(SiteState.data_version) + 1)
        )


def _forget(session: Session) -> None:
    """Forget writes that were rolled back."""
    session.info.pop(WROTE, None)
