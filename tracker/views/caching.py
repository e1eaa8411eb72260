"""Conditional GET for feeds and the API: entity tags, 304 answers and cache headers.

Feed readers poll every few minutes; answering "not modified" from one cheap query
saves building the feed and sending it again.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask import Response, request
from werkzeug.http import is_resource_modified


def etag_for(*parts: object) -> str:
    """Return an entity tag (unquoted) that changes whenever any of the parts does."""
    text = "\x1f".join(str(part) for part in parts)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def is_unchanged(etag: str, last_modified: datetime | None) -> bool:
    """Return whether the client's copy is current, by If-None-Match or If-Modified-Since.

    If-None-Match wins when both are sent, as RFC 9110 requires.
    """
    if request.method not in ("GET", "HEAD"):
        return False
    return not is_resource_modified(request.environ, etag=etag, last_modified=last_modified)


def not_modified(*, etag: str, last_modified: datetime | None, max_age: int) -> Response:
    """Answer 304 with no body, repeating the validators and caching rules."""
    return cacheable(Response(status=304), etag=etag, last_modified=last_modified, max_age=max_age)


def cacheable(
    response: Response, *, etag: str, last_modified: datetime | None, max_age: int
) -> Response:
    """Give a response its validators and let shared caches keep it for `max_age` seconds."""
    response.set_etag(etag)
    if last_modified is not None:
        response.last_modified = last_modified
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    return response
