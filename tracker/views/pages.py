"""The home page and the about page."""

from __future__ import annotations

from flask import Blueprint, render_template

from tracker.db import get_session
from tracker.queries.charts import pledges_over_time
from tracker.queries.pledges import (
    headline_counts,
    recent_events,
    recommendations,
    tallies,
    themes,
)

bp = Blueprint("pages", __name__)


@bp.get("/")
def home() -> str:
    """Show what the campaign asks and how candidates and authorities have answered."""
    session = get_session()
    return render_template(
        "pages/home.html",
        counts=headline_counts(session),
        tallies=tallies(session),
        events=recent_events(session, limit=8),
        over_time=pledges_over_time(session),
    )


@bp.get("/about")
def about() -> str:
    """Explain the campaign, its source document and the charity's reported impact."""
    session = get_session()
    return render_template(
        "pages/about.html", themes=themes(session), recommendations=recommendations(session)
    )
