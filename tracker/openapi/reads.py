"""The API's read operations: each a GET answering JSON, with ETags and problems."""

from __future__ import annotations

from tracker.openapi.schemas import DELIVERIES, JSON, STATUSES, STRING, ref
from tracker.queries.documents import FIRST_YEAR, LAST_YEAR
from tracker.queries.opendata import MAX_LIMIT, SUBJECT_KINDS


def _query(name: str, description: str, schema: JSON | None = None) -> JSON:
    """Describe an optional query parameter."""
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or STRING,
    }


def _path(name: str, description: str, schema: JSON | None = None) -> JSON:
    """Describe a path parameter."""
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema or STRING,
    }


_LIMIT = _query(
    "limit",
    f"Results per page, 1 to {MAX_LIMIT} (default 50).",
    {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
)
_AFTER_ID = _query(
    "after",
    "Cursor: give the `next` link, or the last id you have.",
    {"type": "integer", "minimum": 0},
)
_SCOPE = [
    _query("recommendation", "A recommendation's slug."),
    _query(
        "authority",
        "An authority's slug, GSS code or mySociety code: its own pledges and its candidates'.",
    ),
    _query("party", "A party's slug: its candidates' pledges."),
    _query("candidate", "A Democracy Club person id.", {"type": "integer"}),
]


def _operation(operation_id: str, summary: str, parameters: list[JSON], schema: str) -> JSON:
    """Describe a GET answering JSON with an ETag, 304 on a match, and problems."""
    problem = {"content": {"application/problem+json": {"schema": ref("Problem")}}}
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": parameters,
            "responses": {
                "200": {
                    "description": "OK. The ETag header identifies this answer.",
                    "headers": {"ETag": {"schema": STRING}},
                    "content": {"application/json": {"schema": ref(schema)}},
                },
                "304": {"description": "Not modified: the If-None-Match ETag still holds."},
                "400": {"description": "A malformed parameter.", **problem},
                "404": {"description": "Nothing by that name or id.", **problem},
            },
        }
    }


READS: JSON = {
    "/": _operation("api.index", "Where each part of the API is.", [], "Index"),
    "/recommendations": _operation(
        "api.recommendations", "The five recommendations, in order.", [], "RecommendationPage"
    ),
    "/recommendations/{slug}": _operation(
        "api.recommendation",
        "One recommendation.",
        [_path("slug", "The recommendation's slug.")],
        "Recommendation",
    ),
    "/authorities": _operation(
        "api.authorities",
        "Authorities, by slug.",
        [
            _query("q", "Words in the name."),
            _query("nation", "England, Scotland, Wales…"),
            _query("region", "An English region."),
            _query("type", "A type code, e.g. MD or PFA."),
            _LIMIT,
            _query("after", "Cursor: give the `next` link, or the last slug you have."),
        ],
        "AuthorityPage",
    ),
    "/authorities/{key}": _operation(
        "api.authority",
        "One authority.",
        [_path("key", "A slug, GSS code or mySociety code.")],
        "Authority",
    ),
    "/candidates": _operation(
        "api.candidates",
        "Candidates, by person id.",
        [
            _query("q", "Words in the name."),
            _query("authority", "An authority's slug, GSS code or mySociety code."),
            _query("party", "A party's slug."),
            _query("election", "A Democracy Club election id."),
            _query(
                "status",
                "Has answered this at least once (awaiting: no answers).",
                {"enum": STATUSES},
            ),
            _LIMIT,
            _AFTER_ID,
        ],
        "CandidatePage",
    ),
    "/candidates/{person_id}": _operation(
        "api.candidate",
        "One candidate.",
        [_path("person_id", "A Democracy Club person id.", {"type": "integer"})],
        "Candidate",
    ),
    "/pledges": _operation(
        "api.pledges",
        "Recorded pledges, by id.",
        [
            *_SCOPE,
            _query("status", "The answer.", {"enum": STATUSES}),
            _query("delivery", "The delivery rating.", {"enum": DELIVERIES}),
            _query("kind", "Whose pledges.", {"enum": list(SUBJECT_KINDS)}),
            _LIMIT,
            _AFTER_ID,
        ],
        "PledgePage",
    ),
    "/pledges/{pledge_id}": _operation(
        "api.pledge",
        "One pledge; its ETag is its version.",
        [_path("pledge_id", "The pledge's id.", {"type": "integer"})],
        "Pledge",
    ),
    "/events": _operation(
        "api.events",
        "Changes to pledges, oldest first: poll with after=<last id seen>.",
        [*_SCOPE, _LIMIT, _AFTER_ID],
        "EventPage",
    ),
    "/documents": _operation(
        "api.documents",
        "Documents read: searched by their text (best match first) or newest first.",
        [
            _query(
                "q",
                'Words (all must appear), "a phrase", OR between terms, -word to leave one out.',
            ),
            _query(
                "authority", "An authority's slug, GSS code or mySociety code: its documents only."
            ),
            _query("type", "A type of authority, e.g. MD or PFA."),
            _query("region", "An English region."),
            _query(
                "year",
                "The year the document is dated (its publication date), e.g. 2023; "
                "undated documents are left out.",
                {"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR},
            ),
            _query("page", "The page of results, from 1.", {"type": "integer", "minimum": 1}),
        ],
        "DocumentSearch",
    ),
    "/openapi.json": {
        "get": {
            "operationId": "api.openapi",
            "summary": "This document.",
            "responses": {
                "200": {
                    "description": "The OpenAPI 3.1 description of this API.",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        }
    },
}
