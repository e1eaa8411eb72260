"""Walk the body of a word-processor document (DOCX, ODT) into passages, in reading order.

Word and OpenDocument files differ in their element names, not in their shape: paragraphs
(some of them headings), tables whose cells become passages, and wrappers (sections, lists,
content controls, text boxes) that only hold more of the same. So one walker serves both,
told each format's names and how it reads a paragraph's text, level and table cells.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from scrapers.extract import layout
from scrapers.passages import DocumentBuilder

TABLE_TITLE_LEVEL = 9  # below every document heading, so the next table's title replaces it


@dataclass(frozen=True)
class BodyElements:
    """A format's names for the body's elements, and its readers for the ones that hold text.

    `text` collects a paragraph's words and appends the text boxes inside it to the list it
    is given; `level` is a paragraph's heading level (0 for body text); `cells` adds a
    table's cells and returns the tables and boxes nested in them, to be walked next.
    """

    paragraphs: Collection[str]
    table: str
    containers: Collection[str]
    skip: Collection[str]
    text: Callable[[Any, list[Any]], str]
    level: Callable[[Any], int]
    cells: Callable[[Any, DocumentBuilder], list[Any]]


def walk(root: Any, elements: BodyElements, builder: DocumentBuilder) -> None:
    """Emit passages for headings, paragraphs and table cells, without recursion."""
    stack = [root]
    while stack:
        node = stack.pop()
        tag = node.tag
        if not isinstance(tag, str) or tag in elements.skip:
            continue  # comments and processing instructions, or text never shown
        if tag in elements.paragraphs:
            boxes: list[Any] = []
            text = elements.text(node, boxes)
            level = elements.level(node)
            if level and not layout.reads_as_sentence(text):
                builder.add_heading(text, level=level)
            else:
                builder.add(text)
            stack.extend(reversed(boxes))
        elif tag == elements.table:
            stack.extend(reversed(elements.cells(node, builder)))
        elif tag in elements.containers:
            stack.extend(reversed(list(node)))


def add_cell(builder: DocumentBuilder, text: str, *, row: int, cells: int, rows: int) -> None:
    """Add one table cell as a passage; a first row of one cell over more rows is a title."""
    if row == 0 and cells == 1 and rows > 1:
        builder.add_heading(text, level=TABLE_TITLE_LEVEL)
    else:
        builder.add(text)
