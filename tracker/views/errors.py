"""Friendly error pages instead of tracebacks."""

from __future__ import annotations

import logging

from flask import Flask, current_app, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    NotFound,
    RequestEntityTooLarge,
    ServiceUnavailable,
    default_exceptions,
)

from tracker.db import is_unavailable
from tracker.queries.common import PageNotFound
from tracker.views.arguments import BadArgument

log = logging.getLogger(__name__)
RETRY_AFTER = 30
RETRY_MESSAGE = "The tracker cannot reach its database just now. Please try again in a minute."


def init_app(app: Flask) -> None:
    """Render every HTTP error, and any unexpected exception, with the site's layout."""
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(BadArgument, _bad_argument)
    app.register_error_handler(PageNotFound, _past_the_end)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)


def _csrf_error(error: CSRFError) -> tuple[str, int]:
    """Explain a refused form in words a campaigner can act on."""
    error.description = (
        "This form has expired or did not come from this site, so nothing was saved. "
        "Go back, reload the page and try again."
    )
    return _http_error(error)


def _bad_argument(error: BadArgument) -> tuple[str, int]:
    """Explain a filter a page or download cannot use (the API answers in JSON itself)."""
    return _http_error(default_exceptions[error.status](error.message))


def _past_the_end(error: PageNotFound) -> tuple[str, int]:
    """Answer a page number past the end of a list as a missing page."""
    return _http_error(NotFound())


def _http_error(error: HTTPException) -> tuple[str, int]:
    """Render an HTTP error page with its status and description."""
    error.description = describe(error)
    return render_template("errors/error.html", error=error), error.code or 500


def describe(error: HTTPException) -> str:
    """Return what went wrong in plain words (werkzeug's words for a 413 are jargon)."""
    if isinstance(error, RequestEntityTooLarge):
        limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
        size = f" ({limit // (1024 * 1024)} MB)" if limit >= 1024 * 1024 else ""
        return (
            f"That was more than the tracker accepts in one request{size}, so nothing was "
            "saved. Split a spreadsheet into smaller files, or send less text."
        )
    return error.description or ""


def _unexpected(error: Exception) -> tuple[str, int, dict[str, str]] | tuple[str, int]:
    """Log the exception and show a 500 page without internals (503 if the database is down)."""
    if is_unavailable(error):
        log.error("database unavailable: %s", error.__class__.__name__)
        unavailable = ServiceUnavailable(RETRY_MESSAGE)
        page = render_template("errors/error.html", error=unavailable)
        return page, 503, {"Retry-After": str(RETRY_AFTER)}
    log.exception("unhandled error", exc_info=error)
    return render_template("errors/error.html", error=InternalServerError()), 500
