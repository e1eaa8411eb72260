"""The API's write operations: changing and creating pledges with a bearer token."""

from __future__ import annotations

from tracker.openapi.schemas import DELIVERIES, JSON, STATUSES, STRING, nullable, ref

SECURITY_SCHEMES: JSON = {
    "token": {
        "type": "http",
        "scheme": "bearer",
        "description": "A campaigner's API token, from /campaign/tokens or `tracker create-token`.",
    }
}

_EDITABLE: JSON = {
    "status": {"enum": STATUSES},
    "delivery": {"enum": DELIVERIES, "description": "Only rated once pledged or partial."},
    "evidence_url": nullable("string", format="uri", description="An http(s) address."),
    "quote": nullable("string"),
    "date": nullable("string", format="date", description="When it was said; not in future."),
    "note": nullable("string"),
}

WRITE_SCHEMAS: JSON = {
    "PledgeChange": {
        "type": "object",
        "description": (
            "The fields to change; others keep their values. Pledged, partial and declined "
            "need evidence (evidence_url or quote). The pledge's own read-only fields may be "
            "sent back unchanged."
        ),
        "properties": {
            **_EDITABLE,
            **{
                name: {}
                for name in (
                    "id",
                    "version",
                    "updated_at",
                    "url",
                    "subject_type",
                    "authority_slug",
                    "recommendation",
                    "person_id",
                    "authority",
                )
            },
        },
        "additionalProperties": False,
    },
    "NewPledge": {
        "type": "object",
        "description": "A subject's first answer: give person_id or authority, not both.",
        "properties": {
            "recommendation": {**STRING, "description": "The recommendation's slug."},
            "person_id": {"type": "integer", "description": "A Democracy Club person id."},
            "authority": {
                **STRING,
                "description": "An authority's GSS code, mySociety code or slug.",
            },
            **_EDITABLE,
        },
        "required": ["recommendation", "status"],
        "additionalProperties": False,
    },
    "ValidationProblem": {
        "type": "object",
        "description": "Problem details with a message per field that needs fixing.",
        "properties": {
            "type": STRING,
            "title": STRING,
            "status": {"type": "integer"},
            "detail": STRING,
            "errors": {"type": "object", "additionalProperties": STRING},
        },
        "required": ["type", "title", "status", "detail", "errors"],
        "additionalProperties": False,
    },
}

_PROBLEM = {"content": {"application/problem+json": {"schema": ref("Problem")}}}
_PLEDGE = {
    "headers": {"ETag": {"schema": STRING, "description": "The pledge's new version."}},
    "content": {"application/json": {"schema": ref("Pledge")}},
}
_REFUSALS: JSON = {
    "401": {"description": "No valid API token.", **_PROBLEM},
    "403": {"description": "The token's account may not change pledges.", **_PROBLEM},
    "415": {"description": "The body was not JSON.", **_PROBLEM},
    "422": {
        "description": "Fields that break the rules, each with a message.",
        "content": {"application/problem+json": {"schema": ref("ValidationProblem")}},
    },
}


def _body(schema: str) -> JSON:
    """Describe a required JSON request body."""
    return {"required": True, "content": {"application/json": {"schema": ref(schema)}}}


WRITES: JSON = {
    "/pledges/{pledge_id}": {
        "patch": {
            "operationId": "api.update_pledge",
            "summary": "Change a pledge, if it is still at the version you read.",
            "security": [{"token": []}],
            "parameters": [
                {
                    "name": "pledge_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer"},
                    "description": "The pledge's id.",
                },
                {
                    "name": "If-Match",
                    "in": "header",
                    "required": True,
                    "schema": STRING,
                    "description": 'The ETag of GET /pledges/{pledge_id}, e.g. "3".',
                },
            ],
            "requestBody": _body("PledgeChange"),
            "responses": {
                "200": {"description": "Saved (or nothing to change).", **_PLEDGE},
                "404": {"description": "No such pledge.", **_PROBLEM},
                "412": {"description": "Changed since you read it: GET it again.", **_PROBLEM},
                "428": {"description": "If-Match is missing.", **_PROBLEM},
                **_REFUSALS,
            },
        }
    },
    "/pledges": {
        "post": {
            "operationId": "api.create_pledge",
            "summary": "Record a subject's first answer to a recommendation.",
            "security": [{"token": []}],
            "requestBody": _body("NewPledge"),
            "responses": {
                "201": {"description": "Created; Location is its address.", **_PLEDGE},
                "409": {"description": "It already has one: PATCH that (Location).", **_PROBLEM},
                **_REFUSALS,
            },
        }
    },
}
