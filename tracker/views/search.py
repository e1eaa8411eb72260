"""Find your area: the search box on the home page and the authorities page."""

from __future__ import annotations

from flask import Blueprint, redirect, request, url_for
from werkzeug.wrappers import Response

from tracker.db import get_session
from tracker.extensions import htmx
from tracker.queries.search import search
from tracker.views.arguments import search_text
from tracker.views.render import render_page_or_partial

bp = Blueprint("search", __name__)


@bp.get("/search")
def results() -> Response:
    """Go straight to the one place a search means (303), or list the places it might.

    Live results (htmx) always come as a list, so typing never navigates away.
    """
    q = search_text(request.args)
    outcome = search(get_session(), q) if q else None
    if outcome and outcome.place and not htmx:
        return redirect(url_for("scorecards.place", slug=outcome.place.slug), 303)
    return render_page_or_partial(
        "search/results.html", "search/_results.html", q=q, outcome=outcome
    )
