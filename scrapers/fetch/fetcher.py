"""Fetch pages and documents safely and politely: the first step of every scrape.

Every request, including each redirect hop and each robots.txt, goes through the same steps:

1. `netguard.vet` checks scheme and host and resolves the host once; loopback, private,
   link-local and other non-public addresses are refused before anything is sent.
2. The origin's robots.txt (fetched through these same steps, cached per origin) must allow it.
3. `HostThrottle` spaces requests to each host: one a second, or the site's Crawl-delay.
4. `PinnedAdapter` connects to the vetted address, so DNS cannot change the answer meanwhile.
5. 429, 5xx and connection errors are retried with exponential backoff, honouring Retry-After.
6. The body is streamed and abandoned once it passes the size cap, counted after
   decompression so a small gzip bomb is stopped too.

Each fetch, redirects and retries included, has one wall-clock deadline (`max_seconds`)
covering connect, headers and body, enforced on its sockets (`scrapers.fetch.deadline`):
a server trickling a byte a second is cut off at the deadline, not left to run for ever.

Redirects are followed by hand, at most `max_redirects`, each hop starting again at step 1.
One `Fetcher` can be shared by threads crawling different hosts: the throttle and robots
cache are locked, and each host is throttled on its own.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import urldefrag, urljoin

import requests

from scrapers.fetch.deadline import Deadline, deadline
from scrapers.fetch.errors import FetchError, FetchFailed, FetchRefused
from scrapers.fetch.netguard import (
    Resolver,
    Target,
    allow_hosts_from_env,
    parse_allow_hosts,
    system_resolver,
    vet,
)
from scrapers.fetch.pinning import PinnedAdapter, PinnedRequest
from scrapers.fetch.robots import ALLOW_ALL, DISALLOW_ALL, RobotsPolicy, parse_robots, product_token
from scrapers.fetch.throttle import Clock, HostThrottle, SystemClock

__all__ = [
    "FetchError",
    "FetchFailed",
    "FetchRefused",
    "Fetched",
    "Fetcher",
    "allow_hosts_from_env",
]

logger = logging.getLogger(__name__)

DEFAULT_USER_AGENT = (
    "PledgeTracker/0.1 (+https://github.com/pledge-tracker; modern slavery pledge tracker)"
)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309 asks crawlers to read at least 500 KiB
ROBOTS_TTL = 24 * 3600.0  # RFC 9309: don't use a cached copy for more than a day
ROBOTS_RETRY_TTL = 600.0  # an unreachable robots.txt is tried again after ten minutes
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Fetched:
    """One fetched URL: what was asked for, where it ended up, and the bytes it gave.

    `redirects` lists, in order, the URLs that answered with a redirect; `final_url` is the
    one that answered for real. A 304 has an empty body and keeps the caller's validators.
    """

    url: str
    final_url: str
    status: int
    content_type: str | None
    body: bytes
    sha256: str
    fetched_at: datetime
    etag: str | None
    last_modified: str | None
    redirects: tuple[str, ...]


@dataclass(frozen=True)
class _RobotsEntry:
    policy: RobotsPolicy
    expires: float
    refusal: str  # the reason given when the policy disallows a URL
    unreachable: bool = False  # no HTTP answer at all: report a failure, not a refusal


class Fetcher:
    """Fetch URLs in the scrapelib style: named, throttled, retried, size-capped and guarded."""

    def __init__(
        self,
        *,
        user_agent: str = DEFAULT_USER_AGENT,
        timeout: tuple[float, float] = (10.0, 30.0),
        max_bytes: int = 25 * 1024 * 1024,
        min_interval: float = 1.0,
        retries: int = 3,
        backoff: float = 1.0,
        max_retry_after: float = 120.0,
        max_redirects: int = 5,
        max_seconds: float = 300.0,
        allow_hosts: Iterable[str] = (),
        resolver: Resolver = system_resolver,
        clock: Clock | None = None,
        ca_bundle: str | None = None,
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.min_interval = min_interval
        self.retries = retries
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self.max_redirects = max_redirects
        self.max_seconds = max_seconds
        self.allow_hosts = parse_allow_hosts(allow_hosts)
        self._resolver = resolver
        self._clock: Clock = clock or SystemClock()
        self._throttle = HostThrottle(self._clock)
        self._agent = product_token(user_agent)
        self._robots: dict[str, _RobotsEntry] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._robots_locks_lock = threading.Lock()
        self._session = requests.Session()
        # No proxies or .netrc from the environment: a proxy would resolve names itself.
        self._session.trust_env = False
        self._session.verify = ca_bundle or True
        self._session.headers["User-Agent"] = user_agent
        adapter = PinnedAdapter(max_retries=0)  # retries are ours: they re-throttle
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close pooled connections."""
        self._session.close()

    def get(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> Fetched:
        """Fetch `url`; pass a stored ETag/Last-Modified to get a body-less 304 if unchanged."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        with deadline(self.max_seconds) as limit:
            fetched = self._follow(url, headers, limit, max_bytes=self.max_bytes, obey_robots=True)
        if fetched.status == 304:
            # A 304 need not repeat the validators; keep the caller's so they can be stored.
            return replace(
                fetched,
                etag=fetched.etag or etag,
                last_modified=fetched.last_modified or last_modified,
            )
        return fetched

    def ready_in(self, host: str) -> float:
        """Return the seconds until `host` may be asked again, so a scheduler can pick
        another host rather than have a thread sit out the interval."""
        return self._throttle.free_in(host)

    def learn_robots(self, url: str) -> None:
        """Read the robots.txt that governs `url` now, unless it is known already.

        A crawl asks this for every host up front, so the interval each host needs after
        its robots.txt passes while threads fetch elsewhere, rather than in the thread
        that wants the host's first document. Problems are left for that request to report.
        """
        try:
            self._robots_entry(self._prepare(url, {}).target.origin)
        except FetchError as error:
            logger.debug("robots.txt for %s not read: %s", url, error)

    def _follow(
        self,
        url: str,
        headers: Mapping[str, str],
        limit: Deadline,
        *,
        max_bytes: int,
        obey_robots: bool,
    ) -> Fetched:
        """Request `url`, following redirects by hand so that every hop is vetted afresh."""
        hops: list[str] = []
        current = url
        while True:
            with self._send(current, headers, limit, obey_robots=obey_robots) as response:
                location = response.headers.get("Location")
                if response.status_code not in REDIRECT_STATUSES or not location:
                    result = self._result(url, current, tuple(hops), response, limit, max_bytes)
                    # A shut socket can look like a close-delimited body ending early.
                    _check_deadline(url, limit)
                    return result
                hops.append(current)
                if len(hops) > self.max_redirects:
                    raise FetchFailed(
                        url,
                        f"more than {self.max_redirects} redirects (the last to {location})",
                        status=response.status_code,
                    )
                current = urldefrag(urljoin(current, location)).url
                logger.debug("%s redirects to %s", hops[-1], current)

    def _send(
        self, url: str, headers: Mapping[str, str], limit: Deadline, *, obey_robots: bool
    ) -> requests.Response:
        """Send one hop, retrying 429, 5xx and connection errors with backoff, within
        the fetch's deadline."""
        request = self._prepare(url, headers)
        target = request.target
        interval = self._check_robots(url, target) if obey_robots else self.min_interval
        attempt = 0
        while True:
            # On connection errors, later attempts try the host's other vetted addresses.
            request.address = target.addresses[attempt % len(target.addresses)]
            self._throttle.wait(target.host, interval)
            _check_deadline(url, limit)
            left = limit.remaining()
            timeout = (min(self.timeout[0], left), min(self.timeout[1], left))
            try:
                response = self._session.send(
                    request, stream=True, timeout=timeout, allow_redirects=False
                )
            except requests.exceptions.SSLError as exc:
                _check_deadline(url, limit)
                raise FetchFailed(url, f"TLS handshake failed ({exc})") from exc
            except (requests.ConnectionError, requests.Timeout) as exc:
                _check_deadline(url, limit)
                failure = FetchFailed(url, f"no answer from {request.address} ({exc})")
                delay = self.backoff * 2.0**attempt
            else:
                if response.status_code not in RETRY_STATUSES:
                    return response
                response.close()
                failure = FetchFailed(
                    url,
                    f"HTTP {response.status_code} {response.reason} after {attempt + 1} tries",
                    status=response.status_code,
                )
                delay = self._retry_delay(url, response, attempt)
            if attempt >= self.retries or delay >= limit.remaining():
                raise failure
            logger.info("retrying %s in %.1f s: %s", url, delay, failure.reason)
            self._clock.sleep(delay)
            attempt += 1

    def _prepare(self, url: str, headers: Mapping[str, str]) -> PinnedRequest:
        """Vet the URL as requests will send it (one DNS lookup) and pin the request to it."""
        try:
            probe = requests.PreparedRequest()
            probe.prepare_url(url, None)  # IDNA-encodes the host, as sending would
        except requests.RequestException as exc:
            raise FetchRefused(url, f"malformed URL ({exc})") from exc
        target = vet(str(probe.url), resolver=self._resolver, allow_hosts=self.allow_hosts)
        request = PinnedRequest(target)
        request.prepare(method="GET", url=probe.url, headers={**self._session.headers, **headers})
        return request

    def _retry_delay(self, url: str, response: requests.Response, attempt: int) -> float:
        """Wait as long as Retry-After asks, else back off exponentially.

        A server asking for more than `max_retry_after` seconds gets no early retry: we give
        up on the URL rather than come back sooner than it asked.
        """
        asked = _retry_after_seconds(response.headers.get("Retry-After"), self._clock.now())
        if asked is None:
            return self.backoff * 2.0**attempt
        if asked > self.max_retry_after:
            raise FetchFailed(
                url,
                f"HTTP {response.status_code} asked for a {asked:.0f} s wait, "
                f"over the {self.max_retry_after:.0f} s cap",
                status=response.status_code,
            )
        return asked

    def _result(
        self,
        url: str,
        final_url: str,
        redirects: tuple[str, ...],
        response: requests.Response,
        limit: Deadline,
        max_bytes: int,
    ) -> Fetched:
        """Turn the last hop's response into a Fetched, or raise for an HTTP error."""
        status = response.status_code
        if status == 304:
            body = b""
        elif 200 <= status < 300:
            body = self._read_body(final_url, response, limit, max_bytes)
        else:
            raise FetchFailed(final_url, f"HTTP {status} {response.reason}", status=status)
        return Fetched(
            url=url,
            final_url=final_url,
            status=status,
            content_type=response.headers.get("Content-Type"),
            body=body,
            sha256=hashlib.sha256(body).hexdigest(),
            fetched_at=self._clock.now(),
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
            redirects=redirects,
        )

    def _read_body(
        self, url: str, response: requests.Response, limit: Deadline, max_bytes: int
    ) -> bytes:
        """Stream the decoded body, abandoning it past `max_bytes` or the deadline."""
        status = response.status_code
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            reason = f"Content-Length {declared} is over the {max_bytes}-byte cap"
            raise FetchFailed(url, reason, status=status)
        body = bytearray()
        try:
            # urllib3 2 decompresses in bounded steps, so each chunk stays small.
            for chunk in response.iter_content(_CHUNK):
                body += chunk
                if len(body) > max_bytes:
                    reason = f"body passed the {max_bytes}-byte cap once decoded"
                    raise FetchFailed(url, reason, status=status)
        except requests.RequestException as exc:
            _check_deadline(url, limit, status)
            raise FetchFailed(url, f"body could not be read ({exc})", status=status) from exc
        return bytes(body)

    def _check_robots(self, url: str, target: Target) -> float:
        """Refuse `url` if robots.txt forbids it; return the interval the site asks for."""
        entry = self._robots_entry(target.origin)
        if entry.unreachable:
            raise FetchFailed(url, entry.refusal)
        if not entry.policy.allows(url):
            raise FetchRefused(url, entry.refusal)
        return max(self.min_interval, entry.policy.crawl_delay or 0.0)

    def _robots_entry(self, origin: str) -> _RobotsEntry:
        """Return the origin's robots.txt policy, fetching it once per origin and TTL."""
        with self._robots_locks_lock:
            lock = self._robots_locks.setdefault(origin, threading.Lock())
        with lock:
            entry = self._robots.get(origin)
            if entry is None or entry.expires <= self._clock.monotonic():
                entry = self._load_robots(origin)
                self._robots[origin] = entry
        return entry

    def _load_robots(self, origin: str) -> _RobotsEntry:
        """Fetch and parse robots.txt, reading failures as RFC 9309 says (401/403 stricter)."""
        url = f"{origin}/robots.txt"
        now = self._clock.monotonic()
        try:
            with deadline(self.max_seconds) as limit:
                fetched = self._follow(
                    url, {}, limit, max_bytes=ROBOTS_MAX_BYTES, obey_robots=False
                )
        except FetchFailed as exc:
            status = exc.status
            if status in (401, 403):
                # RFC 9309 would allow all; a site that locks its robots.txt away is read as
                # not wanting robots at all.
                refusal = f"{url} answered HTTP {status}, which we take as disallowing all"
                return _RobotsEntry(DISALLOW_ALL, now + ROBOTS_TTL, refusal)
            if status is not None and 400 <= status < 500 and status != 429:
                return _RobotsEntry(ALLOW_ALL, now + ROBOTS_TTL, "")
            refusal = (
                f"{url} could not be read ({exc.reason}), and RFC 9309 says to assume "
                "everything is disallowed until it can be"
            )
            return _RobotsEntry(DISALLOW_ALL, now + ROBOTS_RETRY_TTL, refusal, status is None)
        refusal = f"{url} disallows it for {self._agent}"
        return _RobotsEntry(parse_robots(fetched.body, self._agent), now + ROBOTS_TTL, refusal)


def _check_deadline(url: str, limit: Deadline, status: int | None = None) -> None:
    """Fail the fetch if its deadline has passed, naming the deadline as the reason."""
    if limit.expired or limit.remaining() <= 0:
        raise FetchFailed(url, f"gave up at the {limit.seconds:g} s deadline", status=status)


def _retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Read Retry-After as delay-seconds or an HTTP date; None if absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())
