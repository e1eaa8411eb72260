"""Tests for the SSRF guard: unsafe URLs are refused before any connection, DNS is pinned."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import pytest
import trustme
from fetch_fakes import FakeClock, FakeResolver
from pytest_httpserver import HTTPServer

from scrapers.fetch.fetcher import Fetcher, FetchError, FetchFailed, FetchRefused
from scrapers.fetch.netguard import non_public_reason

PUBLIC = "93.184.215.14"
RESOLVER_ANSWERS = {
    "rebind.example": ["10.0.0.5"],
    "mixed.example": [PUBLIC, "192.168.1.10"],
    "metadata.example": ["169.254.169.254"],
    "mapped.example": ["::ffff:10.1.2.3"],
    "localhost": ["127.0.0.1"],
}

# {port} is the test server's, so a probe that slipped past the guard would show in its log.
PROBES = [
    "http://2130706433:{port}/",  # decimal 127.0.0.1
    "http://0x7f000001:{port}/",  # hex
    "http://0177.0.0.1:{port}/",  # octal
    "http://0x7f.0.0.1:{port}/",  # dotted hex
    "http://127.1:{port}/",  # short form
    "http://127.000.000.001:{port}/",  # zero-padded
    "http://0:{port}/",
    "http://127.0.0.1:{port}/",
    "HTTP://127.0.0.1:{port}/",
    "http://localhost:{port}/",
    "http://LOCALHOST.:{port}/",
    "http://api.localhost:{port}/",
    "http://0.0.0.0:{port}/",
    "http://[::1]:{port}/",
    "http://[::]:{port}/",
    "http://[::ffff:127.0.0.1]:{port}/",
    "http://[::ffff:7f00:1]:{port}/",
    "http://[::127.0.0.1]:{port}/",  # IPv4-compatible
    "http://[2002:7f00:1::]:{port}/",  # 6to4 around 127.0.0.1
    "http://[64:ff9b::a00:1]/",  # NAT64 around 10.0.0.1
    "http://10.0.0.1/",
    "http://10.255.255.254:8080/",
    "http://172.16.0.1/",
    "http://172.31.255.254/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",  # shared address space
    "http://100.127.255.254/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fc00::1]/",
    "http://[fd12:3456:789a::1]/",
    "http://[fe80::1]/",
    "http://[fe80::1%25eth0]/",
    "http://224.0.0.1/",  # multicast
    "http://239.255.255.250:1900/",
    "http://[ff02::1]/",
    "http://240.0.0.1/",  # reserved
    "http://255.255.255.255/",
    "http://example.org@127.0.0.1:{port}/",
    "http://user:pass@10.0.0.1:8080/",
    "http://example.org:80@169.254.169.254/",
    "file:///etc/passwd",
    "ftp://example.org/pub/file",
    "gopher://127.0.0.1:{port}/_GET%20/",
    "data:text/plain,hello",
    "javascript:alert(1)",
    "//127.0.0.1:{port}/",  # no scheme
    "http://rebind.example/",  # resolves to a private address
    "http://mixed.example/",  # one public and one private address
    "http://metadata.example/",
    "http://mapped.example/",
]


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Record the address of every socket connect attempted during the test."""
    attempts: list[Any] = []
    real_connect = socket.socket.connect

    def recording_connect(sock: socket.socket, address: Any) -> Any:
        attempts.append(address)
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", recording_connect)
    return attempts


@pytest.fixture
def resolver() -> FakeResolver:
    return FakeResolver(RESOLVER_ANSWERS)


@pytest.fixture
def guarded(resolver: FakeResolver) -> Iterator[Fetcher]:
    """A fetcher with nothing allowed: the production configuration."""
    with Fetcher(resolver=resolver, clock=FakeClock()) as fetcher:
        yield fetcher


@pytest.mark.parametrize("probe", PROBES)
def test_refuses_unsafe_urls_without_connecting(
    httpserver: HTTPServer, guarded: Fetcher, connects: list[Any], probe: str
) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/").respond_with_data("leaked")

    with pytest.raises(FetchRefused) as refused:
        guarded.get(probe.format(port=httpserver.port))

    assert connects == []
    assert httpserver.log == []
    assert str(refused.value).startswith("refused to fetch ")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://2130706433/", "2130706433 is a non-canonical numeric address"),
        ("http://example.org@127.0.0.1/", "127.0.0.1 is a loopback address"),
        ("http://169.254.169.254/", "169.254.169.254 is a link-local address"),
        ("http://mixed.example/", "mixed.example resolves to 192.168.1.10, a private address"),
        (
            "http://[::ffff:127.0.0.1]/",
            "::ffff:127.0.0.1 is a loopback address (IPv4 127.0.0.1 inside IPv6)",
        ),
        ("gopher://example.org/", "only http and https are fetched, not gopher:"),
        ("http://0.0.0.0/", "0.0.0.0 is an unspecified address"),
        ("http://100.64.0.1/", "100.64.0.1 is a shared (carrier-grade NAT) address"),
    ],
)
def test_refusals_say_why_and_for_which_url(guarded: Fetcher, url: str, reason: str) -> None:
    with pytest.raises(FetchRefused) as refused:
        guarded.get(url)

    assert refused.value.url == url
    assert reason in str(refused.value)


def test_public_addresses_pass_the_check() -> None:
    for address in (PUBLIC, "8.8.8.8", "2a00:1450:4009:81d::200e", "2002:5db8:d70e::"):
        assert non_public_reason(ip_address(address)) is None


def test_a_refused_name_is_looked_up_once_and_never_connected(
    guarded: Fetcher, resolver: FakeResolver, connects: list[Any]
) -> None:
    with pytest.raises(FetchRefused, match="10.0.0.5, a private address"):
        guarded.get("http://rebind.example/report.pdf")

    assert resolver.lookups == ["rebind.example"]
    assert connects == []


def test_an_unknown_name_fails_rather_than_being_refused(guarded: Fetcher) -> None:
    with pytest.raises(FetchFailed, match="could not resolve nowhere.example"):
        guarded.get("http://nowhere.example/")


def test_redirect_from_an_allowed_host_to_a_refused_one(
    httpserver: HTTPServer, connects: list[Any]
) -> None:
    internal = HTTPServer()
    internal.expect_request("/secret").respond_with_data("internal only")
    internal.start()
    try:
        httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
        for hop, location in enumerate(
            (f"http://127.0.0.1:{internal.port}/secret", "http://169.254.169.254/latest/")
        ):
            httpserver.expect_request(f"/go{hop}").respond_with_data(
                "", status=302, headers={"Location": location}
            )
        allowed = {f"127.0.0.1:{httpserver.port}"}
        with Fetcher(allow_hosts=allowed, resolver=FakeResolver({}), clock=FakeClock()) as fetcher:
            for hop, refused_url in enumerate(
                (f"http://127.0.0.1:{internal.port}/secret", "http://169.254.169.254/latest/")
            ):
                with pytest.raises(FetchRefused) as refused:
                    fetcher.get(f"http://127.0.0.1:{httpserver.port}/go{hop}")
                assert refused.value.url == refused_url
    finally:
        internal.stop()

    assert internal.log == []
    assert {address[1] for address in connects} == {httpserver.port}


def test_allow_hosts_skip_only_the_address_check_for_that_host_and_port(
    httpserver: HTTPServer,
) -> None:
    allowed = {f"127.0.0.1:{httpserver.port}"}
    with Fetcher(allow_hosts=allowed, resolver=FakeResolver({}), clock=FakeClock()) as fetcher:
        with pytest.raises(FetchRefused, match="loopback"):
            fetcher.get(f"http://127.0.0.1:{httpserver.port + 1}/")
        with pytest.raises(FetchRefused, match="non-canonical"):
            fetcher.get(f"http://2130706433:{httpserver.port}/")
        with pytest.raises(FetchRefused, match="not ftp:"):
            fetcher.get(f"ftp://127.0.0.1:{httpserver.port}/")


def test_connects_to_the_vetted_address_with_the_original_host_header(
    httpserver: HTTPServer, connects: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/doc").respond_with_data("council page")
    resolver = FakeResolver({"council.example": ["127.0.0.1"]})
    real_getaddrinfo = socket.getaddrinfo
    system_lookups: list[str] = []

    def numeric_only(host: str, *args: Any, **kwargs: Any) -> Any:
        system_lookups.append(host)
        return real_getaddrinfo(host, *args, flags=socket.AI_NUMERICHOST)

    monkeypatch.setattr(socket, "getaddrinfo", numeric_only)
    allowed = {f"council.example:{httpserver.port}"}
    with Fetcher(allow_hosts=allowed, resolver=resolver, clock=FakeClock()) as fetcher:
        fetched = fetcher.get(f"http://council.example:{httpserver.port}/doc")

    assert fetched.body == b"council page"
    assert [r.headers["Host"] for r, _ in httpserver.log] == [
        f"council.example:{httpserver.port}"
    ] * 2
    assert resolver.lookups == ["council.example", "council.example"]  # robots.txt, then /doc
    assert set(system_lookups) <= {"127.0.0.1"}  # the socket layer never saw the name
    assert {address[0] for address in connects} == {"127.0.0.1"}


def test_consults_dns_once_per_hop(httpserver: HTTPServer) -> None:
    port = httpserver.port
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/start").respond_with_data(
        "", status=301, headers={"Location": f"http://b.example:{port}/doc"}
    )
    httpserver.expect_request("/doc").respond_with_data("doc")
    resolver = FakeResolver({"a.example": ["127.0.0.1"], "b.example": ["127.0.0.1"]})
    allowed = {f"a.example:{port}", f"b.example:{port}"}
    with Fetcher(allow_hosts=allowed, resolver=resolver, clock=FakeClock()) as fetcher:
        fetcher.get(f"http://a.example:{port}/start")
        assert resolver.lookups == ["a.example", "a.example", "b.example", "b.example"]
        resolver.lookups.clear()
        fetcher.get(f"http://a.example:{port}/start")  # robots.txt now cached

    assert resolver.lookups == ["a.example", "b.example"]


@pytest.fixture(scope="module")
def tls_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def tls_server(tls_ca: trustme.CA) -> Iterator[tuple[HTTPServer, list[str | None]]]:
    """An HTTPS server holding a certificate for council.example only; records the SNI sent."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls_ca.issue_cert("council.example").configure_cert(context)
    server_names: list[str | None] = []
    context.sni_callback = lambda _sock, name, _ctx: server_names.append(name)
    server = HTTPServer(ssl_context=context)
    server.expect_request("/robots.txt").respond_with_data("", status=404)
    server.expect_request("/doc").respond_with_data("over tls")
    server.start()
    yield server, server_names
    server.stop()


def test_https_keeps_sni_and_certificate_checks_for_the_original_name(
    tls_ca: trustme.CA, tls_server: tuple[HTTPServer, list[str | None]], tmp_path: Path
) -> None:
    server, server_names = tls_server
    bundle = tmp_path / "ca.pem"
    tls_ca.cert_pem.write_to_path(str(bundle))
    resolver = FakeResolver({"council.example": ["127.0.0.1"], "impostor.example": ["127.0.0.1"]})
    allowed = {f"council.example:{server.port}", f"impostor.example:{server.port}"}
    with Fetcher(
        allow_hosts=allowed, resolver=resolver, clock=FakeClock(), ca_bundle=str(bundle)
    ) as fetcher:
        assert fetcher.get(f"https://council.example:{server.port}/doc").body == b"over tls"
        assert set(server_names) == {"council.example"}
        # Same address, but the certificate does not name impostor.example.
        with pytest.raises(FetchError, match="certificate|hostname"):
            fetcher.get(f"https://impostor.example:{server.port}/doc")

    assert [request.headers["Host"] for request, _ in server.log] == [
        f"council.example:{server.port}"
    ] * 2
