"""Component schemas of the OpenAPI document, and helpers for writing schemas.

Schemas are strict (every property required, no others allowed) so the tests, which
validate every API answer against them, catch any drift from `tracker.serialise`.
"""

from __future__ import annotations

from typing import Any

from tracker.models import Delivery, PledgeStatus
from tracker.queries.opendata import SUBJECT_KINDS

JSON = dict[str, Any]

STATUSES = [s.value for s in PledgeStatus]
DELIVERIES = [d.value for d in Delivery]


def nullable(kind: str, **extra: Any) -> JSON:
    """Return a schema for a value of `kind` or null."""
    return {"type": [kind, "null"], **extra}


def ref(name: str) -> JSON:
    """Point at a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def strict_object(description: str, properties: JSON) -> JSON:
    """Return a strict object schema: all properties required, no others."""
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def page_of(name: str) -> JSON:
    """Return the schema of one page of a list, with the link to the next page."""
    return strict_object(
        f"A page of {name} results, in key order.",
        {
            "results": {"type": "array", "items": ref(name)},
            "next": nullable(
                "string", format="uri", description="The next page's address, or null on the last."
            ),
        },
    )


STRING = {"type": "string"}
FICTIONAL = {
    "type": "boolean",
    "description": "True for the site's fictional demonstration data, which no count,"
    " chart or ranking on the site includes.",
}
ANSWERS = {
    "type": "object",
    "description": "Each recommendation's slug with the subject's answer to it.",
    "additionalProperties": {"enum": STATUSES},
}
SUBJECT = {
    "subject_type": {"enum": list(SUBJECT_KINDS)},
    "person_id": nullable("integer", description="Democracy Club person id of a candidate."),
    "authority": nullable("string", description="ONS (GSS) code of an authority."),
    "authority_slug": nullable("string", description="The authority's key on this site."),
}

SCHEMAS: JSON = {
    "Problem": strict_object(
        "An error, as RFC 9457 problem details.",
        {"type": STRING, "title": STRING, "status": {"type": "integer"}, "detail": STRING},
    ),
    "Index": strict_object(
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
    "Recommendation": strict_object(
        "One of the five recommendations, in the charity's words.",
        {
            "slug": STRING,
            "position": {"type": "integer"},
            "title": STRING,
            "summary": STRING,
            "body": STRING,
            "theme": strict_object("The campaign theme.", {"slug": STRING, "title": STRING}),
            "source": strict_object(
                "Where the words come from.",
                {
                    "title": STRING,
                    "publisher": STRING,
                    "date": STRING,
                    "url": nullable("string", format="uri"),
                },
            ),
            "url": {"type": "string", "format": "uri"},
        },
    ),
    "Authority": strict_object(
        "A council, combined authority, the GLA or a police force area.",
        {
            "slug": STRING,
            "gss_code": nullable("string"),
            "code": nullable("string"),
            "name": STRING,
            "short_name": STRING,
            "kind": STRING,
            "kind_name": STRING,
            "nation": STRING,
            "region": nullable("string"),
            "county": nullable("string", description="Slug of its county council."),
            "combined_authority": nullable("string", description="Slug of its combined authority."),
            "police_force_area": nullable("string", description="Slug of its police force area."),
            "answers": ANSWERS,
            "url": {"type": "string", "format": "uri"},
            "fictional": FICTIONAL,
        },
    ),
    "Candidacy": strict_object(
        "A candidate standing in one election.",
        {
            "election_id": STRING,
            "ballot_paper_id": STRING,
            "election_date": {"type": "string", "format": "date"},
            "authority": nullable("string", description="ONS (GSS) code."),
            "authority_slug": STRING,
            "post_label": STRING,
            "ward_gss": nullable("string", description="ONS (GSS) code of the ward."),
            "party": STRING,
            "party_slug": STRING,
            "elected": nullable("boolean"),
            "votes_cast": nullable("integer"),
        },
    ),
    "Candidate": strict_object(
        "A candidate, keyed by Democracy Club person id.",
        {
            "person_id": {"type": "integer"},
            "name": STRING,
            "candidacies": {"type": "array", "items": ref("Candidacy")},
            "answers": ANSWERS,
            "url": {"type": "string", "format": "uri"},
            "fictional": FICTIONAL,
            "democracy_club_url": {"type": "string", "format": "uri"},
        },
    ),
    "Pledge": strict_object(
        "A recorded answer of one candidate or authority to one recommendation.",
        {
            "id": {"type": "integer"},
            "recommendation": STRING,
            "subject_name": nullable(
                "string", description="The candidate's or authority's name, as the site shows it."
            ),
            "party": nullable(
                "string",
                description="The candidate's party (latest candidacy); null for an authority.",
            ),
            "authority_name": nullable(
                "string",
                description="The authority whose pledge it is, or that the candidate stood for.",
            ),
            "fictional": FICTIONAL,
            **SUBJECT,
            "status": {"enum": STATUSES},
            "delivery": {"enum": DELIVERIES},
            "evidence_url": nullable("string"),
            "quote": nullable("string"),
            "date": nullable("string", format="date", description="When the answer was given."),
            "note": nullable("string"),
            "version": {"type": "integer", "description": "Also the ETag of GET /pledges/{id}."},
            "updated_at": {"type": "string", "format": "date-time"},
            "url": nullable("string", format="uri"),
        },
    ),
    "Event": strict_object(
        "One change to a pledge; events are only ever appended.",
        {
            "id": {"type": "integer"},
            "pledge_id": {"type": "integer"},
            "recommendation": STRING,
            **SUBJECT,
            "occurred_at": {"type": "string", "format": "date-time"},
            "from_status": {"enum": [*STATUSES, None]},
            "to_status": {"enum": STATUSES},
            "from_delivery": {"enum": [*DELIVERIES, None]},
            "to_delivery": {"enum": DELIVERIES},
            "evidence_url": nullable("string"),
            "quote": nullable("string"),
            "date": nullable("string", format="date"),
            "note": nullable("string"),
            "version": {"type": "integer"},
        },
    ),
}
SCHEMAS["Document"] = strict_object(
    "A strategy, statement or plan the tracker has read, with snippets when searched.",
    {
        "id": {"type": "integer"},
        "title": nullable("string"),
        "authority": {"type": "string", "description": "Slug of the authority that published it."},
        "authority_name": STRING,
        "source_url": {"type": "string", "format": "uri"},
        "content_type": nullable("string"),
        "pages": nullable("integer"),
        "version": {"type": "integer", "description": "How many distinct versions were read."},
        "first_seen": {"type": "string", "format": "date-time"},
        "last_seen": {"type": "string", "format": "date-time"},
        "url": {"type": "string", "format": "uri"},
        "snippets": {
            "type": "array",
            "description": "Up to three passages around the searched words, best first.",
            "items": strict_object(
                "Words around a match; `html` is escaped text with <mark> around matches.",
                {"page": nullable("integer"), "html": STRING},
            ),
        },
    },
)
SCHEMAS["DocumentSearch"] = strict_object(
    "A page of documents: best match first when searching, else newest first.",
    {
        "results": {"type": "array", "items": ref("Document")},
        "total": {"type": "integer", "description": "How many documents match in all."},
        "next": nullable(
            "string", format="uri", description="The next page's address, or null on the last."
        ),
    },
)
for _name in ("Recommendation", "Authority", "Candidate", "Pledge", "Event"):
    SCHEMAS[f"{_name}Page"] = page_of(_name)
