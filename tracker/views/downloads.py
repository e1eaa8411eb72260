"""CSV downloads of pledges, candidates and authorities, and the page describing them.

Each download honours the same filters as the page it comes from and streams the table
a batch at a time, so even the whole data set never sits in memory.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial

from flask import Blueprint, Response, render_template, request, stream_with_context, url_for
from sqlmodel import Session

from tracker import exports
from tracker.db import database, get_session
from tracker.exports import Column, Row, csv_chunks
from tracker.models import utcnow
from tracker.queries.authorities import AuthorityFilters, filter_choices
from tracker.queries.candidates import CandidateFilters
from tracker.queries.events import Scope
from tracker.queries.opendata import authority_records, batched, candidate_records, pledge_records
from tracker.queries.pledges import recommendations
from tracker.views.arguments import authority_filters, candidate_filters, pledge_filters
from tracker.views.links import SiteLinks

bp = Blueprint("downloads", __name__)


@bp.get("/data")
def data() -> str:
    """Describe the downloads, the API and the feeds: licence, columns and examples."""
    return render_template(
        "downloads/data.html",
        status_columns=exports.status_columns(recommendations(get_session())),
        pledge_columns=exports.PLEDGE_COLUMNS,
        candidate_columns=exports.CANDIDATE_COLUMNS + exports.CANDIDATE_ADDED_COLUMNS,
        authority_columns=exports.AUTHORITY_COLUMNS + exports.AUTHORITY_ADDED_COLUMNS,
        document_columns=exports.DOCUMENT_COLUMNS,
        status_note=exports.STATUS_COLUMN_NOTE,
    )


@bp.get("/pledges.csv")
def pledges() -> Response:
    """Stream the recorded pledges matching the filters."""
    filters = pledge_filters(get_session(), request.args)
    links = SiteLinks()

    def rows(session: Session) -> Iterator[Row]:
        records = batched(partial(pledge_records, session, filters), key=lambda r: r.pledge.id)
        return (exports.pledge_row(r, links) for r in records)

    return csv_attachment("pledges.csv", exports.PLEDGE_COLUMNS, _streamed(rows))


@bp.get("/candidates.csv")
def candidates() -> Response:
    """Stream the candidates matching the candidate list's filters."""
    filters = candidate_filters(get_session(), request.args)
    recs, links = recommendations(get_session()), SiteLinks()
    scope = Scope(authority=filters.authority, party=filters.party)

    def rows(session: Session) -> Iterator[Row]:
        records = batched(partial(candidate_records, session, filters), key=lambda r: r.person.id)
        return (exports.candidate_row(r, recs, scope, links) for r in records)

    columns = (
        exports.CANDIDATE_COLUMNS + exports.status_columns(recs) + exports.CANDIDATE_ADDED_COLUMNS
    )
    return csv_attachment("candidates.csv", columns, _streamed(rows))


@bp.get("/authorities.csv")
def authorities() -> Response:
    """Stream the authorities matching the authority list's filters."""
    filters = authority_filters(request.args, filter_choices(get_session()))
    recs, links = recommendations(get_session()), SiteLinks()

    def rows(session: Session) -> Iterator[Row]:
        fetch = partial(authority_records, session, filters)
        records = batched(fetch, key=lambda r: r.authority.slug)
        return (exports.authority_row(r, recs, links) for r in records)

    columns = (
        exports.AUTHORITY_COLUMNS + exports.status_columns(recs) + exports.AUTHORITY_ADDED_COLUMNS
    )
    return csv_attachment("authorities.csv", columns, _streamed(rows))


def _streamed(produce: Callable[[Session], Iterable[Row]]) -> Iterator[Row]:
    """Yield the rows `produce` reads, from a session that lives exactly as long as the
    stream: the request's own session is closed when the view returns, before the body
    is sent, and reusing it afterwards would check out a connection nobody returns."""
    session = database().session()
    try:
        yield from produce(session)
    finally:
        session.close()


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


def csv_attachment(filename: str, columns: Sequence[Column], rows: Iterable[Row]) -> Response:
    """Stream rows as a UTF-8 CSV attachment, readable from other sites' scripts too.

    The file is named with the day it was drawn ("pledges-2026-12-03.csv"), so downloads
    taken on different days do not overwrite each other. `?excel=1` starts it with a
    byte-order mark: Excel on Windows then reads the names' accents as UTF-8, while
    scripts, which a mark would trip up, get none unless they ask.
    """
    chunks = csv_chunks(columns, rows)
    if request.args.get("excel") == "1":
        chunks = itertools.chain(["\ufeff"], chunks)
    response = Response(stream_with_context(chunks), mimetype="text/csv")
    dated = f"{filename.removesuffix('.csv')}-{utcnow().date().isoformat()}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{dated}"'
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
