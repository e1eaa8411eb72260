"""Helpers every view uses: full page or htmx fragment, and argument parsing."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, make_response, render_template, request

from tracker.extensions import htmx
from tracker.models import PledgeStatus


def render_page_or_partial(page: str, partial: str, /, **context: Any) -> Response:
    """Render the whole page, or only the fragment an htmx request asked for."""
    response = make_response(render_template(partial if htmx else page, **context))
    response.vary.add("HX-Request")
    return response


def page_number() -> int:
    """Return the `page` argument, answering 404 for anything but a positive number."""
    raw = request.args.get("page", "1")
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1 or len(raw) > 6:
        abort(404, description=f"There is no page {raw!r}; pages are numbered from 1.")
    return int(raw)


def search_text() -> str:
    """Return the `q` argument trimmed to a sensible length."""
    return " ".join(request.args.get("q", "").split())[:100]


def unknown(kind: str, value: str) -> Any:
    """Answer 404 for a filter value the data does not contain, saying which."""
    abort(404, description=f"There is no {kind} called “{value}”.")


def status_filter() -> PledgeStatus | None:
    """Return the `status` argument as a pledge status, answering 404 for unknown ones."""
    raw = request.args.get("status", "")
    if not raw:
        return None
    if raw not in {status.value for status in PledgeStatus}:
        unknown("pledge status", raw)
    return PledgeStatus(raw)
