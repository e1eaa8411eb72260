"""The OpenAPI 3.1 description of /api/v1, built from Python data.

Schemas are strict (every property required, no others allowed) so the tests, which
validate every API answer against them, catch any drift from `tracker.serialise`. To add
an operation, add its entry to `PATHS` (and its schemas to `SCHEMAS`); a test checks the
paths against the app's routes.
"""

from __future__ import annotations

from typing import Any

from tracker.models import Delivery, PledgeStatus
from tracker.queries.opendata import MAX_LIMIT, SUBJECT_KINDS

JSON = dict[str, Any]

STATUSES = [s.value for s in PledgeStatus]
DELIVERIES = [d.value for d in Delivery]


def _nullable(kind: str, **extra: Any) -> JSON:
    """Return a schema for a value of `kind` or null."""
    return {"type": [kind, "null"], **extra}


def _ref(name: str) -> JSON:
    """Point at a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def _object(description: str, properties: JSON) -> JSON:
    """Return a strict object schema: all properties required, no others."""
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _page_of(name: str) -> JSON:
    """Return the schema of one page of a list, with the link to the next page."""
    return _object(
        f"A page of {name} results, in key order.",
        {
            "results": {"type": "array", "items": _ref(name)},
            "next": _nullable(
                "string", format="uri", description="The next page's address, or null on the last."
            ),
        },
    )


_STRING = {"type": "string"}
_ANSWERS = {
    "type": "object",
    "description": "Each recommendation's slug with the subject's answer to it.",
    "additionalProperties": {"enum": STATUSES},
}
_SUBJECT = {
    "subject_type": {"enum": list(SUBJECT_KINDS)},
    "person_id": _nullable("integer", description="Democracy Club person id of a candidate."),
    "authority": _nullable("string", description="ONS (GSS) code of an authority."),
    "authority_slug": _nullable("string", description="The authority's key on this site."),
}

SCHEMAS: JSON = {
    "Problem": _object(
        "An error, as RFC 9457 problem details.",
        {"type": _STRING, "title": _STRING, "status": {"type": "integer"}, "detail": _STRING},
    ),
    "Index": _object(
        "Where each part of the API is.",
        {
            name: {"type": "string", "format": "uri"}
            for name in (
                "recommendations",
                "authorities",
                "candidates",
                "pledges",
                "events",
                "openapi",
                "documentation",
            )
        },
    ),
    "Recommendation": _object(
        "One of the five recommendations, in the charity's words.",
        {
            "slug": _STRING,
            "position": {"type": "integer"},
            "title": _STRING,
            "summary": _STRING,
            "body": _STRING,
            "theme": _object("The campaign theme.", {"slug": _STRING, "title": _STRING}),
            "source": _object(
                "Where the words come from.",
                {
                    "title": _STRING,
                    "publisher": _STRING,
                    "date": _STRING,
                    "url": _nullable("string", format="uri"),
                },
            ),
            "url": {"type": "string", "format": "uri"},
        },
    ),
    "Authority": _object(
        "A council, combined authority, the GLA or a police force area.",
        {
            "slug": _STRING,
            "gss_code": _nullable("string"),
            "code": _nullable("string"),
            "name": _STRING,
            "short_name": _STRING,
            "kind": _STRING,
            "kind_name": _STRING,
            "nation": _STRING,
            "region": _nullable("string"),
            "county": _nullable("string", description="Slug of its county council."),
            "combined_authority": _nullable(
                "string", description="Slug of its combined authority."
            ),
            "police_force_area": _nullable("string", description="Slug of its police force area."),
            "answers": _ANSWERS,
            "url": {"type": "string", "format": "uri"},
        },
    ),
    "Candidacy": _object(
        "A candidate standing in one election.",
        {
            "election_id": _STRING,
            "ballot_paper_id": _STRING,
            "election_date": {"type": "string", "format": "date"},
            "authority": _nullable("string", description="ONS (GSS) code."),
            "authority_slug": _STRING,
            "post_label": _STRING,
            "party": _STRING,
            "party_slug": _STRING,
            "elected": _nullable("boolean"),
            "votes_cast": _nullable("integer"),
        },
    ),
    "Candidate": _object(
        "A candidate, keyed by Democracy Club person id.",
        {
            "person_id": {"type": "integer"},
            "name": _STRING,
            "candidacies": {"type": "array", "items": _ref("Candidacy")},
            "answers": _ANSWERS,
            "url": {"type": "string", "format": "uri"},
            "democracy_club_url": {"type": "string", "format": "uri"},
        },
    ),
    "Pledge": _object(
        "A recorded answer of one candidate or authority to one recommendation.",
        {
            "id": {"type": "integer"},
            "recommendation": _STRING,
            **_SUBJECT,
            "status": {"enum": STATUSES},
            "delivery": {"enum": DELIVERIES},
            "evidence_url": _nullable("string"),
            "quote": _nullable("string"),
            "date": _nullable("string", format="date", description="When the answer was given."),
            "note": _nullable("string"),
            "version": {"type": "integer", "description": "Also the ETag of GET /pledges/{id}."},
            "updated_at": {"type": "string", "format": "date-time"},
            "url": _nullable("string", format="uri"),
        },
    ),
    "Event": _object(
        "One change to a pledge; events are only ever appended.",
        {
            "id": {"type": "integer"},
            "pledge_id": {"type": "integer"},
            "recommendation": _STRING,
            **_SUBJECT,
            "occurred_at": {"type": "string", "format": "date-time"},
            "from_status": {"enum": [*STATUSES, None]},
            "to_status": {"enum": STATUSES},
            "from_delivery": {"enum": [*DELIVERIES, None]},
            "to_delivery": {"enum": DELIVERIES},
            "evidence_url": _nullable("string"),
            "quote": _nullable("string"),
            "date": _nullable("string", format="date"),
            "note": _nullable("string"),
            "version": {"type": "integer"},
        },
    ),
}
for _name in ("Recommendation", "Authority", "Candidate", "Pledge", "Event"):
    SCHEMAS[f"{_name}Page"] = _page_of(_name)


def _query(name: str, description: str, schema: JSON | None = None) -> JSON:
    """Describe an optional query parameter."""
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or _STRING,
    }


def _path(name: str, description: str, schema: JSON | None = None) -> JSON:
    """Describe a path parameter."""
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema or _STRING,
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
    _query("authority", "An authority's slug or GSS code: its own pledges and its candidates'."),
    _query("party", "A party's slug: its candidates' pledges."),
    _query("candidate", "A Democracy Club person id.", {"type": "integer"}),
]


def _operation(operation_id: str, summary: str, parameters: list[JSON], schema: str) -> JSON:
    """Describe a GET answering JSON with an ETag, 304 on a match, and problems."""
    problem = {"content": {"application/problem+json": {"schema": _ref("Problem")}}}
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": parameters,
            "responses": {
                "200": {
                    "description": "OK. The ETag header identifies this answer.",
                    "headers": {"ETag": {"schema": _STRING}},
                    "content": {"application/json": {"schema": _ref(schema)}},
                },
                "304": {"description": "Not modified: the If-None-Match ETag still holds."},
                "400": {"description": "A malformed parameter.", **problem},
                "404": {"description": "Nothing by that name or id.", **problem},
            },
        }
    }


PATHS: JSON = {
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
        "api.authority", "One authority.", [_path("key", "A slug or a GSS code.")], "Authority"
    ),
    "/candidates": _operation(
        "api.candidates",
        "Candidates, by person id.",
        [
            _query("q", "Words in the name."),
            _query("authority", "An authority's slug or GSS code."),
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


def openapi_document(server_url: str) -> JSON:
    """Return the OpenAPI document, with the API served at `server_url`."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Modern Slavery Pledge Tracker API",
            "version": "1.0.0",
            "summary": "Read-only open data: who pledged the five recommendations.",
            "description": (
                "Lists page by cursor: follow `next` until it is null. Every answer has an "
                "ETag; send it back as If-None-Match to get 304 when nothing changed. "
                "Candidate data derives from Democracy Club (CC BY-SA 4.0)."
            ),
            "license": {"name": "CC BY-SA 4.0", "identifier": "CC-BY-SA-4.0"},
        },
        "servers": [{"url": server_url}],
        "paths": PATHS,
        "components": {"schemas": SCHEMAS},
    }
