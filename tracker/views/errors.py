"""Friendly error pages instead of tracebacks."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Render every HTTP error, and any unexpected exception, with the site's layout."""
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)


def _http_error(error: HTTPException) -> tuple[str, int]:
    """Render an HTTP error page with its status and description."""
    return render_template("errors/error.html", error=error), error.code or 500


def _unexpected(error: Exception) -> tuple[str, int]:
    """Log the exception and show a 500 page without internals."""
    log.exception("unhandled error", exc_info=error)
    return render_template("errors/error.html", error=InternalServerError()), 500
