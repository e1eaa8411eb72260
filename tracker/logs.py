"""Logs as JSON lines with a request id, and optional error reports to Sentry.

Without configuration Python drops `log.info` (the root logger has no handler) and prints
warnings as bare text, so a deployment's log collector gets nothing it can search. Every
line is one JSON object instead, and lines written while a request is handled carry its
`request_id` (also sent back as `X-Request-ID`, so a campaigner's report of a failure can be
matched to its lines), the method, the path and the client's real address (after ProxyFix).
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time
import uuid
from collections.abc import Mapping
from typing import IO, Any

from flask import Flask, Response, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID = "X-Request-ID"
# An id the proxy sent is kept (nginx's $request_id, say) if it looks like one.
_GOOD_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
APP_LOGGERS = ("tracker", "scrapers")
FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
RENAMED_FIELDS = {"asctime": "time", "levelname": "level", "name": "logger"}


class RequestFields(logging.Filter):
    """Add the request's id, method, path and client address to each line written in it."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Annotate the record (never drop it)."""
        if has_request_context():
            record.request_id = g.get("request_id")
            record.method = request.method
            record.path = request.path
            record.remote_addr = request.remote_addr
        return True


def json_formatter() -> JsonFormatter:
    """Return the formatter every handler uses: one JSON object a line, times in UTC."""
    formatter = JsonFormatter(
        FORMAT,
        rename_fields=RENAMED_FIELDS,
        datefmt=DATE_FORMAT,
    )
    formatter.converter = time.gmtime
    return formatter


class AccessFormatter(JsonFormatter):
    """Gunicorn's access log as JSON: each request's atoms become fields, properly escaped.

    Gunicorn passes the atoms (`h`, `s`, `{x-request-id}o`, …) as the record's args; a
    JSON-looking `access_log_format` would break on a user agent holding a quote.
    """

    ATOMS = {
        "{x-request-id}o": "request_id",
        "h": "peer",
        "{x-forwarded-for}i": "forwarded_for",
        "m": "method",
        "U": "path",
        "s": "status",
        "B": "bytes",
        "M": "duration_ms",
        "a": "user_agent",
    }

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        """Add the named atoms to the line, next to the usual fields."""
        super().add_fields(log_data, record, message_dict)
        atoms = record.args
        if isinstance(atoms, Mapping):
            for atom, field in self.ATOMS.items():
                log_data[field] = atoms[atom]


class _JsonHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The one handler this module installs on the root logger (found again by type)."""


def configure_logging(level: str = "INFO", stream: IO[str] | None = None) -> logging.Handler:
    """Send every log line to stderr as JSON, with the app's loggers at `level`.

    Safe to call again (each app the tests build does): the handler is installed once.
    """
    root = logging.getLogger()
    handler = next((h for h in root.handlers if isinstance(h, _JsonHandler)), None)
    if handler is None:
        handler = _JsonHandler(stream or sys.stderr)
        handler.setFormatter(json_formatter())
        handler.addFilter(RequestFields())
        root.addHandler(handler)
    if root.level > logging.WARNING or root.level == logging.NOTSET:
        root.setLevel(logging.WARNING)  # libraries: warnings and worse
    for name in APP_LOGGERS:
        logging.getLogger(name).setLevel(level)
    return handler


def init_app(app: Flask) -> None:
    """Configure logging and Sentry for the app, and give every request an id."""
    configure_logging(str(app.config.get("LOG_LEVEL", "INFO")))
    init_sentry(app.config.get("SENTRY_DSN"))
    app.before_request(_assign_request_id)
    app.after_request(_send_request_id)


def init_sentry(dsn: str | None) -> bool:
    """Report unhandled errors and error-level log lines to Sentry when a DSN is set.

    No personal data is sent: the tracker holds campaigners' emails and passwords pass
    through it.
    """
    if not dsn:
        return False
    # Imported only when wanted: it adds half a second to every command's start.
    import sentry_sdk
    from sentry_sdk.integrations.flask import FlaskIntegration

    sentry_sdk.init(
        dsn=dsn,
        integrations=[FlaskIntegration()],
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
        # No user details, request bodies, SQL parameters or local variables (a sign-in's
        # password is one): the request id is enough to find the rest in the logs.
        data_collection={
            "user_info": False,
            "http_bodies": [],
            "database_query_data": False,
            "stack_frame_variables": False,
        },
    )
    return True


def _assign_request_id() -> None:
    """Keep a well-formed id the proxy sent, or make one."""
    sent = request.headers.get(REQUEST_ID, "")
    g.request_id = sent if _GOOD_ID.fullmatch(sent) else uuid.uuid4().hex
    if "sentry_sdk" in sys.modules:  # set up by init_sentry, or by whoever imported it
        import sentry_sdk

        if sentry_sdk.get_client().is_active():
            sentry_sdk.set_tag("request_id", g.request_id)


def _send_request_id(response: Response) -> Response:
    """Name the request's id in the response, for matching reports to log lines."""
    if "request_id" in g:
        response.headers[REQUEST_ID] = g.request_id
    return response
