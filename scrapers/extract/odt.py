"""Turn an OpenDocument text file (ODT, from LibreOffice) into passages via its content.xml.

Like DOCX, ODT is zipped XML: headings are `text:h` with an outline level, paragraphs
`text:p`, lists hold paragraphs, and table cells become passages of their own. Text boxes
anchored in a paragraph come out after it; footnotes and annotations are left out, as
they are in Word documents.
"""

from __future__ import annotations

import zipfile
from datetime import date
from typing import Any

from scrapers.extract import walker, zipped
from scrapers.extract.dates import iso_date
from scrapers.passages import DocumentBuilder, ExtractedDocument, ExtractionError

MIMETYPE = b"application/vnd.oasis.opendocument.text"
_LABEL = "ODT"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_META = "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}"
_DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
# Never shown in the body: notes, annotations, tracked deletions, the index's own copy.
_SKIP = {
    f"{_TEXT}note", f"{_OFFICE}annotation", f"{_TEXT}tracked-changes",
    f"{_TEXT}sequence-decls", f"{_TEXT}variable-decls", f"{_TEXT}user-field-decls",
}  # fmt: skip
_CONTAINERS = {
    f"{_OFFICE}text", f"{_TEXT}section", f"{_TEXT}list", f"{_TEXT}list-item",
    f"{_TEXT}list-header", f"{_TEXT}table-of-content", f"{_TEXT}index-body",
    f"{_TABLE}table-header-rows", f"{_TABLE}table-rows", f"{_TABLE}table-row-group",
    f"{_DRAW}text-box",
}  # fmt: skip


def extract_odt(body: bytes) -> ExtractedDocument:
    """Extract an ODT's headings, paragraphs and table cells in reading order."""
    with zipped.open_archive(body, _LABEL) as archive:
        content = zipped.parse_part(archive, "content.xml", _LABEL)
        title, written = _meta(archive)
    root = content.find(f"{_OFFICE}body/{_OFFICE}text")
    if root is None:
        raise ExtractionError("the ODT has no text body (a spreadsheet or a presentation?)")
    builder = DocumentBuilder()
    walker.walk(root, _ELEMENTS, builder)
    return builder.build("odt", title=title, written=written)


def _meta(archive: zipfile.ZipFile) -> tuple[str | None, date | None]:
    """Return the title and creation date in meta.xml, if the file has one."""
    if "meta.xml" not in archive.namelist():
        return None, None
    meta = zipped.parse_part(archive, "meta.xml", _LABEL)
    title = meta.findtext(f"{_OFFICE}meta/{_DC}title")
    return title, iso_date(meta.findtext(f"{_OFFICE}meta/{_META}creation-date"))


def _heading_level(paragraph: Any) -> int:
    """Return a `text:h` heading's outline level; a `text:p` paragraph is body text (0)."""
    return _outline_level(paragraph) if paragraph.tag == f"{_TEXT}h" else 0


def _outline_level(heading: Any) -> int:
    """Return a heading's outline level (1 when missing or unreadable)."""
    value = heading.get(f"{_TEXT}outline-level", "1")
    return min(int(value), 9) if value.isdigit() and int(value) > 0 else 1


def _table_cells(table: Any, builder: DocumentBuilder) -> list[Any]:
    """Emit each cell as one passage; return tables nested in cells, to walk next.

    A first row that is one cell spanning the table is its title and becomes a heading.
    """
    nested: list[Any] = []
    rows = list(table.iter(f"{_TABLE}table-row"))
    rows = [row for row in rows if _nearest(row, f"{_TABLE}table") is table]
    for index, row in enumerate(rows):
        cells = row.findall(f"{_TABLE}table-cell")  # covered cells repeat a merged one: skipped
        for cell in cells:
            parts: list[str] = []
            for child in cell:
                if child.tag in (f"{_TEXT}p", f"{_TEXT}h"):
                    parts.append(_inline_text(child, nested))
                elif child.tag == f"{_TABLE}table" or child.tag in _CONTAINERS:
                    nested.append(child)
            walker.add_cell(builder, "\n".join(parts), row=index, cells=len(cells), rows=len(rows))
    return nested


def _nearest(element: Any, tag: str) -> Any:
    """Return the closest ancestor of an element with the given tag."""
    parent = element.getparent()
    while parent is not None and parent.tag != tag:
        parent = parent.getparent()
    return parent


def _inline_text(paragraph: Any, boxes: list[Any]) -> str:
    """Collect a paragraph's visible text; text boxes inside it are handed back separately."""
    parts: list[str] = []
    stack: list[Any] = [paragraph]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            parts.append(node)  # the tail text after an element, queued in document order
            continue
        tag = node.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        if tag == f"{_DRAW}text-box":
            boxes.append(node)
        elif tag == f"{_TEXT}s":
            parts.append(" " * min(_count(node), 100))
        elif tag in (f"{_TEXT}tab", f"{_TEXT}line-break"):
            parts.append(" ")
        else:
            parts.append(node.text or "")
            for child in reversed(list(node)):
                if child.tail:
                    stack.append(child.tail)
                stack.append(child)
    return "".join(parts)


def _count(space: Any) -> int:
    """Return how many spaces a `text:s` element stands for."""
    value = space.get(f"{_TEXT}c", "1")
    return int(value) if value.isdigit() else 1


_ELEMENTS = walker.BodyElements(
    paragraphs={f"{_TEXT}h", f"{_TEXT}p"},
    table=f"{_TABLE}table",
    containers=_CONTAINERS,
    skip=_SKIP,
    text=_inline_text,
    level=_heading_level,
    cells=_table_cells,
)
