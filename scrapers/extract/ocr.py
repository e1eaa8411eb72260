"""Read the text of scanned pages and pictures with Tesseract.

Councils still publish scans: a signed statement, a strategy printed and scanned back in.
A page is rendered by PDFium as a greyscale bitmap and handed to the `tesseract` program
(Debian `tesseract-ocr` with `tesseract-ocr-eng`) on its standard input, one thread per
helper. It costs about 3 CPU seconds a page, so a long scan is read until its budget runs
out and the message names the pages left unread. Without Tesseract installed, such a
document keeps the status `needs-ocr` and says why.
"""

from __future__ import annotations

import math
from typing import Any

from scrapers.extract.text import add_text
from scrapers.extract.tools import find_tool, run_tool
from scrapers.passages import DocumentBuilder, ExtractedDocument, ExtractionError

DPI = 300
# A4 at 300 dpi is 8.7 million pixels; a poster-sized page is scaled down to this many.
MAX_PIXELS = 36_000_000
# Seconds of OCR one document may use, inside its 60-second extraction deadline.
OCR_BUDGET_S = 40.0
MISSING = "Tesseract OCR is not installed (apt-get install tesseract-ocr tesseract-ocr-eng)"
_POINTS_PER_INCH = 72


def has_tesseract() -> bool:
    """Say whether OCR is available on this machine."""
    return find_tool("tesseract") is not None


def read_picture(image: bytes) -> str:
    """Return the text Tesseract reads in an image file (PNG, JPEG, TIFF, GIF or PNM)."""
    program = find_tool("tesseract")
    if program is None:
        raise ExtractionError(MISSING)
    argv = [program, "stdin", "stdout", "-l", "eng"]
    if image.startswith(b"P5"):
        argv += ["--dpi", str(DPI)]  # our own renders: the resolution is known, not guessed
    return run_tool(argv, stdin=image).decode("utf-8", "replace")


def render_page(page: Any) -> bytes:
    """Render a PDFium page as a greyscale PGM image at 300 dpi (less for huge pages)."""
    width, height = float(page.get_width()), float(page.get_height())
    scale = DPI / _POINTS_PER_INCH
    if width * height * scale * scale > MAX_PIXELS:
        scale = math.sqrt(MAX_PIXELS / max(width * height, 1.0))
    bitmap = page.render(scale=scale, grayscale=True)
    try:
        columns, rows, stride = bitmap.width, bitmap.height, bitmap.stride
        buffer = memoryview(bitmap.buffer).cast("B")
        if stride == columns:
            pixels = bytes(buffer[: columns * rows])
        else:
            pixels = b"".join(buffer[r * stride : r * stride + columns] for r in range(rows))
    finally:
        bitmap.close()
    return b"P5 %d %d 255\n" % (columns, rows) + pixels


def extract_picture(body: bytes) -> ExtractedDocument:
    """Read an image file's text as a one-page document; without Tesseract, it needs OCR."""
    builder = DocumentBuilder()
    if not has_tesseract():
        return builder.build(
            "image", page_count=1, status="needs-ocr", message=f"the file is an image; {MISSING}"
        )
    add_text(builder, read_picture(body), page=1, ocr=True)
    return builder.build("image", page_count=1)
