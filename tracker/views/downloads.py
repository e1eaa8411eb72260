"""CSV downloads of pledges, candidates and authorities, and the page describing them.

Each download honours the same filters as the page it comes from and streams the table
a batch at a time, so even the whole data set never sits in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import TypeVar

from flask import Blueprint, Response, abort, render_template, request, stream_with_context, url_for
from sqlmodel import Session

from tracker import exports
from tracker.db import get_session
from tracker.exports import Column, Row, csv_chunks
from tracker.queries.authorities import AuthorityFilters
from tracker.queries.candidates import CandidateFilters
from tracker.queries.events import Scope
from tracker.queries.opendata import authority_records, batched, candidate_records, pledge_records
from tracker.queries.pledges import recommendations
from tracker.views.arguments import (
    Args,
    BadArgument,
    authority_filters,
    candidate_filters,
    pledge_filters,
)
from tracker.views.links import SiteLinks

bp = Blueprint("downloads", __name__)
F = TypeVar("F")


@bp.get("/data")
def data() -> str:
    """Describe the downloads, the API and the feeds: licence, columns and examples."""
    return render_template(
        "downloads/data.html",
        status_columns=exports.status_columns(recommendations(get_session())),
        pledge_columns=exports.PLEDGE_COLUMNS,
        candidate_columns=exports.CANDIDATE_COLUMNS,
        authority_columns=exports.AUTHORITY_COLUMNS,
        status_note=exports.STATUS_COLUMN_NOTE,
    )


@bp.get("/pledges.csv")
def pledges() -> Response:
    """Stream the recorded pledges matching the filters."""
    session = get_session()
    filters = _parsed(pledge_filters)
    links = SiteLinks()
    records = batched(partial(pledge_records, session, filters), key=lambda r: r.pledge.id)
    rows = (exports.pledge_row(r, links) for r in records)
    return _csv("pledges.csv", exports.PLEDGE_COLUMNS, rows)


@bp.get("/candidates.csv")
def candidates() -> Response:
    """Stream the candidates matching the candidate list's filters."""
    session = get_session()
    filters = _parsed(candidate_filters)
    recs, links = recommendations(session), SiteLinks()
    scope = Scope(authority=filters.authority, party=filters.party)
    records = batched(partial(candidate_records, session, filters), key=lambda r: r.person.id)
    rows = (exports.candidate_row(r, recs, scope, links) for r in records)
    return _csv("candidates.csv", exports.CANDIDATE_COLUMNS + exports.status_columns(recs), rows)


@bp.get("/authorities.csv")
def authorities() -> Response:
    """Stream the authorities matching the authority list's filters."""
    session = get_session()
    filters = _parsed(authority_filters)
    recs, links = recommendations(session), SiteLinks()
    records = batched(partial(authority_records, session, filters), key=lambda r: r.authority.slug)
    rows = (exports.authority_row(r, recs, links) for r in records)
    return _csv("authorities.csv", exports.AUTHORITY_COLUMNS + exports.status_columns(recs), rows)


@bp.app_template_global()
def candidates_csv_url(filters: CandidateFilters) -> str:
    """Return the download of the candidates a list shows."""
    return url_for(
        "downloads.candidates",
        q=filters.q or None,
        authority=filters.authority.slug if filters.authority else None,
        party=filters.party.slug if filters.party else None,
        election=filters.election.election_id if filters.election else None,
        status=filters.status.value if filters.status else None,
    )


@bp.app_template_global()
def authorities_csv_url(filters: AuthorityFilters) -> str:
    """Return the download of the authorities a list shows."""
    return url_for(
        "downloads.authorities",
        q=filters.q or None,
        nation=filters.nation,
        region=filters.region,
        type=filters.kind,
    )


def _parsed(parse: Callable[[Session, Args], F]) -> F:
    """Read the filters from the query string, answering 400 or 404 for bad values."""
    try:
        return parse(get_session(), request.args)
    except BadArgument as error:
        abort(error.status, description=error.message)


def _csv(filename: str, columns: Sequence[Column], rows: Iterable[Row]) -> Response:
    """Stream rows as a UTF-8 CSV attachment, readable from other sites' scripts too."""
    response = Response(stream_with_context(csv_chunks(columns, rows)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
