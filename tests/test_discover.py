"""Tests for discovery: which links count, and a bounded crawl of a fictional council site."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fetch_fakes import FakeClock, FakeResolver
from pytest_httpserver import HTTPServer

from scrapers.fetch.discover import Candidate, Link, discover, normalise_url, relevant_links
from scrapers.fetch.fetcher import Fetcher

CORPUS = Path(__file__).parent / "corpus"
BASE = "https://www.exampleshire.gov.uk/council/"
HOSTS = ("www.exampleshire.gov.uk", "exampleshire.gov.uk", "pcc.elsewhere.example")


def page(body: str, footer: str = "") -> bytes:
    """Wrap links in a council page with a site menu and footer."""
    return f"""<!doctype html><html><head><title>Exampleshire Council</title></head><body>
    <header><nav><a href="/">Home</a> <a href="/bins">Bins and recycling</a></nav></header>
    <main>{body}</main>
    <footer><ul>{footer}<li><a href="/privacy">Privacy</a></li></ul></footer>
    </body></html>""".encode()


def test_finds_links_by_their_text_and_resolves_them() -> None:
    html = page(
        '<a href="community-safety">Community Safety</a>'
        '<a href="/adults/safeguarding-adults">Keeping adults safe</a>'
        '<a href="https://www.exampleshire.gov.uk/docs/plan.pdf">'
        "Police, Fire and Crime Plan 2024 (PDF)</a>"
        '<a href="/council-tax">Council tax</a>'
    )

    assert relevant_links(html, BASE) == [
        Link(f"{BASE}community-safety", "Community Safety", in_menu=False, kind="page"),
        Link(
            "https://www.exampleshire.gov.uk/adults/safeguarding-adults",
            "Keeping adults safe",
            in_menu=False,
            kind="page",
        ),
        Link(
            "https://www.exampleshire.gov.uk/docs/plan.pdf",
            "Police, Fire and Crime Plan 2024 (PDF)",
            in_menu=False,
            kind="pdf",
        ),
    ]


@pytest.mark.parametrize(
    ("anchor", "kind"),
    [
        ('<a href="/modern-slavery-statement.pdf">Read more</a>', "pdf"),
        ('<a href="/Anti_Slavery_Plan.DOCX">Download</a>', "docx"),
        ('<a href="/x" title="Human trafficking">More</a>', "page"),
        ('<a href="/x" aria-label="Exploitation and county lines">More</a>', "page"),
        ('<a href="/modernslavery">Our statement</a>', "page"),
        ('<a href="/community_safety/plan">Plan</a>', "page"),
    ],
)
def test_finds_links_by_url_title_or_aria_label(anchor: str, kind: str) -> None:
    links = relevant_links(page(anchor), BASE)

    assert [link.kind for link in links] == [kind]


@pytest.mark.parametrize(
    "anchor",
    [
        '<a href="mailto:safeguarding@exampleshire.gov.uk">Safeguarding team</a>',
        '<a href="javascript:void(0)">Modern slavery</a>',
        '<a href="tel:0123456789">Safeguarding hotline</a>',
        '<a href="#modern-slavery">Modern slavery</a>',
        '<a href="/images/modern-slavery-poster.jpg">Modern slavery poster</a>',
        '<a href="/css/safeguarding.css">Safeguarding</a>',
        '<a href="/js/modern-slavery.js">Modern slavery</a>',
        '<a href="/tattoo-safety">Tattoo safety</a>',
        '<a href="/slavery-museum-opening-hours.ics">Add to calendar: slavery museum</a>',
    ],
)
def test_skips_non_documents_and_non_web_links(anchor: str) -> None:
    assert relevant_links(page(anchor), BASE) == []


def test_keeps_one_link_per_normalised_url_preferring_the_body() -> None:
    html = page(
        '<a href="HTTPS://WWW.Exampleshire.gov.uk:443/modern-slavery#top">Modern slavery</a>'
        '<a href="/modern-slavery">Modern slavery statement</a>',
        footer='<li><a href="/modern-slavery">Modern slavery</a></li>'
        '<li><a href="/safeguarding">Safeguarding</a></li>',
    )

    links = relevant_links(html, BASE)

    assert [(link.url, link.text, link.in_menu) for link in links] == [
        ("https://www.exampleshire.gov.uk/modern-slavery", "Modern slavery", False),
        ("https://www.exampleshire.gov.uk/safeguarding", "Safeguarding", True),
    ]


def test_on_topic_pages_offer_every_body_document() -> None:
    html = page(
        '<a href="/docs/statement-2024.pdf">Download our statement</a>'
        '<a href="/docs/annual-report.docx">Annual report</a>'
        '<a href="/about">About us</a>',
        footer='<li><a href="/docs/accessibility.pdf">Accessibility</a></li>',
    )

    assert relevant_links(html, BASE) == []
    assert [
        link.url.rsplit("/", 1)[-1] for link in relevant_links(html, BASE, any_document=True)
    ] == [
        "statement-2024.pdf",
        "annual-report.docx",
    ]


def test_honours_a_base_element() -> None:
    html = b'<html><head><base href="/docs/"></head><body><a href="slavery.pdf">Statement</a>'

    assert [link.url for link in relevant_links(html, BASE)] == [
        "https://www.exampleshire.gov.uk/docs/slavery.pdf"
    ]


@pytest.mark.parametrize(
    ("name", "url", "in_menu"),
    [
        (
            "h10_southwark_brownfield_register_footer_ms_link.html",
            "https://www.southwark.gov.uk/council-and-democracy/key-documents/modern-slavery-statement",
            True,
        ),
        (
            "h07_three_rivers_brownfield_register_ms_in_nav.html",
            "https://www.threerivers.gov.uk/egcl-page/modern-slavery",
            True,
        ),
        (
            "h02_buckinghamshire_council_hr_safer_recruiting.html",
            "https://hr.buckinghamshire.gov.uk/modern-slavery-statement",
            True,
        ),
    ],
)
def test_marks_real_menu_and_footer_links(name: str, url: str, in_menu: bool) -> None:
    base = f"https://{url.split('/')[2]}/some/page"

    links = {link.url: link for link in relevant_links((CORPUS / name).read_bytes(), base)}

    assert links[url].in_menu is in_menu
    assert "slavery" in links[url].text.lower()


def test_real_body_links_come_before_menu_links() -> None:
    html = (CORPUS / "h02_buckinghamshire_council_hr_safer_recruiting.html").read_bytes()

    links = relevant_links(html, "https://hr.buckinghamshire.gov.uk/safer-recruiting")

    assert links[0].in_menu is False
    assert "safeguarding" in links[0].url
    assert links[-1].in_menu is True
    assert [link.in_menu for link in links] == sorted(link.in_menu for link in links)


def test_normalise_url() -> None:
    assert normalise_url("HTTP://Example.org:80") == "http://example.org/"
    assert (
        normalise_url("https://user@example.org:8443/a?b=1#c") == "https://example.org:8443/a?b=1"
    )
    assert normalise_url("mailto:someone@example.org") is None


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def exampleshire(httpserver: HTTPServer) -> str:
    """Serve a small Exampleshire site: home, two topic pages, documents and an outside link."""
    port = httpserver.port
    www, bare = f"http://www.exampleshire.gov.uk:{port}", f"http://exampleshire.gov.uk:{port}"
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    pages = {
        "/": page(
            '<p><a href="/community-safety">Community safety</a></p>'
            f'<p><a href="{bare}/safeguarding">Safeguarding children and adults</a></p>'
            f'<p><a href="http://pcc.elsewhere.example:{port}/plan">Police and crime plan</a></p>'
            '<p><a href="/planning">Planning applications</a></p>',
            footer='<li><a href="/footer/modern-slavery">Modern slavery statement</a></li>',
        ),
        "/community-safety": page(
            '<a href="/community-safety/modern-slavery">Modern slavery and human trafficking</a>'
            '<a href="/docs/exploitation-strategy.pdf">Tackling exploitation strategy (PDF)</a>'
            '<a href="/potholes">Report a pothole</a>'
        ),
        "/safeguarding": page(
            f'<a href="{www}/docs/sab-annual-report.docx">Safeguarding adults board report</a>'
        ),
        "/footer/modern-slavery": page('<a href="/docs/statement.pdf">Our statement</a>'),
        "/community-safety/modern-slavery": page('<a href="/docs/deep.pdf">Slavery</a>'),
        "/plan": page('<a href="/plan.pdf">Police and crime plan</a>'),
    }
    for path, body in pages.items():
        httpserver.expect_request(path).respond_with_data(body, content_type="text/html")
    return www


@pytest.fixture
def fetcher(httpserver: HTTPServer, clock: FakeClock) -> Iterator[Fetcher]:
    resolver = FakeResolver({host: ["127.0.0.1"] for host in HOSTS})
    allowed = {f"{host}:{httpserver.port}" for host in HOSTS}
    with Fetcher(allow_hosts=allowed, resolver=resolver, clock=clock) as fetcher:
        yield fetcher


def fetched_pages(httpserver: HTTPServer) -> list[str]:
    """List host/path of every page the crawl asked for, robots.txt aside."""
    return [
        f"{request.headers['Host'].split(':')[0]}{request.path}"
        for request, _ in httpserver.log
        if request.path != "/robots.txt"
    ]


def test_crawls_same_site_relevant_links_to_depth_two(
    httpserver: HTTPServer, fetcher: Fetcher, exampleshire: str
) -> None:
    candidates = discover(fetcher, [f"{exampleshire}/"])

    www, bare = exampleshire, exampleshire.replace("www.", "")
    assert {(c.url, c.depth, c.kind) for c in candidates} == {
        (f"{www}/community-safety", 1, "page"),
        (f"{bare}/safeguarding", 1, "page"),
        (f"{www}/footer/modern-slavery", 1, "page"),
        (f"{www}/community-safety/modern-slavery", 2, "page"),
        (f"{www}/docs/exploitation-strategy.pdf", 2, "pdf"),
        (f"{www}/docs/sab-annual-report.docx", 2, "docx"),
        (f"{www}/docs/statement.pdf", 2, "pdf"),
    }
    assert fetched_pages(httpserver) == [
        "www.exampleshire.gov.uk/",
        "www.exampleshire.gov.uk/community-safety",
        "exampleshire.gov.uk/safeguarding",
        "www.exampleshire.gov.uk/footer/modern-slavery",  # the menu link comes last
    ]
    report = next(c for c in candidates if c.kind == "docx")
    assert report == Candidate(
        f"{www}/docs/sab-annual-report.docx",
        "Safeguarding adults board report",
        f"{bare}/safeguarding",
        2,
        "docx",
    )


def test_depth_one_fetches_only_the_start_page(
    httpserver: HTTPServer, fetcher: Fetcher, exampleshire: str
) -> None:
    candidates = discover(fetcher, [f"{exampleshire}/"], max_depth=1)

    assert {c.depth for c in candidates} == {1}
    assert len(candidates) == 3
    assert fetched_pages(httpserver) == ["www.exampleshire.gov.uk/"]


def test_page_budget_spends_body_links_before_menu_links(
    httpserver: HTTPServer, fetcher: Fetcher, exampleshire: str
) -> None:
    candidates = discover(fetcher, [f"{exampleshire}/"], max_pages=3)

    assert fetched_pages(httpserver) == [
        "www.exampleshire.gov.uk/",
        "www.exampleshire.gov.uk/community-safety",
        "exampleshire.gov.uk/safeguarding",
    ]
    assert f"{exampleshire}/docs/statement.pdf" not in {c.url for c in candidates}


def test_skips_pages_that_fail_and_carries_on(
    httpserver: HTTPServer, fetcher: Fetcher, clock: FakeClock
) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /secret")
    httpserver.expect_request("/").respond_with_data(
        page(
            '<a href="/safeguarding/missing">Safeguarding</a>'
            '<a href="/secret/slavery">Slavery (private)</a>'
            '<a href="/community-safety">Community safety</a>'
        ),
        content_type="text/html",
    )
    httpserver.expect_request("/safeguarding/missing").respond_with_data("gone", status=404)
    httpserver.expect_request("/community-safety").respond_with_data(
        page('<a href="/slavery.pdf">Modern slavery statement</a>'), content_type="text/html"
    )
    start = f"http://www.exampleshire.gov.uk:{httpserver.port}/"

    candidates = discover(fetcher, [start])

    assert f"{start}slavery.pdf" in {c.url for c in candidates}
    assert "www.exampleshire.gov.uk/secret/slavery" not in fetched_pages(httpserver)


def test_does_not_read_links_from_documents(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/").respond_with_data(
        page('<a href="/statement">Modern slavery statement</a>'), content_type="text/html"
    )
    httpserver.expect_request("/statement").respond_with_data(
        b'%PDF-1.4 <a href="/trafficking">trafficking</a>', content_type="application/pdf"
    )

    candidates = discover(fetcher, [f"http://www.exampleshire.gov.uk:{httpserver.port}/"])

    assert [c.url.rsplit("/", 1)[-1] for c in candidates] == ["statement"]
