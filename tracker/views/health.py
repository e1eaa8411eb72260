"""A liveness check for load balancers and the benchmarks' trivial baseline route."""

from __future__ import annotations

from flask import Blueprint, Response

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """Answer that the process is up, without touching the database or the session."""
    return Response("ok\n", mimetype="text/plain")
