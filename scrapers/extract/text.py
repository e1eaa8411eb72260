"""Turn plain text into passages: paragraphs split on blank lines, obvious headings kept.

Text copied from web pages puts one paragraph per line; text written in an editor wraps lines
inside a paragraph. Each blank-line block is read one way or the other by its line lengths.
"""

from __future__ import annotations

import codecs
import re

from scrapers.extract import layout
from scrapers.passages import DocumentBuilder, ExtractedDocument, ExtractionError

_BLOCK_SPLIT = re.compile(r"\n[ \t\f\v]*\n")
_BINARY = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Editors wrap prose at 60-80 columns; a block whose lines all fit that is one paragraph.
_WRAP_MIN = 40
_WRAP_MAX = 100
_MAX_CONTROL_SHARE = 0.01


def extract_text(body: bytes, charset: str | None = None) -> ExtractedDocument:
    """Extract paragraphs (and headings) from plain text."""
    builder = DocumentBuilder()
    add_text(builder, decode_text(body, charset))
    return builder.build("text")


def add_text(
    builder: DocumentBuilder, text: str, *, page: int | None = None, ocr: bool = False
) -> None:
    """Add plain text's paragraphs and headings to a document.

    Programs that turn other formats into text (antiword, Tesseract, an RTF reader) write
    paragraphs the way people type them, so their output is read exactly like a text file.
    """
    words = layout.vocabulary(text)
    units = [unit for block in _BLOCK_SPLIT.split(text) for unit in _units(block, words)]
    for index, unit in enumerate(units):
        following = units[index + 1] if index + 1 < len(units) else None
        if _is_heading(unit, following):
            builder.add_heading(unit, page=page, ocr=ocr)
        else:
            builder.add(layout.strip_bullet(unit), page=page, ocr=ocr)


def decode_text(body: bytes, charset: str | None) -> str:
    """Decode bytes as text: a byte-order mark, then the declared charset, UTF-8, Windows-1252.

    Bytes full of control characters are refused: they are not text, whatever the server said.
    """
    if looks_binary(body, charset):
        raise ExtractionError("the document is binary data, not text")
    return _decode(body, charset).replace("\r\n", "\n").replace("\r", "\n")


def looks_binary(body: bytes, charset: str | None = None) -> bool:
    """Say whether bytes are binary data rather than text in some 8-bit or UTF encoding.

    UTF-16 and UTF-32 text is full of zero bytes, so a byte-order mark or a declared wide
    charset vouches for it.
    """
    if any(body.startswith(bom) for bom, _ in _BOMS):
        return False
    if charset and charset.lower().replace("_", "-").startswith(("utf-16", "utf-32")):
        return False
    sample = body[:65536]
    return len(_BINARY.findall(sample)) > _MAX_CONTROL_SHARE * len(sample)


def _decode(body: bytes, charset: str | None) -> str:
    """Pick the first encoding that decodes the bytes cleanly."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body.decode(encoding, errors="replace")
    candidates = [charset] if charset and _known(charset) else []
    for encoding in [*candidates, "utf-8", "cp1252"]:
        try:
            return body.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return body.decode("latin-1")


def _known(charset: str) -> bool:
    """Say whether Python knows a charset name taken from a server's Content-Type."""
    try:
        codecs.lookup(charset)
    except LookupError:
        return False
    return True


def _units(block: str, words: set[str]) -> list[str]:
    """Split a blank-line block into paragraphs, list items and single-line units."""
    lines = [line.rstrip() for line in block.split("\n") if line.strip()]
    if not lines:
        return []
    if _is_wrapped(lines):
        return _wrapped_units(lines, words)
    return [line.strip() for line in lines]


def _is_wrapped(lines: list[str]) -> bool:
    """Say whether a block's lines are one paragraph wrapped by an editor."""
    if len(lines) < 2:
        return False
    return all(_WRAP_MIN <= len(line) <= _WRAP_MAX for line in lines[:-1])


def _wrapped_units(lines: list[str], words: set[str]) -> list[str]:
    """Join wrapped lines, starting a new unit at each bullet or number."""
    units: list[list[str]] = []
    for line in lines:
        if not units or layout.starts_item(line):
            units.append([line])
        else:
            units[-1].append(line)
    return [layout.join_lines(unit, words) for unit in units]


def _is_heading(unit: str, following: str | None) -> bool:
    """Say whether a unit is a heading: heading-shaped and followed by longer prose."""
    if following is None or not layout.is_heading_shaped(unit):
        return False
    if layout.BULLET.match(unit) and not layout.NUMBERED.match(unit):
        return False
    return not layout.starts_item(following) and len(following) > len(unit)
