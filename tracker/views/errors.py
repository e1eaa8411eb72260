"""Friendly error pages instead of tracebacks."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Render every HTTP error, and any unexpected exception, with the site's layout."""
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)


def _csrf_error(error: CSRFError) -> tuple[str, int]:
    """Explain a refused form in words a campaigner can act on."""
    error.description = (
        "This form has expired or did not come from this site, so nothing was saved. "
        "Go back, reload the page and try again."
    )
    return _http_error(error)


def _http_error(error: HTTPException) -> tuple[str, int]:
    """Render an HTTP error page with its status and description."""
    return render_template("errors/error.html", error=error), error.code or 500


def _unexpected(error: Exception) -> tuple[str, int]:
    """Log the exception and show a 500 page without internals."""
    log.exception("unhandled error", exc_info=error)
    return render_template("errors/error.html", error=InternalServerError()), 500
