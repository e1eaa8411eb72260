"""A real HTTP reverse proxy and app server on loopback, as a deployment puts them.

`ReverseProxy` forwards each request to the app and appends the client's address to
X-Forwarded-For (and sets X-Forwarded-Proto and -Host), as nginx's
`proxy_add_x_forwarded_for` does. `serve_app` runs a Flask app in a real threaded server.
Clients that bind distinct loopback addresses (127.0.0.0/8 is all local on Linux) look
like distinct clients to the proxy.
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests
from flask import Flask
from requests.adapters import HTTPAdapter
from werkzeug.serving import make_server

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "upgrade", "proxy-connection"}


@contextmanager
def serve_app(app: Flask) -> Iterator[int]:
    """Serve `app` on a loopback port for the block; yield the port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def reverse_proxy(upstream_port: int) -> Iterator[int]:
    """Run a forwarding proxy to the app for the block; yield its port."""

    class Forward(BaseHTTPRequestHandler):
        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            seen = self.headers.get("X-Forwarded-For")
            client = self.client_address[0]
            headers["X-Forwarded-For"] = f"{seen}, {client}" if seen else client
            headers["X-Forwarded-Proto"] = "http"
            headers["X-Forwarded-Host"] = self.headers.get("Host", "")
            upstream = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=30)
            try:
                upstream.request(self.command, self.path, body=body, headers=headers)
                answer = upstream.getresponse()
                payload = answer.read()
                self.send_response(answer.status)
                for name, value in answer.getheaders():
                    if name.lower() not in HOP_BY_HOP | {"content-length"}:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            finally:
                upstream.close()

        do_GET = do_POST = do_PATCH = _forward

        def log_message(self, format: str, *args: Any) -> None:
            """Stay quiet: the test asserts on answers, not on the proxy's log."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Forward)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


class _FromAddress(HTTPAdapter):
    """Open every connection from one local address."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, source_address=(self.address, 0), **kwargs)


def client_at(address: str) -> requests.Session:
    """Return an HTTP client whose connections come from `address` (a loopback address)."""
    session = requests.Session()
    session.trust_env = False
    session.mount("http://", _FromAddress(address))
    return session
