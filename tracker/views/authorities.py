"""Councils, combined authorities and police force areas."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from werkzeug.wrappers import Response

from tracker.auth import signed_in
from tracker.ballot_lists import election_wards
from tracker.db import get_session
from tracker.extensions import htmx
from tracker.forms import SourceForm
from tracker.queries.authorities import authorities, filter_choices, neighbours
from tracker.queries.candidates import candidacies_for_authority, office_holders, pledges_first
from tracker.queries.charts import answers_by_region
from tracker.queries.pledges import (
    pledges_of_subject,
    recommendations,
    statuses_by_authority,
    statuses_by_person,
)
from tracker.queries.review import documents_of
from tracker.queries.search import search
from tracker.review import documents_by_evidence
from tracker.views.answer_panels import authority_duties, authority_panels
from tracker.views.arguments import authority_filters
from tracker.views.lookups import get_authority_page
from tracker.views.pledges import authority_slots
from tracker.views.render import page_number, per_page, render_page_or_partial

bp = Blueprint("authorities", __name__, url_prefix="/authorities")


@bp.get("/")
def index() -> Response:
    """List authorities, filtered by nation, region and type, and searched by name."""
    session = get_session()
    choices = filter_choices(session)
    filters = authority_filters(request.args, choices)
    page = authorities(session, filters, page=page_number(), per_page=per_page())
    return render_page_or_partial(
        "authorities/index.html",
        "authorities/_results.html",
        regions=[] if htmx else answers_by_region(session),
        # The place search answers typos, spellings and roles the name filter cannot.
        q=filters.q,
        outcome=search(session, filters.q) if filters.q and not htmx else None,
        page=page,
        filters=filters,
        choices=choices,
        recommendations=recommendations(session),
        statuses=statuses_by_authority(session, [a.id for a in page.items]),
    )


@bp.get("/<slug>")
def detail(slug: str) -> str:
    """Show an authority's own pledges, the bodies around it, and its candidates."""
    session = get_session()
    authority = get_authority_page(slug, ".detail")
    candidacies = candidacies_for_authority(session, authority.id)
    statuses = statuses_by_person(session, sorted({c.person_id for c in candidacies}))
    own = authority_duties(session, authority)
    mine = {d.recommendation.id for d in own if d.applies}
    pledges = pledges_of_subject(session, authority_id=authority.id)
    documents = documents_of(session, authority.id)
    around = neighbours(session, authority)
    return render_template(
        "authorities/detail.html",
        authority=authority,
        neighbours=around,
        holders=pledges_first(office_holders(session, authority.id), statuses),
        slots=authority_slots(authority, [(r, p) for r, p in pledges if r.id in mine]),
        not_theirs=[d for d in own if not d.applies],
        panels=authority_panels(session, authority, pledges, own=own, around=around),
        elections=election_wards(candidacies, statuses),
        recommendations=[d.recommendation for d in own],
        statuses=statuses,
        documents=documents,
        sources=documents_by_evidence((p for _, p in pledges), (r.document for r in documents)),
        # Only campaigners see the form: building it would give the public a session.
        source_form=SourceForm(authority=authority.slug) if signed_in() else None,
    )
