"""Decide whether a URL may be fetched at all, before any connection is made.

The guard stops server-side request forgery: a page we scrape must not be able to send us to the
machine we run on, the cloud metadata service (169.254.169.254) or a private network. Every
address a host resolves to must be public, and the request is then sent to one of exactly those
addresses (see `pinning`), so a DNS answer that changes between the check and the connect
(DNS rebinding) cannot slip through.

Numeric hosts must be canonical. The OS resolver also reads `2130706433`, `0x7f000001`,
`0177.0.0.1` and `127.1` as 127.0.0.1; rather than re-implement every legacy spelling, a host
whose last label is numeric is refused unless it is a plain dotted quad, which is then checked
like any other address. No public site needs the odd spellings.
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from urllib.parse import urlsplit

from scrapers.fetch.errors import FetchFailed, FetchRefused

ALLOW_HOSTS_ENV = "SCRAPER_ALLOW_HOSTS"
DEFAULT_PORTS = {"http": 80, "https": 443}

Resolver = Callable[[str], Sequence[str]]

_HOST_NAME = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*")
_NUMERIC_LABEL = re.compile(r"0x[0-9a-f]*|[0-9]+")
_SHARED_SPACE = IPv4Network("100.64.0.0/10")
# NAT64 prefixes carry an IPv4 address in their last 32 bits (RFC 6052, RFC 8215).
_NAT64 = (IPv6Network("64:ff9b::/96"), IPv6Network("64:ff9b:1::/48"))


@dataclass(frozen=True)
class Target:
    """Where a vetted URL may be sent: the name to speak to and the addresses to connect to."""

    scheme: str
    host: str
    port: int
    addresses: tuple[str, ...]

    @property
    def authority(self) -> str:
        """Return host:port as allow-lists spell it, with brackets around IPv6."""
        return f"{_bracketed(self.host)}:{self.port}"

    @property
    def host_header(self) -> str:
        """Return the Host header value, leaving out the scheme's default port."""
        if self.port == DEFAULT_PORTS[self.scheme]:
            return _bracketed(self.host)
        return self.authority

    @property
    def origin(self) -> str:
        """Return scheme://host[:port], the unit robots.txt applies to."""
        return f"{self.scheme}://{self.host_header}"


def system_resolver(host: str) -> list[str]:
    """Resolve a name with the OS resolver, as a socket connect would."""
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]).split("%", 1)[0] for info in infos))


def parse_allow_hosts(entries: Iterable[str]) -> frozenset[str]:
    """Normalise host:port entries so they compare equal to `Target.authority`."""
    allowed = set()
    for entry in entries:
        parts = urlsplit(f"//{entry.strip()}")
        try:
            port = parts.port
        except ValueError:
            port = None
        if not parts.hostname or port is None:
            raise ValueError(f"allowed host {entry!r} must be written host:port")
        allowed.add(f"{_bracketed(parts.hostname.rstrip('.'))}:{port}")
    return frozenset(allowed)


def allow_hosts_from_env(environ: Mapping[str, str] = os.environ) -> frozenset[str]:
    """Read SCRAPER_ALLOW_HOSTS (comma-separated host:port) for local runs; empty if unset."""
    spec = environ.get(ALLOW_HOSTS_ENV, "")
    return parse_allow_hosts(entry for entry in spec.split(",") if entry.strip())


def vet(url: str, *, resolver: Resolver, allow_hosts: frozenset[str]) -> Target:
    """Return where `url` may be sent, or raise FetchRefused without opening any connection.

    The resolver is called at most once, so one request costs one DNS lookup. Allow-listed
    host:port pairs skip only the public-address check: scheme and syntax rules still apply.
    """
    scheme, host, port = _destination(url)
    allowed = f"{_bracketed(host)}:{port}" in allow_hosts
    if _is_ip_literal(host):
        addresses: tuple[str, ...] = (host,)
    elif not allowed and (host == "localhost" or host.endswith(".localhost")):
        raise FetchRefused(url, f"{host} always names this machine")
    else:
        addresses = _resolve(url, host, resolver)
    if not allowed:
        for address in addresses:
            reason = non_public_reason(ip_address(address))
            if reason is not None:
                named = f"{address} is" if address == host else f"{host} resolves to {address},"
                raise FetchRefused(url, f"{named} {reason}")
    return Target(scheme, host, port, addresses)


def non_public_reason(address: IPv4Address | IPv6Address) -> str | None:
    """Say what kind of non-public address this is ("a loopback address"), or None if public."""
    if isinstance(address, IPv6Address):
        wrapped = _embedded_ipv4(address)
        if wrapped is not None and (reason := non_public_reason(wrapped)) is not None:
            return f"{reason} (IPv4 {wrapped} inside IPv6)"
    checks = (
        (address.is_loopback, "loopback"),
        (address.is_unspecified, "unspecified"),
        (address.is_link_local, "link-local"),
        (address.is_multicast, "multicast"),
        (address in _SHARED_SPACE, "shared (carrier-grade NAT)"),
        (address.is_private, "private"),
        (address.is_reserved, "reserved"),
        (not address.is_global, "non-global"),
    )
    kind = next((label for hit, label in checks if hit), None)
    if kind is None:
        return None
    article = "an" if kind[0] in "aeiou" else "a"
    return f"{article} {kind} address"


def _destination(url: str) -> tuple[str, str, int]:
    """Split a URL into scheme, host and port, refusing anything but plain http(s) hosts."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        shown = f"{scheme}:" if scheme else "a URL without a scheme"
        raise FetchRefused(url, f"only http and https are fetched, not {shown}")
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError as exc:
        raise FetchRefused(url, f"bad port ({exc})") from exc
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise FetchRefused(url, "no host")
    if _is_ip_literal(host):
        return scheme, host, port
    if _NUMERIC_LABEL.fullmatch(host.rsplit(".", 1)[-1]):
        raise FetchRefused(url, f"{host} is a non-canonical numeric address")
    if not _HOST_NAME.fullmatch(host):
        raise FetchRefused(url, f"{host!r} is not a valid host name")
    return scheme, host, port


def _resolve(url: str, host: str, resolver: Resolver) -> tuple[str, ...]:
    """Look the host up once, failing (not refusing) when DNS gives no usable answer."""
    try:
        answers = tuple(dict.fromkeys(resolver(host)))
    except OSError as exc:
        raise FetchFailed(url, f"could not resolve {host} ({exc})") from exc
    if not answers:
        raise FetchFailed(url, f"{host} resolved to no addresses")
    for answer in answers:
        if not _is_ip_literal(answer):
            raise FetchRefused(url, f"resolver gave {answer!r} for {host}")
    return answers


def _embedded_ipv4(address: IPv6Address) -> IPv4Address | None:
    """Return the IPv4 address an IPv6 form routes to (mapped, 6to4, NAT64, Teredo), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if any(address in prefix for prefix in _NAT64):
        return IPv4Address(int(address) & 0xFFFFFFFF)
    if address.teredo is not None:
        return address.teredo[1]
    return None


def _is_ip_literal(host: str) -> bool:
    """Tell whether a host is written as a canonical IPv4 or IPv6 address."""
    try:
        ip_address(host)
    except ValueError:
        return False
    return True


def _bracketed(host: str) -> str:
    """Wrap an IPv6 literal in brackets, as URLs and Host headers need."""
    return f"[{host}]" if ":" in host else host
