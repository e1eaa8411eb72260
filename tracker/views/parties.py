"""Parties and how their candidates answered."""

from __future__ import annotations

from flask import Blueprint, render_template

from tracker.db import get_session
from tracker.queries.candidates import CandidateFilters, candidacies_by_person, candidates
from tracker.queries.parties import party_records
from tracker.queries.pledges import recommendations, statuses_by_person
from tracker.views.lookups import get_party
from tracker.views.render import page_number, per_page

bp = Blueprint("parties", __name__, url_prefix="/parties")


@bp.get("/")
def index() -> str:
    """List parties with the share of their candidates who pledged."""
    session = get_session()
    records = [r for r in party_records(session) if r.candidates]
    return render_template(
        "parties/index.html", records=records, recommendations=recommendations(session)
    )


@bp.get("/<slug>")
def detail(slug: str) -> str:
    """Show a party's answers per recommendation and its candidates."""
    session = get_session()
    party = get_party(slug)
    record = party_records(session, [party.id], demo=party.is_demo)[0]
    filters = CandidateFilters(party=party)
    page = candidates(session, filters, page=page_number(), per_page=per_page())
    person_ids = [p.id for p in page.items]
    return render_template(
        "parties/detail.html",
        record=record,
        filters=filters,
        page=page,
        recommendations=recommendations(session),
        statuses=statuses_by_person(session, person_ids),
        candidacies=candidacies_by_person(session, person_ids),
    )
