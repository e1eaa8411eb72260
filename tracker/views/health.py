"""Liveness and readiness checks for load balancers and service managers.

`/healthz` says the process is up and never touches the database, so a database outage
does not get every worker restarted. `/readyz` says whether this worker can serve: the
database answers and its schema is at the revision this code was written for, so a
deployment can hold traffic back until `tracker db upgrade` has run.
"""

from __future__ import annotations

import logging
from functools import cache

from flask import Blueprint, Response
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from tracker.db import database
from tracker.migrate import head_revision

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
def healthz() -> Response:
    """Answer that the process is up, without touching the database or the session."""
    return Response("ok\n", mimetype="text/plain")


@bp.get("/readyz")
def readyz() -> Response:
    """Answer 200 if the database answers at the code's schema revision, else 503."""
    problem = _database_problem()
    if problem is None:
        return _plain(f"ready: database at {expected_revision()}\n", 200)
    log.warning("not ready: %s", problem)
    response = _plain(f"not ready: {problem}\n", 503)
    response.headers["Retry-After"] = "10"
    return response


def _database_problem() -> str | None:
    """Return why the database cannot serve this code, or None if it can."""
    try:
        with database().engine.connect() as conn:
            found = conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
            revisions = set(found)
    except SQLAlchemyError as error:
        # The class and first line only: the full message may hold a host or a user name.
        first = str(getattr(error, "orig", None) or error).splitlines()[0]
        return f"the database cannot be read ({type(error).__name__}: {first})"
    expected = expected_revision()
    if revisions != {expected}:
        at = ", ".join(sorted(revisions)) or "no revision"
        return f"the database is at {at}, this code needs {expected}: run `tracker db upgrade`"
    return None


@cache
def expected_revision() -> str:
    """Return the newest migration's revision (read from the files once per process)."""
    return head_revision()


def _plain(body: str, status: int) -> Response:
    """Return a short text answer that no cache keeps: it is about this moment."""
    response = Response(body, status=status, mimetype="text/plain")
    response.headers["Cache-Control"] = "no-store"
    return response
