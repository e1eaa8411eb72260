"""Badges a candidate or council can show on its own website, linking back here."""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, request

from tracker.badges import badge_svg
from tracker.db import get_session
from tracker.models import PledgeStatus
from tracker.queries.pledges import recommendations, statuses_by_person
from tracker.queries.scorecards import scorecard
from tracker.views.lookups import get_authority, get_person

bp = Blueprint("badges", __name__, url_prefix="/badges")
MAX_AGE = 300


@bp.get("/<int:person_id>.svg")
def candidate(person_id: int) -> Response:
    """Draw a candidate's badge: how many of the five recommendations they pledged."""
    session = get_session()
    person = get_person(person_id)
    said = statuses_by_person(session, [person.id])[person.id].values()
    pledged = sum(1 for p in said if p.status == PledgeStatus.PLEDGED.value)
    partial = sum(1 for p in said if p.status == PledgeStatus.PARTIAL.value)
    return _svg(badge_svg(pledged, partial, len(recommendations(session))))


@bp.get("/authorities/<slug>.svg")
def authority(slug: str) -> Response:
    """Draw an authority's badge: how many of the recommendations it can deliver it pledged."""
    session = get_session()
    body = get_authority(slug)
    card = scorecard(session, body)
    return _svg(badge_svg(card.pledged, card.partial, card.applicable))


def _svg(document: str) -> Response:
    """Answer with the SVG, cacheable and revalidated by its ETag."""
    response = Response(document, mimetype="image/svg+xml")
    response.set_etag(hashlib.sha256(document.encode()).hexdigest()[:32])
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.make_conditional(request)
    return response
