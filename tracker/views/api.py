"""The JSON API under /api/v1, described by /api/v1/openapi.json: the reads.

(`tracker.views.api_write` adds the token-authenticated writes to the same blueprint.)

Lists page by cursor (`after`, with an absolute `next` link), so a client walking to the
end sees every row once even while pledges are being recorded. Every answer carries an
ETag and honours If-None-Match; GETs may be read from any origin.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, TypeVar

from flask import Blueprint, Response, abort, jsonify, request, url_for
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.http import HTTP_STATUS_CODES

from tracker.db import get_session, is_unavailable
from tracker.openapi import openapi_document
from tracker.queries.authorities import authority_by_key, filter_choices
from tracker.queries.common import PageNotFound
from tracker.queries.events import event_records
from tracker.queries.opendata import (
    authority_record,
    authority_records,
    candidate_record,
    candidate_records,
    pledge_record,
    pledge_records,
)
from tracker.queries.pledges import recommendations, themes
from tracker.serialise import (
    JSON,
    authority_json,
    candidate_json,
    event_json,
    pledge_json,
    recommendation_json,
)
from tracker.views import arguments
from tracker.views.arguments import BadArgument
from tracker.views.documents import documents_page, hit_json
from tracker.views.errors import RETRY_AFTER, RETRY_MESSAGE, describe
from tracker.views.links import SiteLinks
from tracker.views.lookups import Missing, found, get_person, get_recommendation

bp = Blueprint("api", __name__, url_prefix="/api/v1")
log = logging.getLogger(__name__)
MAX_AGE = 60
T = TypeVar("T")


@bp.get("/")
def index() -> Response:
    """Point at each part of the API and its documentation."""
    links = {
        name: url_for(f".{name}", _external=True)
        for name in ("recommendations", "authorities", "candidates", "pledges", "events", "openapi")
    }
    return json_response({**links, "documentation": url_for("downloads.data", _external=True)})


@bp.get("/openapi.json")
def openapi() -> Response:
    """Serve the OpenAPI 3.1 description of this API."""
    return json_response(openapi_document(url_for(".index", _external=True).rstrip("/")))


@bp.get("/recommendations", endpoint="recommendations")
def list_recommendations() -> Response:
    """List the five recommendations in the campaign's order."""
    session = get_session()
    by_id = {theme.id: theme for theme in themes(session)}
    links = SiteLinks()
    results = [recommendation_json(r, by_id[r.theme_id], links) for r in recommendations(session)]
    return json_response({"results": results, "next": None})


@bp.get("/recommendations/<slug>")
def recommendation(slug: str) -> Response:
    """Show one recommendation."""
    session = get_session()
    rec = get_recommendation(slug)
    theme = next(t for t in themes(session) if t.id == rec.theme_id)
    return json_response(recommendation_json(rec, theme, SiteLinks()))


@bp.get("/authorities", endpoint="authorities")
def list_authorities() -> Response:
    """List authorities by slug, filtered like the authorities page."""
    session = get_session()
    filters = arguments.authority_filters(request.args, filter_choices(session))
    size = _limit()
    found = authority_records(
        session, filters, after=request.args.get("after") or None, limit=size + 1
    )
    recs, links = recommendations(session), SiteLinks()
    return _page(found, size, lambda r: r.authority.slug, lambda r: authority_json(r, recs, links))


@bp.get("/authorities/<key>")
def authority(key: str) -> Response:
    """Show one authority, by slug, GSS code or mySociety code."""
    session = get_session()
    named = found(authority_by_key(session, key), "authority", key)
    record = authority_record(session, named)
    return json_response(authority_json(record, recommendations(session), SiteLinks()))


@bp.get("/candidates", endpoint="candidates")
def list_candidates() -> Response:
    """List candidates by person id, filtered like the candidates page."""
    session = get_session()
    filters, size = arguments.candidate_filters(session, request.args), _limit()
    found = candidate_records(
        session, filters, after=arguments.after_id(request.args), limit=size + 1
    )
    recs, links = recommendations(session), SiteLinks()
    return _page(found, size, lambda r: r.person.id, lambda r: candidate_json(r, recs, links))


@bp.get("/candidates/<int:person_id>")
def candidate(person_id: int) -> Response:
    """Show one candidate, by Democracy Club person id."""
    session = get_session()
    record = candidate_record(session, get_person(person_id))
    return json_response(candidate_json(record, recommendations(session), SiteLinks()))


@bp.get("/pledges", endpoint="pledges")
def list_pledges() -> Response:
    """List recorded pledges by id, filtered by subject, recommendation and answer."""
    session = get_session()
    filters, size = arguments.pledge_filters(session, request.args), _limit()
    found = pledge_records(session, filters, after=arguments.after_id(request.args), limit=size + 1)
    links = SiteLinks()
    return _page(found, size, lambda r: r.pledge.id, lambda r: pledge_json(r, links))


@bp.get("/pledges/<int:pledge_id>")
def pledge(pledge_id: int) -> Response:
    """Show one pledge; its ETag is its version, as editors send back in If-Match."""
    record = found(pledge_record(get_session(), pledge_id), "pledge", pledge_id)
    return json_response(pledge_json(record, SiteLinks()), etag=str(record.pledge.version))


@bp.get("/events", endpoint="events")
def list_events() -> Response:
    """List changes to pledges oldest first, so `after` the last id seen gives what is new."""
    session = get_session()
    scope, size = arguments.scope(session, request.args), _limit()
    found = event_records(session, scope, after=arguments.after_id(request.args), limit=size + 1)
    return _page(found, size, lambda r: r.event.id, event_json)


@bp.get("/documents", endpoint="documents")
def list_documents() -> Response:
    """List read documents newest first, or search their text, filtered like their page."""
    filters = arguments.document_filters(get_session(), request.args)
    page = documents_page(filters, _page_number())
    following = None
    if page.has_next:
        args = {**request.args.to_dict(), "page": str(page.number + 1)}
        following = url_for(".documents", _external=True, **args)
    return json_response(
        {"results": [hit_json(h) for h in page.items], "total": page.total, "next": following}
    )


def _page_number() -> int:
    """Return the `page` argument of a searched list, raising BadArgument if it is not one."""
    raw = request.args.get("page", "1")
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= 100_000:
        raise BadArgument(f"page must be a number from 1, not “{raw}”.")
    return int(raw)


@bp.get("/<path:rest>")
def unknown(rest: str) -> NoReturn:
    """Answer addresses under the API that match nothing with a JSON 404."""
    abort(404, description=f"There is no API endpoint at /api/v1/{rest}; see /api/v1/.")


@bp.after_request
def _readable_anywhere(response: Response) -> Response:
    """Let scripts on any site read the API (but never write to it)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = "ETag"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "If-None-Match"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


@bp.errorhandler(BadArgument)
def _bad_argument(error: BadArgument) -> Response:
    """Explain a filter or cursor the API cannot use."""
    return problem(error.status, error.message)


@bp.errorhandler(Missing)
def _missing(error: Missing) -> Response:
    """Answer 404 naming what was not found."""
    return problem(404, error.detail)


@bp.errorhandler(PageNotFound)
def _past_the_end(error: PageNotFound) -> Response:
    """Answer a page number past the end of a searched list as a JSON 404."""
    return problem(404, describe(NotFound()))


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    """Answer HTTP errors as JSON problems, never HTML."""
    return problem(error.code or 500, describe(error))


@bp.errorhandler(Exception)
def _unexpected(error: Exception) -> Response:
    """Log the exception and answer 500 without internals (503 if the database is down)."""
    if is_unavailable(error):
        log.error("database unavailable: %s", error.__class__.__name__)
        response = problem(503, RETRY_MESSAGE)
        response.headers["Retry-After"] = str(RETRY_AFTER)
        return response
    log.exception("unhandled API error", exc_info=error)
    return problem(500, "Something went wrong on our side; it has been logged.")


def _limit() -> int:
    """Read the page size from the query string."""
    return arguments.limit(request.args)


def _page(
    found: Sequence[T], size: int, key: Callable[[T], Any], serialise: Callable[[T], JSON]
) -> Response:
    """Answer one page of results (fetched one too many) with the next page's address."""
    shown = found[:size]
    next_url = None
    if len(found) > size:
        args = {**request.args.to_dict(), "after": key(shown[-1])}
        next_url = url_for(request.endpoint or "", **args, _external=True)
    return json_response({"results": [serialise(item) for item in shown], "next": next_url})


def json_response(data: JSON, *, etag: str | None = None) -> Response:
    """Answer JSON with an ETag (of the body unless given), or 304 if the client has it."""
    response = jsonify(data)
    if etag is None:
        response.add_etag()
    else:
        response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    response.make_conditional(request)
    return response


def problem(status: int, detail: str, **extensions: Any) -> Response:
    """Answer an error as RFC 9457 problem details (with any extension members)."""
    response = jsonify(
        {
            "type": "about:blank",
            "title": HTTP_STATUS_CODES.get(status, "Error"),
            "status": status,
            "detail": detail,
            **extensions,
        }
    )
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response
