"""Know the document: its title, its date and the plan period it covers.

A 2018 strategy found in 2026 must not become a 2026 pledge, so every document is dated
from the best evidence it holds, in this order: a date stated in the text ("approved by
Cabinet on 12 March 2018", "Published: March 2018"), the file's own metadata (PDF, DOCX,
ODT, RTF, an HTML page's publication meta tag), the first date in an HTML or text page's
main text, and lastly the first year of the period it covers ("2018–2021" on the title
page). A date that falls outside the document's own period is someone else's (a national
strategy it cites, a file saved again years later) and is passed over. The fetch's HTTP
Last-Modified is weighed by the pipeline, which alone sees it (`adopt_last_modified`).
"""

from __future__ import annotations

import re
import string
from dataclasses import replace
from datetime import date
from itertools import takewhile

from scrapers.extract import layout
from scrapers.extract.dates import dates_in, first_date, period_in
from scrapers.passages import DateSource, ExtractedDocument

OPENING_PASSAGES = 12  # the title page and the first headings: where a plan names its period
MAX_TITLE = 200
_SCAN_CHARS = 200_000
_STATED_REACH = 60
_STATED = re.compile(
    r"\b(?:approved|adopted|agreed|endorsed|ratified|published|issued|signed off"
    r"|date of (?:publication|approval|issue)|publication date|date approved|effective from)\b",
    re.IGNORECASE,
)
_BARE_PERIOD = 20
_DOCUMENT_NOUN = re.compile(
    r"\b(?:strateg(?:y|ies)|plan|statement|policy|report|agreement|handbook|guid(?:e|ance)"
    r"|protocol|pathway|framework|terms of reference|case study|newsletter|pocketbook|toolkit"
    r"|charter|procedures?|indicators|templates?|evidence|briefing|partnership)\b",
    re.IGNORECASE,
)
_BANNER = re.compile(r"\bcookies?\b|\bprivacy\b", re.IGNORECASE)  # a consent box's words
_JUNK_TITLE = re.compile(
    r"^\s*(?:microsoft\s+\w+\s*-|untitled|document\s*\d*\s*$|title\s*$|slide\s*\d+\s*$)"
    r"|\.(?:docx?|pdf|odt|rtf|pptx?|xlsx?|indd)\s*$",
    re.IGNORECASE,
)


def describe(doc: ExtractedDocument) -> ExtractedDocument:
    """Fill in the document's title, period and date from its metadata and its text."""
    title = doc.title if is_usable_title(doc.title) else opening_heading(doc)
    period = period_in(title or "") or period_in(_opening(doc))
    day, source = _dated(doc, period)
    return replace(doc, title=title, period=period, date=day, date_source=source)


def is_usable_title(title: str | None) -> bool:
    """Say whether a metadata title names the document rather than the file it was saved as."""
    if not title or not any(c.isalpha() for c in title) or " " not in title.strip():
        return False  # one word is a file or job code ("MBGA34T"), not a document's name
    return not _JUNK_TITLE.search(title)


def opening_heading(doc: ExtractedDocument) -> str | None:
    """Return the title on the document's title page: its first heading-shaped lines.

    Of those lines (a logo's words, a strapline, the title, its period), the first that names
    a kind of document ("... Partnership Strategy", "Information Sharing Agreement") is the
    title, followed by the period when it stands on the next line, as on most covers.
    """
    first_page = doc.passages[0].page if doc.passages else None
    cover = list(
        takewhile(
            lambda p: p.page == first_page and layout.is_heading_shaped(p.text),
            doc.passages[:OPENING_PASSAGES],
        )
    )
    if not cover:
        return None
    index = next(
        (
            i
            for i, p in enumerate(cover)
            if _DOCUMENT_NOUN.search(p.text) and not _BANNER.search(p.text)
        ),
        0,
    )
    title = cover[index].text
    following = cover[index + 1].text if index + 1 < len(cover) else ""
    if len(following) <= _BARE_PERIOD and period_in(following) and not period_in(title):
        title = f"{title} {following}"
    return _readable(title[:MAX_TITLE])


def _readable(title: str) -> str:
    """Write a title set in capitals on the cover in ordinary title case."""
    return string.capwords(title) if layout.is_upper_case(title) else title


def fits_period(day: date, period: tuple[int, int] | None) -> bool:
    """Say whether a date can be this document's own: within (or just before) its period."""
    return period is None or period[0] - 1 <= day.year <= period[1]


def _dated(
    doc: ExtractedDocument, period: tuple[int, int] | None
) -> tuple[date | None, DateSource | None]:
    """Pick the document's date from the best evidence it holds."""
    stated = _stated_date(doc.text[:_SCAN_CHARS], period)
    if stated is not None:
        return stated, "stated"
    if doc.date is not None and fits_period(doc.date, period):
        return doc.date, "metadata"
    if doc.kind in ("html", "text"):
        day = first_date(doc.text[:_SCAN_CHARS])
        if day is not None and fits_period(day, period):
            return day, "text"
    if period is not None:
        return date(period[0], 1, 1), "period"
    return None, None


def _stated_date(text: str, period: tuple[int, int] | None) -> date | None:
    """Return the first date the text gives for its own approval or publication."""
    for match in _STATED.finditer(text):
        reach = text[match.end() : match.end() + _STATED_REACH].split(". ", 1)[0]
        for _, day in dates_in(reach):
            if fits_period(day, period):
                return day
            break
    return None


def _opening(doc: ExtractedDocument) -> str:
    """Return the opening passages' text, one a line."""
    return "\n".join(p.text for p in doc.passages[:OPENING_PASSAGES])
