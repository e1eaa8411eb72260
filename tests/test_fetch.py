"""Tests for the polite half of the fetcher: results, redirects, caps, retries, robots, throttle."""

from __future__ import annotations

import gzip
import hashlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import FrozenInstanceError
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from fetch_fakes import START, FakeClock, FakeResolver
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from scrapers.fetch.fetcher import Fetcher, FetchFailed, FetchRefused, allow_hosts_from_env
from scrapers.fetch.robots import parse_robots
from scrapers.fetch.throttle import HostThrottle
from tests.trickle import TrickleServer

CORPUS = Path(__file__).parent / "corpus"
PDF = CORPUS / "f01_derbyshire-cc-modern-slavery-statement-2018-to-2019.pdf"
STOCKPORT = CORPUS / "robots" / "r01_stockport_gov_uk_robots.txt"
EAST_SUSSEX = CORPUS / "robots" / "r04_eastsussex_gov_uk_robots.txt"
HOSTS = ("council.example", "other.example")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_fetcher(
    httpserver: HTTPServer,
    clock: FakeClock,
    addresses: tuple[str, ...] = ("127.0.0.1",),
    **options: Any,
) -> Fetcher:
    """Build a fetcher that may reach the test server under two made-up names."""
    resolver = FakeResolver(dict.fromkeys(HOSTS, addresses))
    allowed = {f"{host}:{httpserver.port}" for host in HOSTS}
    return Fetcher(allow_hosts=allowed, resolver=resolver, clock=clock, **options)


@pytest.fixture
def fetcher(httpserver: HTTPServer, clock: FakeClock) -> Iterator[Fetcher]:
    with make_fetcher(httpserver, clock) as fetcher:
        yield fetcher


@pytest.fixture
def base(httpserver: HTTPServer) -> str:
    return f"http://council.example:{httpserver.port}"


@pytest.fixture
def site(httpserver: HTTPServer, base: str) -> str:
    """The test server with no robots.txt, which allows everything."""
    httpserver.expect_request("/robots.txt").respond_with_data("Not found", status=404)
    return base


def paths(httpserver: HTTPServer) -> list[str]:
    """List the paths the server was asked for, in order."""
    return [request.path for request, _ in httpserver.log]


def test_fetches_a_real_pdf_with_hash_and_type(
    httpserver: HTTPServer, fetcher: Fetcher, site: str, clock: FakeClock
) -> None:
    body = PDF.read_bytes()
    httpserver.expect_request("/statement.pdf").respond_with_data(
        body, content_type="application/pdf", headers={"ETag": '"v1"'}
    )

    fetched = fetcher.get(f"{site}/statement.pdf")

    assert fetched.status == 200
    assert fetched.body == body
    assert fetched.sha256 == hashlib.sha256(body).hexdigest()
    assert fetched.content_type == "application/pdf"
    assert fetched.etag == '"v1"'
    assert fetched.final_url == fetched.url == f"{site}/statement.pdf"
    assert fetched.redirects == ()
    assert fetched.fetched_at == clock.now()
    assert fetched.fetched_at.utcoffset() == timedelta(0)
    with pytest.raises(FrozenInstanceError):
        fetched.status = 500  # type: ignore[misc]


def test_sends_the_named_user_agent(httpserver: HTTPServer, fetcher: Fetcher, site: str) -> None:
    httpserver.expect_request("/page").respond_with_data("ok")

    fetcher.get(f"{site}/page")

    request, _ = httpserver.log[-1]
    assert request.headers["User-Agent"].startswith("PledgeTracker/0.1 (+https://")


def test_conditional_get_returns_a_bodyless_304(
    httpserver: HTTPServer, fetcher: Fetcher, site: str
) -> None:
    validators = {"If-None-Match": '"v1"', "If-Modified-Since": "Sat, 01 Mar 2025 10:00:00 GMT"}
    httpserver.expect_request("/doc", headers=validators).respond_with_data("", status=304)

    fetched = fetcher.get(f"{site}/doc", etag='"v1"', last_modified="Sat, 01 Mar 2025 10:00:00 GMT")

    assert fetched.status == 304
    assert fetched.body == b""
    assert fetched.etag == '"v1"'
    assert fetched.last_modified == "Sat, 01 Mar 2025 10:00:00 GMT"


def test_follows_a_redirect_chain_with_relative_locations(
    httpserver: HTTPServer, fetcher: Fetcher, site: str
) -> None:
    httpserver.expect_request("/a").respond_with_data(
        "", status=301, headers={"Location": f"{site}/b/"}
    )
    httpserver.expect_request("/b/").respond_with_data("", status=302, headers={"Location": "c"})
    httpserver.expect_request("/b/c").respond_with_data(
        "", status=307, headers={"Location": "/final#section"}
    )
    httpserver.expect_request("/final").respond_with_data("done")

    fetched = fetcher.get(f"{site}/a")

    assert fetched.body == b"done"
    assert fetched.final_url == f"{site}/final"
    assert fetched.redirects == (f"{site}/a", f"{site}/b/", f"{site}/b/c")
    assert paths(httpserver) == ["/robots.txt", "/a", "/b/", "/b/c", "/final"]


def test_follows_five_redirects_but_not_six(
    httpserver: HTTPServer, fetcher: Fetcher, site: str
) -> None:
    for hop in range(7):
        httpserver.expect_request(f"/r{hop}").respond_with_data(
            "", status=302, headers={"Location": f"/r{hop + 1}"}
        )
    httpserver.expect_request("/r7").respond_with_data("end")

    assert fetcher.get(f"{site}/r2").redirects == tuple(f"{site}/r{n}" for n in range(2, 7))
    httpserver.clear_log()
    with pytest.raises(FetchFailed, match="more than 5 redirects"):
        fetcher.get(f"{site}/r1")
    assert paths(httpserver) == [f"/r{n}" for n in range(1, 7)]


def test_each_redirect_hop_is_checked_against_robots(
    httpserver: HTTPServer, fetcher: Fetcher, base: str
) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /admin")
    httpserver.expect_request("/old").respond_with_data(
        "", status=301, headers={"Location": "/admin/secret"}
    )

    with pytest.raises(FetchRefused, match="robots.txt disallows") as refused:
        fetcher.get(f"{base}/old")

    assert refused.value.url == f"{base}/admin/secret"
    assert paths(httpserver) == ["/robots.txt", "/old"]


def test_redirect_to_another_host_reads_that_hosts_robots(
    httpserver: HTTPServer, fetcher: Fetcher, site: str
) -> None:
    other = f"http://other.example:{httpserver.port}"
    httpserver.expect_request("/moved").respond_with_data(
        "", status=302, headers={"Location": f"{other}/here"}
    )
    httpserver.expect_request("/here").respond_with_data("here")

    fetcher.get(f"{site}/moved")

    hosts = [(request.headers["Host"].split(":")[0], request.path) for request, _ in httpserver.log]
    assert hosts == [
        ("council.example", "/robots.txt"),
        ("council.example", "/moved"),
        ("other.example", "/robots.txt"),
        ("other.example", "/here"),
    ]


def test_refuses_a_declared_body_over_the_cap(
    httpserver: HTTPServer, site: str, clock: FakeClock
) -> None:
    httpserver.expect_request("/big").respond_with_data(b"x" * 5000)

    with (
        make_fetcher(httpserver, clock, max_bytes=1000) as small,
        pytest.raises(FetchFailed, match="Content-Length 5000 is over the 1000-byte cap"),
    ):
        small.get(f"{site}/big")


def test_aborts_a_streamed_body_once_past_the_cap(
    httpserver: HTTPServer, site: str, clock: FakeClock
) -> None:
    sent = []

    def endless(request: Request) -> Response:
        def chunks() -> Iterator[bytes]:
            for _ in range(100_000):  # 100 MB if read to the end
                sent.append(1)
                yield b"y" * 1024

        return Response(chunks())  # no Content-Length: chunked transfer

    httpserver.expect_request("/stream").respond_with_handler(endless)

    with (
        make_fetcher(httpserver, clock, max_bytes=10_000) as small,
        pytest.raises(FetchFailed, match="passed the 10000-byte cap"),
    ):
        small.get(f"{site}/stream")
    assert len(sent) < 100_000  # the server was cut off, not read to the end


def test_stops_a_gzip_bomb_after_decoding(
    httpserver: HTTPServer, fetcher: Fetcher, site: str
) -> None:
    bomb = gzip.compress(b"\0" * (26 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 100_000  # the wire size is far under the default 25 MB cap
    httpserver.expect_request("/bomb").respond_with_data(
        bomb, headers={"Content-Encoding": "gzip"}, content_type="text/html"
    )

    with pytest.raises(FetchFailed, match=f"passed the {25 * 1024 * 1024}-byte cap once decoded"):
        fetcher.get(f"{site}/bomb")


def test_decodes_ordinary_gzip(httpserver: HTTPServer, fetcher: Fetcher, site: str) -> None:
    httpserver.expect_request("/page").respond_with_data(
        gzip.compress(b"<p>hello</p>"), headers={"Content-Encoding": "gzip"}
    )

    assert fetcher.get(f"{site}/page").body == b"<p>hello</p>"


def test_retries_503_after_the_retry_after_seconds(
    httpserver: HTTPServer, fetcher: Fetcher, site: str, clock: FakeClock
) -> None:
    httpserver.expect_oneshot_request("/doc").respond_with_data(
        "busy", status=503, headers={"Retry-After": "7"}
    )
    httpserver.expect_request("/doc").respond_with_data("ok")

    assert fetcher.get(f"{site}/doc").body == b"ok"
    # 1 s between robots.txt and the first try, then the 7 s the server asked for.
    assert clock.sleeps == [1.0, 7.0]


def test_retry_after_may_be_an_http_date(
    httpserver: HTTPServer, fetcher: Fetcher, site: str, clock: FakeClock
) -> None:
    # The 503 arrives after the 1 s throttle wait; it asks us to come back 30 s later.
    when = format_datetime(START + timedelta(seconds=31), usegmt=True)
    httpserver.expect_oneshot_request("/doc").respond_with_data(
        "busy", status=503, headers={"Retry-After": when}
    )
    httpserver.expect_request("/doc").respond_with_data("ok")

    assert fetcher.get(f"{site}/doc").body == b"ok"
    assert clock.sleeps == [1.0, 30.0]


def test_gives_up_rather_than_wait_past_the_retry_after_cap(
    httpserver: HTTPServer, fetcher: Fetcher, site: str, clock: FakeClock
) -> None:
    httpserver.expect_request("/doc").respond_with_data(
        "busy", status=503, headers={"Retry-After": "3600"}
    )

    with pytest.raises(FetchFailed, match="3600 s wait") as failed:
        fetcher.get(f"{site}/doc")

    assert failed.value.status == 503
    assert paths(httpserver) == ["/robots.txt", "/doc"]
    assert 3600.0 not in clock.sleeps


def test_retries_429_with_exponential_backoff(
    httpserver: HTTPServer, fetcher: Fetcher, site: str, clock: FakeClock
) -> None:
    for _ in range(2):
        httpserver.expect_oneshot_request("/doc").respond_with_data("slow down", status=429)
    httpserver.expect_request("/doc").respond_with_data("ok")

    assert fetcher.get(f"{site}/doc").body == b"ok"
    assert clock.sleeps == [1.0, 1.0, 2.0]


def test_reports_the_status_once_retries_run_out(
    httpserver: HTTPServer, fetcher: Fetcher, site: str, clock: FakeClock
) -> None:
    httpserver.expect_request("/doc").respond_with_data("down", status=503)

    with pytest.raises(FetchFailed, match="HTTP 503") as failed:
        fetcher.get(f"{site}/doc")

    assert failed.value.status == 503
    assert paths(httpserver).count("/doc") == 4
    assert clock.sleeps == [1.0, 1.0, 2.0, 4.0]


def test_does_not_retry_a_404(httpserver: HTTPServer, fetcher: Fetcher, site: str) -> None:
    httpserver.expect_request("/gone").respond_with_data("no", status=404)

    with pytest.raises(FetchFailed) as failed:
        fetcher.get(f"{site}/gone")

    assert failed.value.status == 404
    assert paths(httpserver) == ["/robots.txt", "/gone"]


def test_retries_connection_errors_on_the_next_vetted_address(
    httpserver: HTTPServer, site: str, clock: FakeClock
) -> None:
    # Nothing listens on 127.0.0.2, so each first try is refused and the retry uses 127.0.0.1.
    httpserver.expect_request("/doc").respond_with_data("ok")
    with make_fetcher(httpserver, clock, addresses=("127.0.0.2", "127.0.0.1")) as fetcher:
        assert fetcher.get(f"{site}/doc").body == b"ok"

    # robots.txt: refused, back off 1 s, retry; page: 1 s throttle, refused, back off 1 s.
    assert clock.sleeps == [1.0, 1.0, 1.0]
    assert paths(httpserver) == ["/robots.txt", "/doc"]


def test_an_unreachable_host_fails(httpserver: HTTPServer, base: str, clock: FakeClock) -> None:
    with (
        make_fetcher(httpserver, clock, addresses=("127.0.0.2",), retries=1) as fetcher,
        pytest.raises(FetchFailed, match="robots.txt could not be read"),
    ):
        fetcher.get(f"{base}/doc")
    assert clock.sleeps == [1.0]  # one backoff before the single retry


def test_a_silent_server_times_out(clock: FakeClock) -> None:
    # The socket listens but never answers, so the 50 ms read timeout fires.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        resolver = FakeResolver({"council.example": ["127.0.0.1"]})
        with (
            Fetcher(
                allow_hosts={f"council.example:{port}"},
                resolver=resolver,
                clock=clock,
                timeout=(1.0, 0.05),
                retries=0,
            ) as fetcher,
            pytest.raises(FetchFailed, match="timed out"),
        ):
            fetcher.get(f"http://council.example:{port}/doc")


@pytest.mark.parametrize(
    ("robots", "path", "allowed"),
    [
        ("User-agent: *\nDisallow: /private/\n", "/private/report", False),
        ("User-agent: *\nDisallow: /private/\n", "/public/report", True),
        ("User-agent: pledgetracker\nDisallow: /\n\nUser-agent: *\nAllow: /\n", "/a", False),
        ("User-agent: *\nDisallow: /*.pdf$\n", "/docs/plan.pdf", False),
        ("User-agent: *\nDisallow: /*.pdf$\n", "/docs/plan.pdf?download=1", True),
    ],
)
def test_obeys_robots_txt(
    httpserver: HTTPServer, fetcher: Fetcher, base: str, robots: str, path: str, allowed: bool
) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data(robots)
    httpserver.expect_request(path.split("?")[0]).respond_with_data("content")

    if allowed:
        assert fetcher.get(f"{base}{path}").body == b"content"
    else:
        with pytest.raises(FetchRefused, match="robots.txt disallows it for PledgeTracker"):
            fetcher.get(f"{base}{path}")
        assert paths(httpserver) == ["/robots.txt"]


@pytest.mark.parametrize(
    ("status", "outcome"),
    [(404, None), (410, None), (401, FetchRefused), (403, FetchRefused), (500, FetchRefused)],
)
def test_reads_robots_status_codes_as_rfc_9309(
    httpserver: HTTPServer,
    fetcher: Fetcher,
    base: str,
    status: int,
    outcome: type[Exception] | None,
) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=status)
    httpserver.expect_request("/page").respond_with_data("content")

    if outcome is None:
        assert fetcher.get(f"{base}/page").body == b"content"
    else:
        with pytest.raises(outcome, match=f"robots.txt .*{status}"):
            fetcher.get(f"{base}/page")
        assert "/page" not in paths(httpserver)


def test_fetches_robots_once_per_origin(
    httpserver: HTTPServer, fetcher: Fetcher, site: str
) -> None:
    httpserver.expect_request("/page").respond_with_data("content")

    for _ in range(3):
        fetcher.get(f"{site}/page")

    assert paths(httpserver) == ["/robots.txt", "/page", "/page", "/page"]


def test_obeys_stockports_real_robots_file(
    httpserver: HTTPServer, fetcher: Fetcher, base: str, clock: FakeClock
) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data(STOCKPORT.read_bytes())
    httpserver.expect_request("/modern-slavery").respond_with_data("page")

    with pytest.raises(FetchRefused):
        fetcher.get(f"{base}/documents/modern-slavery-statement.pdf")
    fetcher.get(f"{base}/modern-slavery")
    fetcher.get(f"{base}/modern-slavery")

    assert clock.sleeps == [10.0, 10.0]  # its Crawl-delay, not our one second


def test_parses_stockports_bom_wildcards_and_crawl_delay() -> None:
    policy = parse_robots(STOCKPORT.read_bytes(), "PledgeTracker")

    assert policy.crawl_delay == 10.0
    assert not policy.allows("https://www.stockport.gov.uk/media/statement.pdf")
    assert not policy.allows("https://www.stockport.gov.uk/photos/logo.jpg")
    assert not policy.allows("https://www.stockport.gov.uk/page_hidden/x")
    assert policy.allows("https://www.stockport.gov.uk/statement.pdf.html")
    assert policy.allows("https://www.stockport.gov.uk/events/")
    # Named groups replace the * group for those crawlers.
    assert not parse_robots(STOCKPORT.read_bytes(), "ClaudeBot").allows("https://x/anything")
    bingbot = parse_robots(STOCKPORT.read_bytes(), "bingbot")
    assert not bingbot.allows("https://x/events/1")
    assert bingbot.allows("https://x/statement.pdf")


def test_parses_east_sussex_without_a_final_newline() -> None:
    content = EAST_SUSSEX.read_bytes()
    policy = parse_robots(content, "PledgeTracker")

    assert not policy.allows("https://www.eastsussex.gov.uk/search/search.aspx?q=slavery")
    assert not policy.allows("https://www.eastsussex.gov.uk/umbraco/")
    assert policy.allows("https://www.eastsussex.gov.uk/community/modern-slavery")
    assert policy.crawl_delay is None
    assert not parse_robots(content, "Mozilla").allows("https://www.eastsussex.gov.uk/")


@pytest.mark.parametrize(
    ("rules", "path", "allowed"),
    [
        ("Disallow: /a\nAllow: /a/b", "/a/b/c", True),  # longest match wins, not first
        ("Allow: /a/b\nDisallow: /a", "/a/c", False),
        ("Disallow: /page\nAllow: /page", "/page", True),  # Allow wins a tie
        ("Disallow: /fish*.php", "/fishheads/catfish.php?x", False),
        ("Disallow: /*.php$", "/index.php?x=1", True),
        ("Disallow:", "/anything", True),  # an empty Disallow matches nothing
        ("Disallow: /caf%C3%A9", "/café", False),
        ("Disallow: /", "/robots.txt", True),
    ],
)
def test_matches_rules_as_rfc_9309(rules: str, path: str, allowed: bool) -> None:
    policy = parse_robots(f"User-agent: *\n{rules}\n".encode(), "PledgeTracker")

    assert policy.allows(f"https://council.example{path}") is allowed


def test_second_request_to_a_host_waits_but_another_host_does_not(
    httpserver: HTTPServer, fetcher: Fetcher, site: str, clock: FakeClock
) -> None:
    other = f"http://other.example:{httpserver.port}"
    httpserver.expect_request("/page").respond_with_data("content")
    fetcher.get(f"{site}/page")
    fetcher.get(f"{other}/page")  # both robots.txt files are now cached
    clock.advance(60)
    clock.sleeps.clear()

    fetcher.get(f"{site}/page")
    assert clock.sleeps == []
    fetcher.get(f"{site}/page")
    assert clock.sleeps == [1.0]
    fetcher.get(f"{other}/page")
    assert clock.sleeps == [1.0]


class FrozenClock(FakeClock):
    """A clock whose time never moves, so every waiting thread must hold its own slot."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)


def test_throttle_queues_threads_sharing_a_host() -> None:
    clock = FrozenClock()
    throttle = HostThrottle(clock)

    threads = [threading.Thread(target=throttle.wait, args=("a", 1.0)) for _ in range(4)]
    threads.append(threading.Thread(target=throttle.wait, args=("b", 1.0)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(clock.sleeps) == [1.0, 2.0, 3.0]  # host b never waited


def test_allow_hosts_come_from_the_environment() -> None:
    env = {"SCRAPER_ALLOW_HOSTS": "127.0.0.1:8765, Localhost:5000,[::1]:8000"}

    assert allow_hosts_from_env(env) == {"127.0.0.1:8765", "localhost:5000", "[::1]:8000"}
    assert allow_hosts_from_env({}) == frozenset()
    with pytest.raises(ValueError, match="host:port"):
        allow_hosts_from_env({"SCRAPER_ALLOW_HOSTS": "127.0.0.1"})


@pytest.mark.parametrize("part", ["headers", "body"])
def test_a_trickling_server_is_cut_off_at_the_deadline(part: str) -> None:
    # One byte a second never trips the 30 s read timeout; only the deadline can end it.
    with TrickleServer(part, pause=1.0) as server:
        allowed = {f"127.0.0.1:{server.port}"}
        with Fetcher(allow_hosts=allowed, max_seconds=1.5, min_interval=0) as fetcher:
            started = time.monotonic()
            with pytest.raises(FetchFailed, match=r"gave up at the 1\.5 s deadline"):
                fetcher.get(server.url())
            took = time.monotonic() - started
        assert server.asked.is_set()
    assert 1.4 <= took < 3.0
