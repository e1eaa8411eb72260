"""Tests for the formats read with outside help: OCR of scans and pictures, .doc, ODT and RTF.

Tesseract and antiword are Debian packages that `make test` installs (as CI does), so these
tests run them for real; only the "not installed" tests hide them from the extractor.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pytest

from scrapers.extract import doc as doc_module
from scrapers.extract import ocr as ocr_module
from scrapers.extract.dispatch import extract, sniff
from scrapers.extract.pool import Extractor
from scrapers.passages import ExtractedDocument, ExtractionError
from tests.pdf_samples import scanned_pdf, text_pdf

CORPUS = Path(__file__).parent / "corpus"
TERMS_OF_REFERENCE = CORPUS / "n01_derbyshire-terms-of-ref-modern-slavery-partnership-2017.doc"
SCAN = [
    [
        (20, "Killshire (fictional) Anti-Slavery Plan"),
        (12, "The Killshire Partnership will fund a survivor support worker."),
    ],
    [(12, "Page two repeats that the plan runs until 2021.")],
]
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"


@pytest.fixture(scope="module")
def scanned() -> ExtractedDocument:
    """Read the two-page scan once: OCR costs about a second a page."""
    return extract(scanned_pdf(SCAN))


@pytest.fixture
def helper() -> Iterator[Extractor]:
    """A real extraction helper, with the pool's default memory and time limits."""
    with Extractor() as running:
        yield running


def texts(doc: ExtractedDocument) -> list[str]:
    """Return the document's passage texts."""
    return [p.text for p in doc.passages]


def png(pdf: bytes) -> bytes:
    """Encode the first page of a PDF, rendered in grey, as a PNG file (a 'photo' of it)."""
    document = pdfium.PdfDocument(pdf)
    try:
        bitmap = document[0].render(scale=3, grayscale=True)
        width, height, stride = bitmap.width, bitmap.height, bitmap.stride
        pixels = bytes(bitmap.buffer)
    finally:
        document.close()
    rows = b"".join(b"\x00" + pixels[r * stride : r * stride + width] for r in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def odt(body: str, *, mimetype: bytes = b"application/vnd.oasis.opendocument.text") -> bytes:
    """Build an ODT archive whose office:text holds `body`."""
    content = (
        f'<office:document-content xmlns:office="{OFFICE}" xmlns:text="{TEXT}" '
        f'xmlns:table="{TABLE}" xmlns:draw="{DRAW}"><office:body><office:text>'
        f"{body}</office:text></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


# --- OCR -------------------------------------------------------------------------------------


def test_a_scanned_pdf_is_read_by_ocr_with_its_pages(scanned: ExtractedDocument) -> None:
    assert scanned.status == "ok"
    assert scanned.ocr
    commitment = next(p for p in scanned.passages if "survivor support" in p.text)
    assert commitment.text == "The Killshire Partnership will fund a survivor support worker."
    assert commitment.heading == "Killshire (fictional) Anti-Slavery Plan"
    assert (commitment.page, commitment.ocr) == (1, True)
    assert [p.page for p in scanned.passages if "until 2021" in p.text] == [2]
    assert scanned.message == "page(s) 1, 2 read by OCR"


def test_only_the_pages_without_a_text_layer_are_read_by_ocr() -> None:
    typed = pdfium.PdfDocument(text_pdf([[(12, "A typed page about the partnership's work.")]]))
    scan = pdfium.PdfDocument(scanned_pdf(SCAN[:1]))
    try:
        typed.import_pages(scan)
        out = io.BytesIO()
        typed.save(out)
    finally:
        scan.close()
        typed.close()
    doc = extract(out.getvalue())
    assert [(p.page, p.ocr) for p in doc.passages] == [(1, False), (2, True), (2, True)]
    assert doc.message == "page(s) 2 read by OCR"


def test_a_scan_is_read_inside_the_sandboxed_helper(helper: Extractor) -> None:
    doc = helper.extract(scanned_pdf(SCAN[:1]), "application/pdf")
    assert "The Killshire Partnership will fund a survivor support worker." in texts(doc)
    assert all(p.ocr for p in doc.passages)


def test_a_picture_of_a_page_is_read_by_ocr() -> None:
    picture = png(text_pdf([[(14, "We will appoint a modern slavery lead officer.")]]))
    assert sniff(picture) == "image"
    doc = extract(picture, "image/png")
    assert (doc.kind, doc.page_count, doc.ocr) == ("image", 1, True)
    assert texts(doc) == ["We will appoint a modern slavery lead officer."]


def test_without_tesseract_a_scan_needs_ocr_and_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr_module, "find_tool", lambda name: None)
    doc = extract(scanned_pdf(SCAN[:1]))
    assert (doc.status, doc.passages) == ("needs-ocr", ())
    assert doc.message is not None and "Tesseract OCR is not installed" in doc.message
    picture = extract(png(text_pdf([[(14, "Anything")]])))
    assert picture.status == "needs-ocr"


def test_a_damaged_picture_is_an_extraction_error() -> None:
    with pytest.raises(ExtractionError, match="tesseract could not read the document"):
        extract(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "image/png")


# --- legacy Word (.doc) ----------------------------------------------------------------------


def test_a_legacy_word_document_is_read_with_antiword() -> None:
    doc = extract(TERMS_OF_REFERENCE.read_bytes(), "application/msword")
    assert (doc.kind, doc.status, doc.ocr) == ("doc", "ok", False)
    vision = next(p for p in doc.passages if p.heading == "Our Vision")
    assert vision.text.startswith("Working together to fight slavery")
    assert (
        "Prevent: Prevent people from engaging in and being a victim of modern slavery."
        in texts(doc)
    )  # a bullet item under its paragraph, its arrow bullet dropped
    assert all("[pic]" not in p.text and not p.text.startswith("|") for p in doc.passages)


def test_a_doc_is_read_inside_the_sandboxed_helper(helper: Extractor) -> None:
    doc = helper.extract(TERMS_OF_REFERENCE.read_bytes(), None)
    assert doc == extract(TERMS_OF_REFERENCE.read_bytes())


def test_an_office_file_that_is_not_word_is_refused() -> None:
    with pytest.raises(ExtractionError, match=r"not a Word document \(.xls, .ppt\?\)"):
        extract(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2048)


def test_without_antiword_a_doc_is_refused_saying_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(doc_module, "find_tool", lambda name: None)
    with pytest.raises(ExtractionError, match=r"need antiword, which is not installed"):
        extract(TERMS_OF_REFERENCE.read_bytes())


# --- ODT ---------------------------------------------------------------------------------------


def test_an_odt_gives_headings_paragraphs_lists_and_cells() -> None:
    body = (
        '<text:h text:outline-level="1">Our Commitment</text:h>'
        '<text:p>The council will <text:span>fund</text:span> the<text:s text:c="2"/>'
        "coordinator.<text:note><text:note-body><text:p>A footnote.</text:p></text:note-body>"
        "</text:note></text:p>"
        '<text:h text:outline-level="2">Actions</text:h>'
        "<text:list><text:list-item><text:p>Train staff<text:tab/>yearly.</text:p>"
        "</text:list-item></text:list>"
        "<table:table><table:table-row><table:table-cell><text:p>Lead</text:p></table:table-cell>"
        "<table:table-cell><text:p>Killshire (fictional)</text:p><text:p>Council</text:p>"
        "</table:table-cell></table:table-row></table:table>"
        "<text:p>Before<draw:frame><draw:text-box><text:p>Boxed.</text:p></draw:text-box>"
        "</draw:frame> after.</text:p>"
    )
    doc = extract(odt(body), "application/vnd.oasis.opendocument.text")
    assert doc.kind == "odt"
    assert texts(doc) == [
        "Our Commitment",
        "The council will fund the coordinator.",
        "Actions",
        "Train staff yearly.",
        "Lead",
        "Killshire (fictional) Council",
        "Before after.",
        "Boxed.",
    ]
    assert [p.heading for p in doc.passages][1:4] == ["Our Commitment", "Our Commitment", "Actions"]


def test_an_opendocument_spreadsheet_is_not_read_as_text() -> None:
    with pytest.raises(ExtractionError, match="not a Word"):
        extract(odt("", mimetype=b"application/vnd.oasis.opendocument.spreadsheet"))


# --- RTF -------------------------------------------------------------------------------------


def test_an_rtf_gives_its_paragraphs_without_its_tables_of_fonts_or_pictures() -> None:
    rtf = (
        rb"{\rtf1\ansi{\fonttbl{\f0 Arial;}}{\info{\title Killshire plan}}"
        rb"{\pict\pngblip 89504e47}"
        rb"\pard Our Approach\par"
        rb"\pard The caf\'e9 staff in Killshire (fictional) will be trained to spot the signs"
        rb" of modern slavery.\par}"
    )
    doc = extract(rtf, "application/rtf")
    assert doc.kind == "rtf"
    assert texts(doc) == [
        "Our Approach",
        "The café staff in Killshire (fictional) will be trained to spot the signs of "
        "modern slavery.",
    ]
    assert doc.passages[1].heading == "Our Approach"


def test_an_rtf_with_an_impossible_character_is_an_extraction_error() -> None:
    with pytest.raises(ExtractionError, match="the RTF could not be read"):
        extract(rb"{\rtf1\u99999999999999999999 text\par}")


def test_an_odt_without_its_content_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
    with pytest.raises(ExtractionError, match="the ODT has no content.xml"):
        extract(buffer.getvalue())


def test_ocr_can_be_left_out_to_read_the_text_layer_alone() -> None:
    doc = extract(scanned_pdf(SCAN[:1]), ocr=False)
    assert (doc.status, doc.passages) == ("needs-ocr", ())
    assert doc.message == (
        "the PDF has no text layer (scanned or image-only) and OCR was not asked for"
    )
