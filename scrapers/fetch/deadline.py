"""One wall-clock deadline per fetch, enforced on the socket itself.

Socket timeouts bound each `recv`, not the whole exchange: a server that sends one byte a
second never trips a 30 s read timeout and can hold a fetch forever. So every fetch runs
inside a `Deadline`. Each connection it uses registers its socket (a new one when it is
opened, a pooled one when it sends a request), and a timer shuts those sockets down when the
deadline passes, whatever the fetch is doing then: connecting, in the TLS handshake, waiting
for headers or reading the body. The blocked read then returns at once and the fetcher, seeing
`expired`, reports the deadline rather than the broken connection it causes.

The timer runs on real time, not the fetcher's injectable clock: it races real sockets.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from typing import Any

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool


class Deadline:
    """A point in real time after which every socket the fetch registered is shut down."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._expires = time.monotonic() + seconds
        self._lock = threading.Lock()
        self._held: list[socket.socket] = []
        self._timer: threading.Timer | None = None
        self.expired = False

    def remaining(self) -> float:
        """Return the seconds left, never below zero."""
        return max(0.0, self._expires - time.monotonic())

    def watch(self, sock: socket.socket) -> None:
        """Shut `sock` down when the deadline passes (at once if it has passed already).

        A duplicate descriptor is kept rather than the socket object, because wrapping a
        socket in TLS detaches the original object; shutting down any descriptor of a
        socket stops reads on all of them.
        """
        try:
            held = socket.fromfd(sock.fileno(), sock.family, sock.type)
        except OSError:  # closed already: nothing left to stop
            return
        with self._lock:
            self._held.append(held)
            if self.expired:
                _shut(held)
            elif self._timer is None:
                self._timer = threading.Timer(self.remaining(), self._expire)
                self._timer.daemon = True
                self._timer.start()

    def close(self) -> None:
        """Stop the timer and let go of the registered sockets."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            for held in self._held:
                held.close()
            self._held.clear()

    def _expire(self) -> None:
        """Mark the deadline passed and shut every registered socket down."""
        with self._lock:
            self.expired = True
            for held in self._held:
                _shut(held)


def _shut(sock: socket.socket) -> None:
    """Shut a socket down in both directions; one already closed needs nothing."""
    with suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


_current: ContextVar[Deadline | None] = ContextVar("fetch_deadline", default=None)


@contextmanager
def deadline(seconds: float) -> Iterator[Deadline]:
    """Run the block's connections under a deadline `seconds` from now."""
    limit = Deadline(seconds)
    token = _current.set(limit)
    try:
        yield limit
    finally:
        _current.reset(token)
        limit.close()


def _watch(sock: socket.socket | None) -> None:
    """Register a socket with the current fetch's deadline, if there is one."""
    limit = _current.get()
    if limit is not None and sock is not None:
        limit.watch(sock)


class _DeadlineConnection(HTTPConnection):
    """An HTTP connection whose sockets obey the current fetch's deadline."""

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _watch(sock)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        """Send a request, first registering a pooled connection's socket with the deadline."""
        _watch(self.sock)
        super().request(*args, **kwargs)


class _DeadlineHTTPSConnection(_DeadlineConnection, HTTPSConnection):
    """An HTTPS connection whose sockets obey the current fetch's deadline."""


class DeadlineHTTPPool(HTTPConnectionPool):
    """A pool of deadline-aware HTTP connections."""

    ConnectionCls = _DeadlineConnection


class DeadlineHTTPSPool(HTTPSConnectionPool):
    """A pool of deadline-aware HTTPS connections."""

    ConnectionCls = _DeadlineHTTPSConnection
