"""A local stand-in for many council websites, for the crawl benchmark.

One threaded HTTP/1.1 server on a loopback port answers for every host name the crawler
resolves to it: `/robots.txt` allows everything, `/documents/<n>` serves the n-th corpus
document in turn (real council PDFs, Word files, web pages and extracts, with their content
types), and `/pages/<n>` a short fictional web page that costs next to nothing to read, to
time the fetching alone. Every answer waits `--latency` seconds first, like a distant
server.
Run by `bench.crawl`; on its own: `python -m bench.crawl_server --port 8123`.
"""

from __future__ import annotations

import argparse
import mimetypes
import sys
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus"
ROBOTS = b"User-agent: *\nDisallow:\n"
PAGE = (
    "<!doctype html><html><head><title>Fictional council page {n}</title></head><body>"
    "<h1>Fictional council page {n}</h1><p>This page of a made-up council says nothing "
    "about any recommendation.</p></body></html>"
)
SUFFIXES = {".pdf", ".docx", ".html", ".txt"}


def corpus_files() -> list[Path]:
    """Return the corpus documents the server hands out, in a fixed order."""
    return sorted(p for p in CORPUS.iterdir() if p.is_file() and p.suffix in SUFFIXES)


def content_type(path: Path) -> str:
    """Return the Content-Type a council's server would send for the file."""
    if path.suffix == ".docx":
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"{guessed}; charset=utf-8" if guessed.startswith("text/") else guessed


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until killed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args(argv)
    documents = [(path.read_bytes(), content_type(path)) for path in corpus_files()]
    latency = args.latency

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real web server
        # Headers and body go out as two writes; with Nagle's algorithm on, the body waits
        # for the client's delayed ACK of the headers, 40 ms a response on Linux that no
        # production server adds. The latency under test is the one set by --latency.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            time.sleep(latency)
            if self.path == "/robots.txt":
                self._answer(200, ROBOTS, "text/plain")
            elif self.path.startswith("/documents/") and self.path[11:].isdigit():
                body, kind = documents[int(self.path[11:]) % len(documents)]
                self._answer(200, body, kind)
            elif self.path.startswith("/pages/") and self.path[7:].isdigit():
                page = PAGE.format(n=int(self.path[7:])).encode()
                self._answer(200, page, "text/html; charset=utf-8")
            else:
                self._answer(404, b"not found\n", "text/plain")

        def _answer(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            """Keep quiet: thousands of requests would drown the benchmark's output."""

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 1024

    with Server(("127.0.0.1", args.port), Handler) as server:
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
