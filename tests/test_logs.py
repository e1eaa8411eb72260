"""Logs are JSON lines carrying the request id; Sentry hears of errors when configured;
gunicorn, run for real with the project's config, logs the same way."""

from __future__ import annotations

import gzip
import io
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask

from tracker import create_app, migrate
from tracker.db import EXTENSION
from tracker.logs import configure_logging

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
log = logging.getLogger("tracker.tests")


def make_app(database_url: str, **overrides: Any) -> Flask:
    """A fresh app with two routes of the test's own: one that logs, one that fails."""
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test", **overrides})

    def noisy() -> str:
        log.info("first line")
        log.warning("second line")
        return "done"

    def broken() -> str:
        return str(1 // 0)

    app.add_url_rule("/_test/noisy", view_func=noisy)
    app.add_url_rule("/_test/broken", view_func=broken)
    return app


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    """Capture what the JSON handler writes during the test."""
    handler = configure_logging()
    assert isinstance(handler, logging.StreamHandler)
    captured = io.StringIO()
    previous = handler.setStream(captured)
    yield captured
    handler.setStream(previous)


def records(captured: io.StringIO) -> list[dict[str, Any]]:
    """Parse every captured line: each must be one JSON object."""
    return [json.loads(line) for line in captured.getvalue().splitlines()]


def test_each_line_is_json_and_carries_the_request_id(
    database_url: str, lines: io.StringIO
) -> None:
    app = make_app(database_url)
    response = app.test_client().get("/_test/noisy", environ_base={"REMOTE_ADDR": "192.0.2.8"})
    request_id = response.headers["X-Request-ID"]
    assert len(request_id) == 32
    mine = [r for r in records(lines) if r["logger"] == "tracker.tests"]
    assert [(r["level"], r["message"]) for r in mine] == [
        ("INFO", "first line"),  # INFO from the app's loggers is kept, not dropped
        ("WARNING", "second line"),
    ]
    for record in mine:
        assert record["request_id"] == request_id
        assert (record["method"], record["path"]) == ("GET", "/_test/noisy")
        assert record["remote_addr"] == "192.0.2.8"
        assert record["time"].endswith("+0000")
    app.extensions[EXTENSION].engine.dispose()


def test_an_unexpected_error_is_logged_with_its_request_id(
    database_url: str, lines: io.StringIO
) -> None:
    app = make_app(database_url)
    response = app.test_client().get("/_test/broken")
    assert response.status_code == 500
    (error,) = [r for r in records(lines) if r["message"] == "unhandled error"]
    assert error["request_id"] == response.headers["X-Request-ID"]
    assert "ZeroDivisionError" in error["exc_info"]
    app.extensions[EXTENSION].engine.dispose()


@pytest.mark.parametrize(
    ("sent", "kept"),
    [("nginx-0123456789abcdef", True), ("short", False), ("a spaced id with <markup>", False)],
)
def test_a_well_formed_request_id_from_the_proxy_is_kept(
    database_url: str, sent: str, kept: bool
) -> None:
    app = make_app(database_url)
    answer = app.test_client().get("/healthz", headers={"X-Request-ID": sent})
    assert (answer.headers["X-Request-ID"] == sent) is kept
    app.extensions[EXTENSION].engine.dispose()


class SentryIntake:
    """A loopback HTTP server taking Sentry's envelopes, as sentry.io would."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.arrived = threading.Event()
        intake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                intake.bodies.append(body)
                intake.arrived.set()
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                """Stay quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.dsn = f"http://publickey@127.0.0.1:{self.server.server_address[1]}/1"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_errors_reach_sentry_when_a_dsn_is_set(database_url: str) -> None:
    import sentry_sdk

    intake = SentryIntake()
    try:
        app = make_app(database_url, SENTRY_DSN=intake.dsn)
        response = app.test_client().get("/_test/broken")
        sentry_sdk.flush(timeout=10)
        assert intake.arrived.wait(10), "Sentry was told nothing"
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.init()  # no DSN: later tests report nothing
        intake.close()
    sent = b"".join(intake.bodies).decode()
    assert "ZeroDivisionError" in sent
    assert response.headers["X-Request-ID"] in sent  # tagged, to find its log lines
    app.extensions[EXTENSION].engine.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_gunicorn_serves_with_the_projects_config_and_logs_json(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'served.db'}"
    migrate.upgrade(url)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TRACKER_INSTANCE": str(tmp_path / "instance"),
        "SECRET_KEY": "test",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
    }
    args = [str(GUNICORN), "-c", "gunicorn.conf.py", "wsgi:app"]
    server = subprocess.Popen(args, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)  # noqa: S603
    try:
        ready = None
        deadline = time.monotonic() + 120
        while ready is None and time.monotonic() < deadline:
            try:
                ready = requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
            except requests.ConnectionError:
                time.sleep(0.5)
        assert ready is not None and ready.status_code == 200, "gunicorn never answered"
    finally:
        server.send_signal(signal.SIGTERM)
        _, err = server.communicate(timeout=60)
    logged = [json.loads(line) for line in err.splitlines() if line.strip()]
    assert sum("Booting worker" in r["message"] for r in logged) == 2
    (access,) = [r for r in logged if r["logger"] == "gunicorn.access"]
    assert access["request_id"] == ready.headers["X-Request-ID"]
    assert (access["path"], access["status"]) == ("/readyz", "200")
