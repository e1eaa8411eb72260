"""The OpenAPI 3.1 description of /api/v1, built from Python data.

`schemas` holds the component schemas, `reads` and `writes` the operations. To add an
operation, add it to READS or WRITES (and its schemas to SCHEMAS); a test checks the
documented paths and methods against the app's routes.
"""

from __future__ import annotations

from tracker.openapi.reads import READS
from tracker.openapi.schemas import JSON, SCHEMAS
from tracker.openapi.writes import SECURITY_SCHEMES, WRITE_SCHEMAS, WRITES


def _merge(*groups: JSON) -> JSON:
    """Combine path items, keeping every method of a path shared by several groups."""
    paths: JSON = {}
    for group in groups:
        for path, operations in group.items():
            paths.setdefault(path, {}).update(operations)
    return paths


PATHS = _merge(READS, WRITES)


def openapi_document(server_url: str) -> JSON:
    """Return the OpenAPI document, with the API served at `server_url`."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Modern Slavery Pledge Tracker API",
            "version": "1.0.0",
            "summary": "Open data on who pledged the five recommendations, and a write API.",
            "description": (
                "Lists page by cursor: follow `next` until it is null. Every answer has an "
                "ETag; send it back as If-None-Match to get 304 when nothing changed. "
                "Candidate data derives from Democracy Club (CC BY-SA 4.0). Writes need a "
                "campaigner's token and, to change a pledge, If-Match with its ETag."
            ),
            "license": {"name": "CC BY-SA 4.0", "identifier": "CC-BY-SA-4.0"},
        },
        "servers": [{"url": server_url}],
        "paths": PATHS,
        "components": {
            "schemas": {**SCHEMAS, **WRITE_SCHEMAS},
            "securitySchemes": SECURITY_SCHEMES,
        },
    }
