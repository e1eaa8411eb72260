"""Candidates: the searchable list and each person's page."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from tracker.db import get_session
from tracker.models import PledgeStatus
from tracker.queries.candidates import candidacies_by_person, candidates, elections
from tracker.queries.parties import parties
from tracker.queries.pledges import pledges_of_subject, recommendations, statuses_by_person
from tracker.text import long_date
from tracker.views.answer_panels import candidate_panels
from tracker.views.arguments import candidate_filters
from tracker.views.lookups import get_person
from tracker.views.pledges import person_slots
from tracker.views.render import page_number, per_page, render_page_or_partial

bp = Blueprint("candidates", __name__, url_prefix="/candidates")


@bp.get("/")
def index() -> Response:
    """List candidates, filtered and searched; htmx asks for just the results."""
    session = get_session()
    filters = candidate_filters(session, request.args)
    page = candidates(session, filters, page=page_number(), per_page=per_page())
    person_ids = [p.id for p in page.items]
    return render_page_or_partial(
        "candidates/index.html",
        "candidates/_results.html",
        page=page,
        filters=filters,
        party_options=[(p.slug, p.name) for p in parties(session)],
        election_options=[
            (e.election_id, f"{a.short_name}, {long_date(e.poll_date)}")
            for e, a in elections(session)
        ],
        status_options=[(s.value, s.label) for s in PledgeStatus],
        recommendations=recommendations(session),
        statuses=statuses_by_person(session, person_ids),
        candidacies=candidacies_by_person(session, person_ids),
    )


@bp.get("/<int:person_id>-<slug>")
@bp.get("/<int:person_id>", defaults={"slug": ""})
def detail(person_id: int, slug: str) -> Response | str:
    """Show a person's candidacies and pledges; old or missing slugs redirect."""
    session = get_session()
    person = get_person(person_id)
    if slug != person.slug:
        return redirect(url_for(".detail", person_id=person.id, slug=person.slug), 301)
    pledges = pledges_of_subject(session, person_id=person.id)
    return render_template(
        "candidates/detail.html",
        person=person,
        candidacies=candidacies_by_person(session, [person.id])[person.id],
        slots=person_slots(person, pledges),
        panels=candidate_panels(person, pledges),
    )
