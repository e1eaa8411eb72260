"""Turn a PDF into passages that keep their page numbers, using PDFium's text layer.

PDFium gives lines in content order with their boxes and fonts. Paragraphs are rebuilt from
that geometry (a wider gap, a bullet, a short line ending a sentence, a change of font) and
headings from type that is larger, bolder or set in capitals. Pages without a text
layer (scans) are rendered and read by Tesseract (`scrapers.extract.ocr`). PDFium is native
code: call this through `extract_isolated` for documents from the web.
"""

from __future__ import annotations

import ctypes
import math
import re
import statistics
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pypdfium2.raw as pdfium_c  # type: ignore[import-untyped]

from scrapers.extract import layout, ocr
from scrapers.extract.text import add_text
from scrapers.passages import DocumentBuilder, ExtractedDocument, ExtractionError, Status

MAX_PAGES = 2000
# A page with less text than this is treated as having no text layer (a scan, a photo).
MIN_PAGE_CHARS = 20
_SEGMENT = re.compile(r"[^\r\n\ufffe]*\ufffe|[^\r\n\ufffe]+")
_CONTROL = re.compile(r"[\x00-\x01\x03-\x08\x0b\x0c\x0e-\x1f\ufeff\ufffd]")
_PAGE_NUMBER = re.compile(r"^\W*(?:page\s+)?\d{1,4}(?:\s+of\s+\d{1,4})?\W*$", re.IGNORECASE)
_OCR_WORD = re.compile(r"[^\W\d_]{2}")
_PDF_DATE = re.compile(r"^D:(\d{4})(\d{2})(\d{2})")
_OPEN_ERRORS = {
    pdfium_c.FPDF_ERR_PASSWORD: "the PDF is encrypted and needs a password",
    pdfium_c.FPDF_ERR_SECURITY: "the PDF uses an unsupported encryption scheme",
    pdfium_c.FPDF_ERR_FORMAT: "the PDF is malformed",
    pdfium_c.FPDF_ERR_FILE: "the PDF could not be read",
}


@dataclass(frozen=True, slots=True)
class _Line:
    """One line of a page as PDFium laid it out; y grows up the page."""

    text: str
    left: float
    right: float
    top: float
    bottom: float
    size: float
    weight: int

    @property
    def height(self) -> float:
        """Return the line's height, at least one point so ratios stay finite."""
        return max(self.top - self.bottom, 1.0)


@dataclass(frozen=True, slots=True)
class _Page:
    """A page's height and its lines in PDFium's content order."""

    height: float
    lines: list[_Line]

    def in_margin(self, line: _Line) -> bool:
        """Say whether a line sits in the top or bottom margin, where running heads live."""
        return line.bottom > 0.88 * self.height or line.top < 0.12 * self.height


@dataclass(frozen=True, slots=True)
class _Style:
    """The document's body type, against which headings and paragraph gaps are judged."""

    size: float
    weight: int
    step: float


def extract_pdf(body: bytes, *, read_scans: bool = True) -> ExtractedDocument:
    """Extract a PDF's passages page by page, reading pages without a text layer by OCR.

    `read_scans=False` reads the text layer alone, as text-layer tools such as pdftotext do.
    """
    _check_complete(body)
    pdf = _open(body)
    try:
        pages = [_page_lines(pdf, index) for index in range(len(pdf))]
        empty = [i for i, page in enumerate(pages, 1) if _char_count(page.lines) < MIN_PAGE_CHARS]
        can_ocr = read_scans and ocr.has_tesseract()
        scanned = _read_scans(pdf, empty) if empty and can_ocr else {}
        title, written = _metadata(pdf)
    except pdfium.PdfiumError as exc:
        raise ExtractionError(f"the PDF is damaged ({exc})") from exc
    finally:
        pdf.close()
    builder = DocumentBuilder()
    _assemble(pages, builder, scanned)
    status, message = _reading(len(pages), empty, scanned, read_scans=read_scans)
    return builder.build(
        "pdf",
        page_count=len(pages),
        status=status,
        message=message,
        title=title,
        written=written,
    )


def _reading(
    page_count: int, empty: list[int], scanned: dict[int, str], *, read_scans: bool
) -> tuple[Status, str | None]:
    """Say whether the PDF still needs OCR, and how its pages without a text layer were read."""
    if empty and not scanned:
        why = ocr.MISSING if read_scans else "OCR was not asked for"
        if len(empty) == page_count:
            return "needs-ocr", f"the PDF has no text layer (scanned or image-only) and {why}"
        return "ok", f"no text layer on page(s) {_page_list(empty)}; {why}"
    unread = [number for number in empty if number not in scanned]
    return "ok", _ocr_message(scanned, unread)


def _check_complete(body: bytes) -> None:
    """Refuse a file cut short in transit: a complete PDF ends with %%EOF in its last 1 KB."""
    if b"%%EOF" not in body[-1024:]:
        raise ExtractionError("the PDF is truncated (no end-of-file marker)")


def _open(body: bytes) -> Any:
    """Open the PDF, turning PDFium failures and absurd page counts into clear errors."""
    try:
        pdf = pdfium.PdfDocument(body)
    except pdfium.PdfiumError as exc:
        reason = _OPEN_ERRORS.get(getattr(exc, "err_code", None), "the PDF could not be opened")
        raise ExtractionError(reason) from exc
    if not len(pdf) or len(pdf) > MAX_PAGES:
        count = len(pdf)
        pdf.close()
        if not count:
            raise ExtractionError("the PDF has no pages")
        raise ExtractionError(f"the PDF is too large ({count} pages; limit {MAX_PAGES})")
    return pdf


def _metadata(pdf: Any) -> tuple[str | None, date | None]:
    """Return the title and creation date in the PDF's document information, if any."""
    info = pdf.get_metadata_dict(skip_empty=True)
    stamp = _PDF_DATE.match(info.get("CreationDate", ""))
    written = None
    if stamp:
        try:
            written = date(int(stamp[1]), int(stamp[2]), int(stamp[3]))
        except ValueError:
            written = None
    return info.get("Title"), written


def _read_scans(pdf: Any, numbers: list[int]) -> dict[int, str]:
    """OCR the given pages (numbered from 1) in order until the document's OCR budget is spent.

    Page numbers are dropped from the recognised text, as they are from a text layer, and so
    are lines without a word, which OCR reads off logos and photographs.
    """
    started = time.monotonic()
    texts: dict[int, str] = {}
    for number in numbers:
        if time.monotonic() - started > ocr.OCR_BUDGET_S:
            break
        page = pdf[number - 1]
        try:
            image = ocr.render_page(page)
        finally:
            page.close()
        lines = ocr.read_picture(image).splitlines()
        texts[number] = "\n".join(ln for ln in lines if _is_ocr_text(ln))
    return texts


def _is_ocr_text(line: str) -> bool:
    """Keep a recognised line unless it is a page number or specks read off a picture ("+")."""
    return not line.strip() or (_OCR_WORD.search(line) is not None and not _PAGE_NUMBER.match(line))


def _ocr_message(scanned: dict[int, str], unread: list[int]) -> str | None:
    """Say which pages were read by OCR and which, past the time budget, were not read."""
    if not scanned:
        return None
    said = f"page(s) {_page_list(sorted(scanned))} read by OCR"
    blank = [number for number, text in sorted(scanned.items()) if not text.strip()]
    if blank:
        said += f"; OCR found no words on page(s) {_page_list(blank)}"
    if unread:
        said += (
            f"; page(s) {_page_list(unread)} not read (OCR stops after"
            f" {ocr.OCR_BUDGET_S:g} s a document)"
        )
    return said


def _page_lines(pdf: Any, index: int) -> _Page:
    """Read one page's text as lines with their boxes, size and weight."""
    page = pdf[index]
    textpage = page.get_textpage()
    try:
        text: str = textpage.get_text_range()
        aligned = len(text) == textpage.count_chars()
        lines = [
            line
            for start, segment in _segments(text)
            if (line := _measure(textpage, segment, start, aligned)) is not None
        ]
        return _Page(height=float(page.get_height()), lines=lines)
    finally:
        textpage.close()
        page.close()


def _segments(text: str) -> Iterator[tuple[int, str]]:
    """Split page text into lines, also after PDFium's end-of-line hyphen mark."""
    for match in _SEGMENT.finditer(text):
        yield match.start(), match.group()


def _measure(textpage: Any, segment: str, start: int, aligned: bool) -> _Line | None:
    """Measure a line from its first and last visible characters; None if it is blank."""
    stripped = segment.strip()
    if not stripped:
        return None
    first = start + len(segment) - len(segment.lstrip())
    last = start + len(segment.rstrip()) - 1
    if not aligned:
        first = pdfium_c.FPDFText_GetCharIndexFromTextIndex(textpage.raw, first)
        last = pdfium_c.FPDFText_GetCharIndexFromTextIndex(textpage.raw, last)
        if first < 0 or last < 0:
            return None
    left, bottom, _, top = textpage.get_charbox(first, loose=True)
    right = textpage.get_charbox(last, loose=True)[2]
    probe = first + next((i for i, c in enumerate(stripped) if c.isalnum()), 0)
    return _Line(
        text=_CONTROL.sub("", stripped),
        left=float(left),
        right=float(right),
        top=float(top),
        bottom=float(bottom),
        size=_font_size(textpage, probe),
        weight=int(pdfium_c.FPDFText_GetFontWeight(textpage.raw, probe)),
    )


def _font_size(textpage: Any, index: int) -> float:
    """Return the rendered font size: PDFium's nominal size scaled by the text matrix."""
    matrix = pdfium_c.FS_MATRIX()
    nominal = float(pdfium_c.FPDFText_GetFontSize(textpage.raw, index))
    if not pdfium_c.FPDFText_GetMatrix(textpage.raw, index, ctypes.byref(matrix)):
        return nominal
    return round(nominal * math.hypot(matrix.c, matrix.d), 1)


def _assemble(pages: list[_Page], builder: DocumentBuilder, scanned: dict[int, str]) -> None:
    """Group each page's lines into paragraphs and headings, dropping running heads.

    A page read by OCR contributes its recognised text instead of its (near-empty) text layer.
    """
    running = layout.repeated_lines(
        ([_running_key(ln, page) for ln in page.lines] for page in pages), len(pages), 0.4
    ) | layout.repeated_lines(
        ([_placed_key(ln) for ln in page.lines] for page in pages), len(pages), 0.7
    )
    words = layout.vocabulary("\n".join(ln.text for page in pages for ln in page.lines))
    kept = [[ln for ln in page.lines if not _is_furniture(ln, page, running)] for page in pages]
    style = _body_style(kept)
    for number, lines in enumerate(kept, 1):
        if number in scanned:
            add_text(builder, scanned[number], page=number, ocr=True)
            continue
        for group in _headings_first(list(_paragraphs(lines, style)), style):
            text = layout.join_lines([ln.text for ln in group], words)
            level = _heading_level(group[0], style)
            if level:
                builder.add_heading(text, level=level, page=number)
            else:
                builder.add(layout.strip_bullet(text), page=number)


def _is_furniture(line: _Line, page: _Page, running: set[str]) -> bool:
    """Say whether a line is a page number or a running head rather than content."""
    return bool(_PAGE_NUMBER.match(line.text)) or bool(
        {_running_key(line, page), _placed_key(line)} & running
    )


def _running_key(line: _Line, page: _Page) -> str:
    """Key a margin line by its words: a running head repeats in the margins of many pages."""
    return layout.running_key(line.text) if page.in_margin(line) else ""


def _placed_key(line: _Line) -> str:
    """Key a line by its words and place: a sidebar repeats at one spot on most pages."""
    return f"{layout.running_key(line.text)}@{round(line.left / 10)},{round(line.top / 10)}"


def _headings_first(groups: list[list[_Line]], style: _Style) -> list[list[_Line]]:
    """Move headings drawn above the page's text, but stored after it, to the page's start.

    Designed PDFs often store a page's title last; left in place it would become the heading
    of the next page's passages instead of this page's.
    """
    headings = [bool(_heading_level(group[0], style)) for group in groups]
    first_body = next((i for i, heading in enumerate(headings) if not heading), None)
    if first_body is None:
        return groups
    top = groups[first_body][0].top
    late = [i for i in range(first_body + 1, len(groups)) if headings[i] and groups[i][0].top > top]
    if not late:
        return groups
    moved = set(late)
    lifted = sorted((groups[i] for i in late), key=lambda group: -group[0].top)
    return lifted + [group for i, group in enumerate(groups) if i not in moved]


def _body_style(pages: list[list[_Line]]) -> _Style:
    """Find the commonest size and weight (by characters) and the usual line spacing."""
    sizes: Counter[float] = Counter()
    weights: Counter[int] = Counter()
    steps: list[float] = []
    for lines in pages:
        for line in lines:
            sizes[line.size] += len(line.text)
            weights[line.weight] += len(line.text)
        for above, below in zip(lines, lines[1:], strict=False):
            step = above.top - below.top
            if above.size == below.size and 0 < step < 2.5 * above.height:
                steps.append(step)
    size = sizes.most_common(1)[0][0] if sizes else 10.0
    weight = weights.most_common(1)[0][0] if weights else 400
    step = statistics.median(steps) if steps else 1.2 * size
    return _Style(size=size, weight=weight, step=step)


def _heading_level(line: _Line, style: _Style) -> int:
    """Return 1-3 if the line is set as a heading (bigger, bolder or capitals), else 0."""
    text = line.text
    if len(text) > 120 or not (text[:1].isupper() or text[:1].isdigit()) or text[-1] in ".,;":
        return 0
    ratio = line.size / style.size if style.size else 1.0
    if ratio >= 1.6:
        return 1
    if ratio >= 1.15:
        return 2
    if line.weight >= style.weight + 50 or layout.is_upper_case(text):
        return 3
    return 0


def _paragraphs(lines: list[_Line], style: _Style) -> Iterator[list[_Line]]:
    """Group consecutive lines into paragraphs wherever the layout shows a break."""
    page_right = _page_right(lines)
    group: list[_Line] = []
    for line in lines:
        if group and _breaks(group[-1], line, style, page_right):
            yield group
            group = []
        group.append(line)
    if group:
        yield group


def _page_right(lines: list[_Line]) -> float:
    """Estimate the right edge of the text column from the page's full-length lines."""
    rights = sorted(ln.right for ln in lines if len(ln.text) >= 40) or sorted(
        ln.right for ln in lines
    )
    return rights[int(0.9 * (len(rights) - 1))] if rights else 0.0


def _breaks(above: _Line, below: _Line, style: _Style, page_right: float) -> bool:
    """Say whether `below` starts a new paragraph rather than continuing `above`."""
    if layout.starts_item(below.text):
        return True
    above_heading = _heading_level(above, style)
    if above_heading != _heading_level(below, style) or (
        above_heading and (above.size, above.weight) != (below.size, below.weight)
    ):
        return True
    step = above.top - below.top
    if abs(step) < 0.3 * below.height:
        # Same baseline: the rest of a line split by a superscript, or the next table cell.
        return below.left - above.right > 2 * below.height
    if step < 0 or step > 1.4 * style.step * max(1.0, below.size / style.size):
        return True  # a jump up (new column or box) or a gap wider than line spacing
    if below.left > above.right:
        return True  # side by side: another column or box
    slack = max(3 * above.height, 0.15 * (page_right - above.left))
    return above.right < page_right - slack and layout.ends_sentence(above.text)


def _char_count(lines: list[_Line]) -> int:
    """Count a page's visible characters."""
    return sum(len("".join(ln.text.split())) for ln in lines)


def _page_list(pages: list[int]) -> str:
    """Write page numbers for a message, eliding long lists."""
    shown = ", ".join(str(p) for p in pages[:10])
    return shown + (f" and {len(pages) - 10} more" if len(pages) > 10 else "")
