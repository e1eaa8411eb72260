"""Send each request to the address the guard vetted, never to a fresh DNS answer.

Left alone, requests would look the host up again when it connects, and a hostile DNS server
can answer that second lookup with 127.0.0.1 (DNS rebinding). `PinnedAdapter` instead opens its
urllib3 pool on the vetted IP literal and keeps the original name wherever the server or TLS
needs it: the Host header, the TLS SNI (`server_hostname`) and certificate hostname checking
(`assert_hostname`). A request that carries no vetted address is refused, so a misuse fails
closed rather than falling back to ordinary DNS. Its pools hold deadline-aware connections
(`scrapers.fetch.deadline`), so no request outlives its fetch's deadline.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from requests import PreparedRequest
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import ConnectionPool

from scrapers.fetch.deadline import DeadlineHTTPPool, DeadlineHTTPSPool
from scrapers.fetch.errors import FetchRefused
from scrapers.fetch.netguard import Target


class PinnedRequest(PreparedRequest):
    """A prepared request that knows its vetted target and which of its addresses to use."""

    def __init__(self, target: Target) -> None:
        super().__init__()
        self.target = target
        self.address = target.addresses[0]


class PinnedAdapter(HTTPAdapter):
    """Connect every request to its pinned address, speaking HTTP(S) to the original name."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        """Build the pool manager with pools whose sockets obey the fetch's deadline."""
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": DeadlineHTTPPool,
            "https": DeadlineHTTPSPool,
        }

    def get_connection_with_tls_context(
        self,
        request: PreparedRequest,
        verify: bool | str | None,
        proxies: Mapping[str, str] | None = None,
        cert: tuple[str, str] | str | None = None,
    ) -> ConnectionPool:
        """Return a pool on the vetted IP whose TLS layer still checks the original name."""
        pinned = _pinned(request)
        if proxies:
            # A proxy would resolve the name itself, undoing the pin.
            raise FetchRefused(str(request.url), "requests through a proxy cannot be pinned")
        _, pool_kwargs = self.build_connection_pool_key_attributes(
            request, True if verify is None else verify, cert
        )
        options: dict[str, Any] = dict(pool_kwargs)
        if pinned.target.scheme == "https":
            options.update(server_hostname=pinned.target.host, assert_hostname=pinned.target.host)
        pool: ConnectionPool = self.poolmanager.connection_from_host(
            host=pinned.address,
            port=pinned.target.port,
            scheme=pinned.target.scheme,
            pool_kwargs=options,
        )
        return pool

    def add_headers(self, request: PreparedRequest, **kwargs: Any) -> None:
        """Name the original host, since the connection itself only knows the IP."""
        request.headers["Host"] = _pinned(request).target.host_header


def _pinned(request: PreparedRequest) -> PinnedRequest:
    """Return the request as a PinnedRequest, refusing any that was not vetted."""
    if not isinstance(request, PinnedRequest):
        raise FetchRefused(str(request.url), "request has no vetted address")
    return request
