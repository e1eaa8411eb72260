"""Helpers every page uses: full page or htmx fragment, and which page of a list."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, abort, current_app, make_response, render_template, request

from tracker.extensions import htmx


def render_page_or_partial(page: str, partial: str, /, **context: Any) -> Response:
    """Render the whole page, or only the fragment an htmx request asked for."""
    response = make_response(render_template(partial if htmx else page, **context))
    response.vary.add("HX-Request")
    return response


def page_number(args: Mapping[str, str] | None = None) -> int:
    """Return the `page` argument (of the request, unless given other `args`), answering
    404 for anything but a positive number."""
    raw = (request.args if args is None else args).get("page", "1")
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1 or len(raw) > 6:
        abort(404, description=f"There is no page {raw!r}; pages are numbered from 1.")
    return int(raw)


def per_page() -> int:
    """Return how many rows a page of a list shows (the PER_PAGE setting)."""
    return int(current_app.config["PER_PAGE"])
