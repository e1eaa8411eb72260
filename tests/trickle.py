"""A real HTTP server on loopback that answers one byte at a time, to test fetch deadlines."""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType

HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n"
NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class TrickleServer:
    """Answer robots.txt with a 404 at once, and any other path a byte every `pause` s.

    `part` says what trickles: "headers" (the status line and headers themselves) or
    "body" (the headers come at once, then a body that never ends in time). `asked` is set
    when a document request arrives; `close()` ends every connection.
    """

    def __init__(self, part: str, pause: float = 1.0) -> None:
        self.part = part
        self.pause = pause
        self.asked = threading.Event()
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def __enter__(self) -> TrickleServer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def url(self, path: str = "/doc.txt") -> str:
        """Return this server's address for `path`."""
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        """Stop answering and close the listening socket."""
        self._stop.set()
        self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            request = conn.recv(65536)
            if request.startswith(b"GET /robots.txt"):
                conn.sendall(NOT_FOUND)
                return
            self.asked.set()
            if self.part == "body":
                conn.sendall(HEAD)
                drip = b"x" * 100000
            else:
                drip = HEAD
            for byte in drip:
                if self._stop.wait(self.pause):
                    return
                conn.sendall(bytes([byte]))
