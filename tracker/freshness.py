"""Know when the data last changed: every committed write bumps one counter.

Public pages are cached by URL and this counter (tracker.page_cache), so a cached page
is served only while nothing has changed since it was drawn: a campaigner's edit shows
on the next request. The counter is bumped in the writing transaction itself, by session
events, so no write path can forget it.
"""

from __future__ import annotations

from sqlalchemy import Connection, event, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlmodel import Session as SQLModelSession
from sqlmodel import col, select

from tracker.db import Database
from tracker.models import SiteState

WROTE = "tracker.wrote"
VERSION_SQL = "SELECT data_version FROM sitestate WHERE id = 1"


def data_version(session: SQLModelSession) -> int:
    """Return the data version as this session's transaction sees it."""
    return session.exec(select(SiteState.data_version).where(SiteState.id == 1)).one()


def committed_version(database: Database) -> int:
    """Return the data version, as cheaply as the driver allows.

    A cached page costs this one read, so it skips the ORM and the request's session: a
    plain cursor on a pooled connection is some twenty times faster than `data_version`.
    Sessions bound to one connection (the tests' rolled-back transaction) are read on it,
    so they see their own writes.
    """
    bind = database.sessions.kw["bind"]
    if isinstance(bind, Connection):
        version: int = bind.exec_driver_sql(VERSION_SQL).scalar_one()
        return version
    driver_error = bind.dialect.loaded_dbapi.Error
    try:
        raw = bind.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute(VERSION_SQL)
            (version,) = cursor.fetchone()
            cursor.close()
        except driver_error:
            raw.invalidate()
            raise
        finally:
            raw.close()
    except driver_error as error:
        # Wrapped as SQLAlchemy wraps its own, so an outage still reads as one (tracker.db).
        raise DBAPIError.instance(VERSION_SQL, None, error, driver_error) from error
    return version


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _flush: UOWTransaction) -> None:
    """Note that this transaction changed ORM objects."""
    if session.new or session.dirty or session.deleted:
        session.info[WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    """Note that this transaction ran an INSERT, UPDATE or DELETE statement."""
    table = getattr(getattr(state.statement, "table", None), "name", None)
    writes = state.is_insert or state.is_update or state.is_delete
    if writes and table != SiteState.__tablename__:
        state.session.info[WROTE] = True


@event.listens_for(Session, "before_commit")
def _bump(session: Session) -> None:
    """Bump the data version in the same transaction as the writes it stands for."""
    if session.info.pop(WROTE, False):
        session.execute(
            update(SiteState)
            .where(col(SiteState.id) == 1)
            .values(data_version=col(SiteState.data_version) + 1)
        )


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    """Forget writes that were rolled back."""
    session.info.pop(WROTE, None)
