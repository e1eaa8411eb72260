"""Turn an RTF document into passages.

RTF is text with control words; `striprtf` drops the control words and the destinations
that are never shown (font tables, pictures, the document's info block) and decodes the
`\\'xx` escapes, leaving one paragraph a line for the plain-text reader.
"""

from __future__ import annotations

import re
from datetime import date

from striprtf.striprtf import rtf_to_text

from scrapers.extract.text import add_text
from scrapers.passages import DocumentBuilder, ExtractedDocument, ExtractionError

_TITLE = re.compile(r"{\\title\s+([^{}\\]{1,500})}")
_CREATED = re.compile(r"\\creatim\\yr(\d{4})\\mo(\d{1,2})\\dy(\d{1,2})")


def extract_rtf(body: bytes) -> ExtractedDocument:
    """Extract an RTF file's paragraphs."""
    # RTF itself is 7-bit; anything else arrives as escapes, so Latin-1 loses nothing.
    source = body.decode("latin-1")
    try:
        text: str = rtf_to_text(source, errors="replace")  # type: ignore[no-untyped-call]
    except (ValueError, LookupError, IndexError, OverflowError) as exc:
        raise ExtractionError(f"the RTF could not be read ({type(exc).__name__})") from exc
    builder = DocumentBuilder()
    add_text(builder, text.replace("\r\n", "\n").replace("\r", "\n"))
    return builder.build("rtf", title=_title(source), written=_created(source))


def _title(source: str) -> str | None:
    """Return the plain title in the document's info block, if it has one."""
    match = _TITLE.search(source)
    return match[1].strip() if match else None


def _created(source: str) -> date | None:
    """Return the creation date in the info block (\\creatim\\yr2018\\mo3\\dy12)."""
    match = _CREATED.search(source)
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
