"""Turn an HTML page into passages, keeping the page's own content and dropping its chrome.

Council sites link to their modern slavery statement from every menu and footer, so a page
whose only mention is in the chrome must produce no passage about it. Everything here walks
the tree with explicit stacks: real and hostile pages nest thousands of elements deep.
"""

from __future__ import annotations

import re
import warnings
from datetime import date

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning
from bs4.element import (
    NavigableString,
    PageElement,
    PreformattedString,
    Script,
    Stylesheet,
    Tag,
    TemplateString,
)

from scrapers.extract.dates import iso_date
from scrapers.passages import DocumentBuilder, ExtractedDocument, ExtractionError

# Elements that never hold the page's own prose.
_DROP_TAGS = [
    "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed",
    "canvas", "select", "textarea", "input", "nav", "aside", "menu", "dialog", "head",
]  # fmt: skip
_DROP_ROLES = {
    "navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar",
    "dialog", "alertdialog",
}  # fmt: skip
# Class or id words that mark chrome; compared as whole words after splitting on -, _ and case.
_DROP_WORDS = {
    "nav", "navbar", "navigation", "menu", "menubar", "submenu", "megamenu", "breadcrumb",
    "breadcrumbs", "skip", "skiplink", "skiplinks", "footer", "masthead", "sidebar", "cookie",
    "cookies", "consent", "gdpr", "share", "sharing", "social",
}  # fmt: skip
_DROP_SUBSTRINGS = ("cookie", "consent", "gdpr", "breadcrumb")
_CONTENT_TAGS = ["main", "article", "h1"]
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCKS = {
    "p", "li", "td", "th", "dt", "dd", "blockquote", "pre", "figcaption", "caption", "div",
    "section", "article", "main", "header", "footer", "ul", "ol", "dl", "table", "tr", "tbody",
    "thead", "tfoot", "figure", "address", "details", "summary", "fieldset", "legend", "hr",
    "body", "html", "center",
}  # fmt: skip
_DATE_META = {
    "article:published_time", "datepublished", "dcterms.created", "dcterms.issued",
    "dc.date", "dc.date.issued", "dc.date.created", "citation_publication_date", "pubdate",
}  # fmt: skip
_MAIN_ROLE = re.compile(r"^\s*main\s*$", re.IGNORECASE)
_WORD_SPLIT = re.compile(r"[-_\s]+|(?<=[a-z])(?=[A-Z])")
_SKIP_LINK = re.compile(r"^\s*skip\b", re.IGNORECASE)
_TEXT_TYPES_EXCLUDED = (PreformattedString, Script, Stylesheet, TemplateString)
_PARSER_WARNINGS = (MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning, UnicodeWarning)


def extract_html(body: bytes, charset: str | None = None) -> ExtractedDocument:
    """Extract the passages of an HTML page's main content."""
    soup = _parse(body, charset)
    written = _published(soup)
    _drop_chrome(soup)
    builder = DocumentBuilder()
    roots = _content_roots(soup)
    title = _outside_title(soup, roots)
    if title is not None:
        builder.add_heading(title.get_text(" "), level=1)
    for root in roots:
        _walk(root, builder)
    return builder.build("html", written=written)


def _published(soup: BeautifulSoup) -> date | None:
    """Return the publication date a page declares in its meta tags, if it declares one."""
    for meta in soup.find_all("meta"):
        name = str(meta.get("property") or meta.get("name") or meta.get("itemprop") or "")
        if name.lower() in _DATE_META:
            day = iso_date(str(meta.get("content", "")))
            if day is not None:
                return day
    return None


def _parse(body: bytes, charset: str | None) -> BeautifulSoup:
    """Parse with lxml, letting the declared charset win over guessing when there is one."""
    with warnings.catch_warnings():
        # bs4 warns when markup looks like a file name or like XML, and when it has to replace
        # undecodable bytes; for a scraper those are just odd pages, not programming errors.
        for category in _PARSER_WARNINGS:
            warnings.simplefilter("ignore", category)
        try:
            return BeautifulSoup(body, "lxml", from_encoding=charset)
        except (ValueError, LookupError) as exc:
            raise ExtractionError(f"the HTML could not be parsed ({exc})") from exc


def _drop_chrome(soup: BeautifulSoup) -> None:
    """Remove navigation, headers, footers, cookie banners and other page furniture.

    One top-down pass, so a hostile page of deeply nested "menus" costs linear time.
    """
    holders = _content_holders(soup)
    doomed: list[Tag] = []
    stack: list[tuple[Tag, bool]] = [(soup, False)]
    while stack:
        el, in_article = stack.pop()
        for child in el.children:
            if not isinstance(child, Tag):
                continue
            if _is_chrome(child, in_article=in_article, holds_content=id(child) in holders):
                doomed.append(child)
            else:
                stack.append((child, in_article or child.name in ("article", "main")))
    for el in doomed:
        el.decompose()


def _content_holders(soup: BeautifulSoup) -> set[int]:
    """Return the ids of every element that contains a <main>, an <article> or an <h1>."""
    holders: set[int] = set()
    for el in soup.find_all(_CONTENT_TAGS):
        parent = el.parent
        while parent is not None and id(parent) not in holders:
            holders.add(id(parent))
            parent = parent.parent
    return holders


def _is_chrome(el: Tag, *, in_article: bool, holds_content: bool) -> bool:
    """Say whether an element is page furniture rather than the page's content."""
    if el.name in _DROP_TAGS:
        return True
    if el.name in ("header", "footer"):
        # A header or footer inside an article belongs to the article (its title, its date).
        return not in_article
    if str(el.get("role", "")).lower() in _DROP_ROLES:
        return True
    if el.name == "a" and str(el.get("href", "")).startswith("#"):
        return bool(_SKIP_LINK.match(el.get_text()))
    # A wrapper that holds the real content is never chrome, whatever its class says; some CMSs
    # wrap the whole page in one <form>. Collapsed (hidden) accordion panels are content too.
    return not holds_content and (el.name == "form" or _has_chrome_name(el))


def _has_chrome_name(el: Tag) -> bool:
    """Say whether the element's id or classes name it as chrome (menu, cookie banner...)."""
    values = [str(el.get("id", ""))]
    classes = el.get("class")
    if isinstance(classes, list):
        values.extend(str(c) for c in classes)
    for value in values:
        lowered = value.lower()
        if any(s in lowered for s in _DROP_SUBSTRINGS):
            return True
        if any(w.lower() in _DROP_WORDS for w in _WORD_SPLIT.split(value) if w):
            return True
    return False


def _content_roots(soup: BeautifulSoup) -> list[Tag]:
    """Pick the elements holding the page's content: <main>, else articles, else the body."""
    main = soup.find("main") or soup.find(True, attrs={"role": _MAIN_ROLE})
    if isinstance(main, Tag) and main.get_text(strip=True):
        return [main]
    articles = [a for a in soup.find_all("article") if a.find_parent("article") is None]
    if articles:
        return articles
    body = soup.find("body")
    return [body] if isinstance(body, Tag) else [soup]


def _outside_title(soup: BeautifulSoup, roots: list[Tag]) -> Tag | None:
    """Find the page's <h1> when it sits outside the chosen content, as many CMSs place it."""
    if any(root.find("h1") for root in roots):
        return None
    h1 = soup.find("h1")
    return h1 if isinstance(h1, Tag) and h1.get_text(strip=True) else None


def _walk(root: Tag, builder: DocumentBuilder) -> None:
    """Emit one passage per block of text under `root`, in reading order, without recursion."""
    buffer: list[str] = []
    stack: list[PageElement | str] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, str) and not isinstance(node, NavigableString):
            # A marker pushed when a block was entered: its text ends here.
            _flush(buffer, builder, node)
            continue
        if isinstance(node, NavigableString):
            if not isinstance(node, _TEXT_TYPES_EXCLUDED):
                buffer.append(str(node))
            continue
        if not isinstance(node, Tag):
            continue
        if node.name == "br":
            buffer.append("\n")
            continue
        if node.name in _HEADINGS or node.name in _BLOCKS:
            _flush(buffer, builder, "")
            stack.append(node.name if node.name in _HEADINGS else "")
        stack.extend(reversed(node.contents))
    _flush(buffer, builder, "")


def _flush(buffer: list[str], builder: DocumentBuilder, tag: str) -> None:
    """Turn the buffered text into a passage, or a heading when it closed a heading tag."""
    if not buffer:
        return
    text = "".join(buffer)
    buffer.clear()
    if tag in _HEADINGS:
        builder.add_heading(text, level=_HEADINGS[tag])
    else:
        builder.add(text)
