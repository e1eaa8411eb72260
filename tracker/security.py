"""Security headers on every response, and a guard against text no database can hold."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, Response, abort, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

from tracker.dbtypes import MAX_INTEGER

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


NUL_REFUSED = (
    "The request contains a NUL character (%00), which the tracker cannot store or search "
    "for. Remove it and try again."
)


class IdConverter(IntegerConverter):
    """Match `<int:...>` only up to the largest id the database holds; past it is a 404."""

    def __init__(self, url_map: Map, fixed_digits: int = 0, min: int | None = None) -> None:
        super().__init__(url_map, fixed_digits, min, MAX_INTEGER)


def init_app(app: Flask) -> None:
    """Trust exactly the configured proxies, add the headers to every response, refuse NUL
    characters and ids out of range.

    Call this before registering blueprints, so their `<int:...>` rules use IdConverter.
    """
    trust_proxies(app, int(app.config.get("TRUSTED_PROXIES", 0)))
    app.url_map.converters["int"] = IdConverter
    app.before_request(_refuse_nul)
    app.after_request(_add_headers)


def trust_proxies(app: Flask, hops: int) -> None:
    """Read the client's address, scheme and host from the last `hops` proxies' headers.

    Behind a reverse proxy every request comes from the proxy's address, so sign-in
    throttling and logs would treat all clients as one. Only the configured number of hops
    is believed: anything a client puts in X-Forwarded-For before them is ignored, so a
    client cannot pose as another by sending the header itself.
    """
    if hops > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )


def _refuse_nul() -> None:
    """Refuse a NUL in the address, the query or a form with 400.

    PostgreSQL cannot hold NUL in text, not even as a query parameter, so one `%00` in a
    filter or a form field would otherwise end in a 500.
    """
    texts = [request.path, *_pairs(request.args.items(multi=True))]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        texts += _pairs(request.form.items(multi=True))
        texts += [upload.filename or "" for _, upload in request.files.items(multi=True)]
    if any("\x00" in text for text in texts):
        abort(400, description=NUL_REFUSED)


def _pairs(items: Iterable[tuple[str, str]]) -> list[str]:
    """Flatten (name, value) pairs into one list of text."""
    return [text for pair in items for text in pair]


def _add_headers(response: Response) -> Response:
    """Forbid inline script, framing and MIME sniffing; keep referrers on this site."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if not current_app.debug:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response
