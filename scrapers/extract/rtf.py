"""Turn an RTF document into passages.

RTF is text with control words; `striprtf` drops the control words and the destinations
that are never shown (font tables, pictures, the document's info block) and decodes the
`\\'xx` escapes, leaving one paragraph a line for the plain-text reader.
"""

from __future__ import annotations

from striprtf.striprtf import rtf_to_text

from scrapers.extract.text import add_text
from scrapers.passages import DocumentBuilder, ExtractedDocument, ExtractionError


def extract_rtf(body: bytes) -> ExtractedDocument:
    """Extract an RTF file's paragraphs."""
    # RTF itself is 7-bit; anything else arrives as escapes, so Latin-1 loses nothing.
    source = body.decode("latin-1")
    try:
        text: str = rtf_to_text(source, errors="replace")  # type: ignore[no-untyped-call]
    except (ValueError, LookupError, IndexError) as exc:
        raise ExtractionError(f"the RTF could not be read ({type(exc).__name__})") from exc
    builder = DocumentBuilder()
    add_text(builder, text.replace("\r\n", "\n").replace("\r", "\n"))
    return builder.build("rtf")
