"""Turn a Word (DOCX) document into passages by reading its XML directly.

Reading word/document.xml with lxml (rather than python-docx) keeps body paragraphs and tables
in reading order, gives merged table cells once instead of once per grid column, and lets us
bound every step: a DOCX is a zip file, and a zip can be a bomb.
"""

from __future__ import annotations

import re
import zipfile
from datetime import date
from typing import Any

from scrapers.extract import walker, zipped
from scrapers.extract.dates import iso_date
from scrapers.passages import DocumentBuilder, ExtractedDocument, ExtractionError

_LABEL = "DOCX"
_CORE = "docProps/core.xml"
_DC = "{http://purl.org/dc/elements/1.1/}"
_DCTERMS = "{http://purl.org/dc/terms/}"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
# Elements whose text is never shown: deleted revisions, field codes, the VML copy of a shape.
_SKIP = {f"{_W}del", f"{_W}delText", f"{_W}instrText", _MC_FALLBACK}
# Wrappers that only group paragraphs and tables: content controls, custom XML, smart tags.
_WRAPPERS = {f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml", f"{_W}smartTag", f"{_W}body"}
_HEADING_STYLE = re.compile(r"^(?:heading\s*(\d)|title|subtitle)$", re.IGNORECASE)
_BODY_LEVEL = 9  # outline level 9 means "body text" in Word


def extract_docx(body: bytes) -> ExtractedDocument:
    """Extract a DOCX's paragraphs and table cells, with headings from Word's own styles."""
    with zipped.open_archive(body, _LABEL) as archive:
        document = zipped.parse_part(archive, "word/document.xml", _LABEL)
        levels = _style_levels(archive)
        title, written = _core_properties(archive)
    root = document.find(f"{_W}body")
    if root is None:
        raise ExtractionError("the DOCX has no document body")
    builder = DocumentBuilder()
    walker.walk(root, _elements(levels), builder)
    return builder.build("docx", title=title, written=written)


def _core_properties(archive: zipfile.ZipFile) -> tuple[str | None, date | None]:
    """Return the title and creation date Word keeps in docProps/core.xml, if it is there."""
    if _CORE not in archive.namelist():
        return None, None
    core = zipped.parse_part(archive, _CORE, _LABEL)
    title = core.findtext(f"{_DC}title")
    return title, iso_date(core.findtext(f"{_DCTERMS}created"))


def _style_levels(archive: zipfile.ZipFile) -> dict[str, int]:
    """Map paragraph style ids to heading levels (1-9) from word/styles.xml, if it exists."""
    if "word/styles.xml" not in archive.namelist():
        return {}
    styles = zipped.parse_part(archive, "word/styles.xml", _LABEL)
    own: dict[str, int] = {}
    based_on: dict[str, str] = {}
    for style in styles.iter(f"{_W}style"):
        style_id = style.get(f"{_W}styleId")
        if style_id is None:
            continue
        level = _level_of(style.find(f"{_W}pPr"), style.find(f"{_W}name"))
        if level:
            own[style_id] = level
        parent = style.find(f"{_W}basedOn")
        if parent is not None and parent.get(f"{_W}val"):
            based_on[style_id] = parent.get(f"{_W}val")
    return {
        sid: level
        for sid in based_on.keys() | own.keys()
        if (level := _inherited(sid, own, based_on))
    }


def _inherited(style_id: str, own: dict[str, int], based_on: dict[str, str]) -> int:
    """Follow a style's basedOn chain (bounded, since chains can loop) to a heading level."""
    for _ in range(16):
        if style_id in own:
            return own[style_id]
        if style_id not in based_on:
            return 0
        style_id = based_on[style_id]
    return 0


def _level_of(ppr: Any, name: Any) -> int:
    """Read a heading level from an outline level, or from a "Heading N" or "Title" name."""
    if ppr is not None:
        outline = ppr.find(f"{_W}outlineLvl")
        if outline is not None:
            value = outline.get(f"{_W}val", "")
            return int(value) + 1 if value.isdigit() and int(value) < _BODY_LEVEL else 0
    if name is not None:
        match = _HEADING_STYLE.match(name.get(f"{_W}val", "").strip())
        if match:
            return int(match.group(1) or 1)
    return 0


def _elements(levels: dict[str, int]) -> walker.BodyElements:
    """Name Word's body elements for the walker, with this document's heading styles."""
    return walker.BodyElements(
        paragraphs={f"{_W}p"},
        table=f"{_W}tbl",
        containers=_WRAPPERS | {f"{_W}txbxContent"},
        skip=_SKIP,
        text=_paragraph_text,
        level=lambda paragraph: _paragraph_level(paragraph, levels),
        cells=_table_units,
    )


def _table_units(table: Any, builder: DocumentBuilder) -> list[Any]:
    """Emit a table's cells as passages; return tables nested in cells, to walk next.

    A first row that is a single merged cell is the table's title and becomes a heading.
    """
    nested: list[Any] = []
    rows = table.findall(f"{_W}tr")
    for index, row in enumerate(rows):
        cells = row.findall(f"{_W}tc")
        for cell in cells:
            boxes: list[Any] = []
            paragraphs = [_paragraph_text(p, boxes) for p in cell.iter(f"{_W}p") if _owned(p, cell)]
            walker.add_cell(
                builder, "\n".join(paragraphs), row=index, cells=len(cells), rows=len(rows)
            )
            nested.extend(boxes)
            nested.extend(t for t in cell.iter(f"{_W}tbl") if _owned(t, cell))
    return nested


def _owned(element: Any, cell: Any) -> bool:
    """Say whether an element belongs to this cell rather than to a table or box inside it."""
    parent = element.getparent()
    while parent is not None and parent is not cell:
        if parent.tag in (f"{_W}tbl", f"{_W}txbxContent"):
            return False
        parent = parent.getparent()
    return parent is cell


def _paragraph_level(paragraph: Any, levels: dict[str, int]) -> int:
    """Return the paragraph's heading level from its own outline level or its style."""
    ppr = paragraph.find(f"{_W}pPr")
    if ppr is None:
        return 0
    own = _level_of(ppr, None)
    if own or ppr.find(f"{_W}outlineLvl") is not None:
        return own
    style = ppr.find(f"{_W}pStyle")
    return levels.get(style.get(f"{_W}val", ""), 0) if style is not None else 0


def _paragraph_text(paragraph: Any, boxes: list[Any]) -> str:
    """Collect a paragraph's visible text; text boxes inside it are handed back separately."""
    parts: list[str] = []
    stack = [paragraph]
    while stack:
        node = stack.pop()
        tag = node.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        if tag == f"{_W}txbxContent" and node is not paragraph:
            boxes.append(node)
            continue
        if tag == f"{_W}t":
            parts.append(node.text or "")
        elif tag in (f"{_W}tab", f"{_W}br", f"{_W}cr"):
            parts.append(" ")
        elif tag == f"{_W}noBreakHyphen":
            parts.append("-")
        stack.extend(reversed(list(node)))
    return "".join(parts)
