"""Find an authority's candidate documents by following relevant links on its own site.

Links are judged by their text, title and URL alone, so the crawl stays small: a council site
has thousands of pages and we want the few about modern slavery, trafficking, exploitation,
safeguarding, community safety, or the police and crime plan. Only same-site links are
followed: the start host without its `www.`, or any subdomain of it (so `democracy.` and
`www.` pages of one council count as one site, but other councils on gov.uk do not). Without
the public suffix list this assumes start URLs sit at the council's own domain, as they do.

Menus: links in `<nav>`, `<header>` or `<footer>` (or ARIA navigation, banner or contentinfo)
repeat on every page, so a keyword there says nothing about the page they sit on. But a
council's modern slavery statement is often linked only from the footer, so menu links are
kept, marked `in_menu`, and crawled after the body links of the same depth: when the page
budget runs short, body links win.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from bs4 import BeautifulSoup, Tag

from scrapers.fetch.errors import FetchError
from scrapers.fetch.fetcher import Fetcher

logger = logging.getLogger(__name__)

Kind = Literal["page", "pdf", "docx"]

RELEVANT = re.compile(
    r"\b(?:modern ?|anti ?)?slavery"
    r"|\btrafficking|\bexploitation|\bsafeguarding"
    r"|\bcommunity ?safety"
    r"|\bpolice (?:fire )?(?:and )?crime plans?\b"
)
DOCUMENT_KINDS: dict[str, Kind] = {"pdf": "pdf", "docx": "docx"}
NOT_DOCUMENTS = frozenset(
    {
        # images, styles, scripts, fonts, media, feeds, data and archives
        *("avif", "bmp", "gif", "ico", "jpeg", "jpg", "png", "svg", "tif", "tiff", "webp"),
        *("css", "js", "mjs", "eot", "otf", "ttf", "woff", "woff2"),
        *("mov", "mp3", "mp4", "wav", "webm"),
        *("csv", "ics", "json", "rss", "xml", "zip"),
    }
)
MENU_TAGS = frozenset({"nav", "header", "footer"})
MENU_ROLES = frozenset({"navigation", "banner", "contentinfo"})
HTML_TYPES = ("text/html", "application/xhtml+xml")
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Link:
    """A relevant link on a page: where it goes and the words that led there."""

    url: str
    text: str
    in_menu: bool
    kind: Kind


@dataclass(frozen=True)
class Candidate:
    """A document worth extracting, with the link text and page that pointed to it."""

    url: str
    link_text: str
    found_on: str
    depth: int
    kind: Kind


def relevant_links(html: bytes, base_url: str, *, any_document: bool = False) -> list[Link]:
    """List the page's links about our topics, body links first, one per normalised URL.

    With `any_document`, body links to PDFs and DOCX count whatever their text: on a page
    that is itself about modern slavery, "Download our statement (PDF)" is the document.
    """
    soup = BeautifulSoup(html, "lxml")
    base_tag = soup.find("base", href=True)
    if isinstance(base_tag, Tag):
        base_url = urljoin(base_url, str(base_tag["href"]))
    found: dict[str, Link] = {}
    for anchor in soup.find_all("a", href=True):
        href = str(anchor["href"]).strip()
        if href.startswith("#"):
            continue  # a jump within the page
        url = normalise_url(urljoin(base_url, href))
        kind = _kind(url) if url else None
        if url is None or kind is None:
            continue
        text = " ".join(anchor.get_text(" ").split())
        label = " ".join(str(anchor.get(attr, "")) for attr in ("title", "aria-label"))
        in_menu = _in_menu(anchor)
        wanted = (any_document and kind != "page" and not in_menu) or _is_relevant(
            f"{text} {label} {unquote(urlsplit(url).path)}"
        )
        if not wanted:
            continue
        link = Link(url=url, text=text or label.strip(), in_menu=in_menu, kind=kind)
        if url not in found or (found[url].in_menu and not link.in_menu):
            found[url] = link
    return sorted(found.values(), key=lambda link: link.in_menu)


def discover(
    fetcher: Fetcher,
    start_urls: Iterable[str],
    *,
    max_depth: int = 2,
    max_pages: int = 50,
) -> list[Candidate]:
    """Crawl from the start pages along relevant same-site links; return the documents found.

    Start pages are depth 0. Pages are fetched only below `max_depth`, so links found at
    `max_depth` become candidates without being fetched; `max_pages` counts every fetch.
    Pages reached by a relevant link offer all their body PDF and DOCX links as candidates.
    Pages that fail or are refused are logged and skipped.
    """
    starts = [url for url in map(normalise_url, start_urls) if url is not None]
    sites = {_site(url) for url in starts}
    order = itertools.count()
    queue = [(0, False, next(order), url) for url in starts]
    heapq.heapify(queue)
    queued = set(starts)
    candidates: dict[str, Candidate] = {}
    pages = 0
    while queue and pages < max_pages:
        depth, _, _, url = heapq.heappop(queue)
        pages += 1
        try:
            page = fetcher.get(url)
        except FetchError as exc:
            logger.warning("discover skipped a page: %s", exc)
            continue
        if not _is_html(page.content_type) or not _on_sites(page.final_url, sites):
            continue
        for link in relevant_links(page.body, page.final_url, any_document=depth > 0):
            if not _on_sites(link.url, sites):
                continue
            candidates.setdefault(
                link.url, Candidate(link.url, link.text, page.final_url, depth + 1, link.kind)
            )
            if link.kind == "page" and depth + 1 < max_depth and link.url not in queued:
                queued.add(link.url)
                heapq.heappush(queue, (depth + 1, link.in_menu, next(order), link.url))
    logger.info("discover fetched %d pages and found %d candidates", pages, len(candidates))
    return list(candidates.values())


def normalise_url(url: str) -> str | None:
    """Return the http(s) URL in one canonical spelling, or None for anything else.

    Drops the fragment, user info and default port and lower-cases scheme and host, so the
    same document linked in different ways is crawled once.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        return None
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def _kind(url: str) -> Kind | None:
    """Say what kind of document a URL names by its extension; None for non-documents."""
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension in NOT_DOCUMENTS:
        return None
    return DOCUMENT_KINDS.get(extension, "page")


def _is_relevant(words: str) -> bool:
    """Tell whether text (or a URL path) concerns one of our topics."""
    return RELEVANT.search(" ".join(re.split(r"[\W_]+", words.lower()))) is not None


def _in_menu(anchor: Tag) -> bool:
    """Tell whether a link sits in site navigation, a header or a footer."""
    return any(
        parent.name in MENU_TAGS or parent.get("role") in MENU_ROLES for parent in anchor.parents
    )


def _is_html(content_type: str | None) -> bool:
    """Tell whether a response is an HTML page we can read links from."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return media_type in HTML_TYPES


def _site(url: str) -> str:
    """Return the site a URL belongs to: its host without a leading www."""
    return (urlsplit(url).hostname or "").removeprefix("www.")


def _on_sites(url: str, sites: set[str]) -> bool:
    """Tell whether a URL is on one of the sites, or a subdomain of one."""
    host = _site(url)
    return any(host == site or host.endswith(f".{site}") for site in sites)
