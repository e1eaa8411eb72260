"""The five recommendations and who answered each."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from tracker.db import get_session
from tracker.queries.candidates import candidacies_by_person
from tracker.queries.parties import party_records
from tracker.queries.pledges import (
    answers,
    answers_by_authority,
    authorities_by_id,
    people_by_id,
    recommendations,
    tallies,
    themes,
)
from tracker.views.arguments import pledge_status
from tracker.views.lookups import get_recommendation
from tracker.views.render import page_number, per_page

bp = Blueprint("recommendations", __name__, url_prefix="/recommendations")


@bp.get("/")
def index() -> str:
    """List the recommendations by theme with how many have pledged each."""
    session = get_session()
    return render_template(
        "recommendations/index.html", themes=themes(session), tallies=tallies(session)
    )


@bp.get("/<slug>")
def detail(slug: str) -> str:
    """Show a recommendation's full text and source, then who answered it."""
    session = get_session()
    recommendation = get_recommendation(slug)
    status = pledge_status(request.args)
    page = answers(session, recommendation, status=status, page=page_number(), per_page=per_page())
    person_ids = [p.person_id for p in page.items if p.person_id]
    return render_template(
        "recommendations/detail.html",
        recommendation=recommendation,
        recommendations=recommendations(session),
        tally=next(t for t in tallies(session) if t.recommendation.id == recommendation.id),
        page=page,
        status=status,
        people=people_by_id(session, person_ids),
        authorities=authorities_by_id(
            session, [p.authority_id for p in page.items if p.authority_id]
        ),
        candidacies=candidacies_by_person(session, person_ids),
        parties=[r for r in party_records(session) if r.candidates][:15],
        by_authority=answers_by_authority(session, recommendation)[:15],
    )
