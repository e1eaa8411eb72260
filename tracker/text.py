"""Small text helpers shared by importers, views, templates and feeds."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from urllib.parse import urlsplit

_NON_SLUG = re.compile(r"[^a-z0-9]+")
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MAX_EMAIL = 254


def first_unstorable(text: str) -> int | None:
    """Return where the first character a database cannot hold is (NUL, or a lone surrogate)."""
    found = _UNSTORABLE.search(text)
    return found.start() if found else None


def is_storable(text: str) -> bool:
    """Return whether a database can hold this text: no NUL and no unpaired surrogate."""
    return first_unstorable(text) is None


def is_email(text: str) -> bool:
    """Return whether text looks like one email address (and fits the standard's length)."""
    return len(text) <= MAX_EMAIL and _EMAIL.fullmatch(text) is not None


def slugify(text: str) -> str:
    """Return a lowercase ASCII slug: "Devon & Cornwall" -> "devon-and-cornwall"."""
    ascii_text = (
        unicodedata.normalize("NFKD", text.replace("&", " and "))
        .encode("ascii", "ignore")
        .decode("ascii")
    )
    return _NON_SLUG.sub("-", ascii_text.lower()).strip("-")


_FORMATS = (
    ("pdf", "PDF"),
    ("wordprocessingml", "Word document"),
    ("msword", "Word document (old format)"),
    ("opendocument.text", "OpenDocument text"),
    ("rtf", "Rich Text"),
    ("html", "Web page"),
    ("text/plain", "Plain text"),
)


def document_format(content_type: str | None) -> str:
    """Name a document's format in plain words, from the type its server gave."""
    kind = (content_type or "").lower()
    return next((name for marker, name in _FORMATS if marker in kind), "Document")


def document_slug(title: str | None, publisher: str) -> str:
    """Return the readable part of a document's address, from its title or its publisher."""
    return slugify(title or f"{publisher} document")[:80].strip("-") or "document"


def is_web_url(value: object) -> bool:
    """Return whether a stored address is safe to link to (http or https only).

    Writes already refuse other schemes; this keeps `javascript:` and friends out of
    `href` even if such a value reached the database some other way.
    """
    if not isinstance(value, str):
        return False
    parts = urlsplit(value.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def noun_for(count: int, singular: str, many: str | None = None) -> str:
    """Return the noun that agrees with a count: "candidate" for 1, else "candidates"."""
    return singular if count == 1 else many or singular + "s"


def plural(count: int, singular: str, many: str | None = None) -> str:
    """Return a count with its noun agreeing: "1 candidate", "1,204 candidates".

    Every count on the site goes through these helpers, so no page says "1 candidates".
    """
    return f"{count:,} {noun_for(count, singular, many)}"


def these(count: int, singular: str, many: str | None = None) -> str:
    """Point at counted things: "this authority", "these 12 authorities"."""
    return f"this {singular}" if count == 1 else f"these {plural(count, singular, many)}"


def long_date(value: date | datetime | None) -> str:
    """Format a date as people write it in the UK: 6 May 2021."""
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"
