"""The extracted-document model shared by every extractor and the matcher.

Extractors turn bytes into an `ExtractedDocument`; the matcher reads only these types, so
it never needs to know whether a passage came from a PDF page, a DOCX table or an HTML list.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, TypeVar

Kind = Literal["html", "pdf", "docx", "doc", "odt", "rtf", "image", "text"]
Status = Literal["ok", "needs-ocr"]
# Where a document's date came from, best evidence first (see scrapers/extract/describe.py).
DateSource = Literal["stated", "metadata", "text", "last-modified", "period"]

KINDS: tuple[Kind, ...] = ("html", "pdf", "docx", "doc", "odt", "rtf", "image", "text")
STATUSES: tuple[Status, ...] = ("ok", "needs-ocr")
DATE_SOURCES: tuple[DateSource, ...] = ("stated", "metadata", "text", "last-modified", "period")
PASSAGE_SEPARATOR = "\n\n"
_SPACE_RUN = re.compile(r"\s+")
_T = TypeVar("_T")


class ExtractionError(Exception):
    """A document could not be read; the message says why in words a campaigner can act on."""


@dataclass(frozen=True, slots=True)
class Passage:
    """A paragraph-sized piece of text, with the heading it sits under and where it came from.

    `ocr` marks text read from a picture of the page by Tesseract: it can hold misread words,
    so a reviewer checks it against the page before accepting it.
    """

    text: str
    heading: str | None
    page: int | None
    start: int
    end: int
    ocr: bool = False


@dataclass(frozen=True, slots=True)
class ExtractedDocument:
    """A document's full text and its passages; passage offsets index into `text`.

    `title`, `date` (with `date_source`) and `period` (first and last year of the plan)
    say what the document is and when it was written, so its commitments are dated by it.
    """

    kind: Kind
    text: str
    passages: tuple[Passage, ...]
    page_count: int | None
    status: Status
    message: str | None
    title: str | None = None
    date: date | None = None
    date_source: DateSource | None = None
    period: tuple[int, int] | None = None

    @property
    def ocr(self) -> bool:
        """Say whether any of the document's text was read by OCR."""
        return any(p.ocr for p in self.passages)


def clean_space(text: str) -> str:
    """Collapse runs of whitespace so passages compare and display the same whatever the source."""
    return _SPACE_RUN.sub(" ", text).strip()


class DocumentBuilder:
    """Collect passages in reading order and lay out the full text they index into.

    Headings are passages too (a heading can carry the whole commitment, as in "Modern Slavery
    Priority Plan"), and every later passage records the nearest heading above it.
    """

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._passages: list[Passage] = []
        self._length = 0
        self._trail: list[tuple[int, str]] = []

    @property
    def heading(self) -> str | None:
        """Return the heading that the next passage will sit under."""
        return self._trail[-1][1] if self._trail else None

    def add(self, text: str, *, page: int | None = None, ocr: bool = False) -> None:
        """Append a passage under the current heading unless it is blank."""
        text = clean_space(text)
        if text:
            self._append(text, self.heading, page, ocr)

    def add_heading(
        self, text: str, *, level: int = 1, page: int | None = None, ocr: bool = False
    ) -> None:
        """Append a heading passage and make it the heading for what follows.

        A heading closes any open heading of the same or a deeper level, so a passage always
        reports the innermost section it belongs to.
        """
        text = clean_space(text)
        if not text:
            return
        while self._trail and self._trail[-1][0] >= level:
            self._trail.pop()
        self._append(text, self.heading, page, ocr)
        self._trail.append((level, text))

    def _append(self, text: str, heading: str | None, page: int | None, ocr: bool) -> None:
        """Lay out one passage after the previous one and record its offsets."""
        if self._parts:
            self._parts.append(PASSAGE_SEPARATOR)
            self._length += len(PASSAGE_SEPARATOR)
        start = self._length
        self._parts.append(text)
        self._length += len(text)
        self._passages.append(Passage(text, heading, page, start, self._length, ocr))

    def build(
        self,
        kind: Kind,
        *,
        page_count: int | None = None,
        status: Status = "ok",
        message: str | None = None,
        title: str | None = None,
        written: date | None = None,
    ) -> ExtractedDocument:
        """Freeze the collected passages into a document, with what its metadata says."""
        return ExtractedDocument(
            kind=kind,
            text="".join(self._parts),
            passages=tuple(self._passages),
            page_count=page_count,
            status=status,
            message=message,
            title=clean_space(title or "")[:500] or None,
            date=written,
            date_source="metadata" if written else None,
        )


def document_to_json(doc: ExtractedDocument) -> str:
    """Serialise a document as JSON, the format the isolated extractor sends to its parent."""
    return json.dumps(
        {
            "kind": doc.kind,
            "text": doc.text,
            "passages": [[p.heading, p.page, p.start, p.end, p.ocr] for p in doc.passages],
            "page_count": doc.page_count,
            "status": doc.status,
            "message": doc.message,
            "title": doc.title,
            "date": doc.date.isoformat() if doc.date else None,
            "date_source": doc.date_source,
            "period": list(doc.period) if doc.period else None,
        }
    )


def document_from_json(data: str | bytes) -> ExtractedDocument:
    """Rebuild a document from `document_to_json` output, checking every field's type."""
    try:
        raw = json.loads(data)
        kind, status, text = raw["kind"], raw["status"], raw["text"]
        if kind not in KINDS or status not in STATUSES or not isinstance(text, str):
            raise ValueError("bad document header")
        passages = tuple(_passage_from_json(text, item) for item in raw["passages"])
        return ExtractedDocument(
            kind=kind,
            text=text,
            passages=passages,
            page_count=_optional(raw["page_count"], int),
            status=status,
            message=_optional(raw["message"], str),
            title=_optional(raw["title"], str),
            date=_date_from_json(raw["date"]),
            date_source=_date_source_from_json(raw["date_source"]),
            period=_period_from_json(raw["period"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise ExtractionError(f"the extractor returned an unreadable result ({exc})") from exc


def _passage_from_json(text: str, item: Any) -> Passage:
    """Rebuild one passage; its text is a slice of the document text, so it is not sent twice."""
    heading, page, start, end, ocr = item
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(text)):
        raise ValueError("passage offsets out of range")
    if not isinstance(ocr, bool):
        raise TypeError(f"expected bool, got {type(ocr).__name__}")
    return Passage(text[start:end], _optional(heading, str), _optional(page, int), start, end, ocr)


def _date_from_json(value: Any) -> date | None:
    """Read an ISO date or None."""
    text = _optional(value, str)
    return date.fromisoformat(text) if text is not None else None


def _date_source_from_json(value: Any) -> DateSource | None:
    """Read a date source, which must be one of the known ones."""
    for source in DATE_SOURCES:
        if value == source:
            return source
    if value is not None:
        raise ValueError("unknown date source")
    return None


def _period_from_json(value: Any) -> tuple[int, int] | None:
    """Read a period as two years, or None."""
    if value is None:
        return None
    first, last = value
    if not (isinstance(first, int) and isinstance(last, int)):
        raise TypeError("a period is two years")
    return first, last


def _optional(value: Any, kind: type[_T]) -> _T | None:
    """Return `value` if it is None or of type `kind`; anything else is a corrupt result."""
    if value is None or isinstance(value, kind):
        return value
    raise TypeError(f"expected {kind.__name__}, got {type(value).__name__}")
