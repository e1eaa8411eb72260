"""Decide what a fetched document is and extract its passages, optionally in a sandbox.

Servers mislabel documents (a PDF served as text/html, a Word file as octet-stream), so the
bytes have the last word on the format; the Content-Type breaks ties and carries the charset.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from scrapers.extract.describe import describe
from scrapers.extract.doc import extract_doc
from scrapers.extract.docx import extract_docx
from scrapers.extract.html import extract_html
from scrapers.extract.ocr import extract_picture
from scrapers.extract.odt import MIMETYPE as MIMETYPE_ODT
from scrapers.extract.odt import extract_odt
from scrapers.extract.pdf import extract_pdf
from scrapers.extract.rtf import extract_rtf
from scrapers.extract.sandbox import run_isolated
from scrapers.extract.text import extract_text, looks_binary
from scrapers.passages import (
    ExtractedDocument,
    ExtractionError,
    Kind,
    document_from_json,
    document_to_json,
)

MAX_BYTES = 64 * 2**20
# Markup is parsed into a tree in memory, so HTML and text get a tighter cap than PDF or DOCX.
MAX_MARKUP_BYTES = 16 * 2**20
DEFAULT_TIMEOUT_S = 60.0
DEFAULT_MEMORY_BYTES = 1024 * 2**20

_PDF_TYPES = {"application/pdf", "application/x-pdf"}
_DOCX_TYPES = {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_HTML_START = re.compile(
    rb"^\s*(?:<!doctype\s+html|<html|<head|<body|<\?xml[^>]*>\s*<(?:!doctype\s+)?html)",
    re.IGNORECASE,
)
_HTML_TAG = re.compile(rb"<(?:html|head|body|title|meta|div|p|h[1-6]|table|ul|a)[\s>/]", re.I)
_MAGIC: dict[bytes, Kind] = {
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "doc",  # the OLE2 container of Word 97-2003
    b"{\\rtf": "rtf",
    b"\x89PNG\r\n\x1a\n": "image",
    b"\xff\xd8\xff": "image",
    b"GIF87a": "image",
    b"GIF89a": "image",
    b"II*\x00": "image",  # TIFF, as fax-era scans are
    b"MM\x00*": "image",
}
_UNSUPPORTED = {
    b"\xd0\xcf\x11\xe0": "the file is a damaged legacy Microsoft Office file",
    b"\x89PNG": "the file is a damaged PNG image",
    b"\x1f\x8b": "compressed (gzip) files are not supported",
}
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)


def sniff(body: bytes, content_type: str | None = None) -> Kind:
    """Name a document's format from its bytes, falling back on the Content-Type."""
    head = body[:4096]
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(body)
    for magic, kind in _MAGIC.items():
        if head.startswith(magic):
            return kind
    for magic, reason in _UNSUPPORTED.items():
        if head.startswith(magic):
            raise ExtractionError(reason)
    mime = media_type(content_type)
    if mime in _PDF_TYPES:
        return "pdf"
    if mime in _DOCX_TYPES:
        return "docx"
    if looks_binary(body, charset(content_type)):
        raise ExtractionError("the document is binary data in an unknown format")
    stripped = head.lstrip(b"\xef\xbb\xbf")
    if _HTML_START.match(stripped):
        return "html"
    if mime in _HTML_TYPES and b"<" in head:
        return "html"
    if mime is None and _HTML_TAG.search(head):
        return "html"
    return "text"


def media_type(content_type: str | None) -> str | None:
    """Return the lower-cased media type of a Content-Type header, without parameters."""
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def charset(content_type: str | None) -> str | None:
    """Return the charset parameter of a Content-Type header, if any."""
    match = _CHARSET.search(content_type or "")
    return match.group(1) if match else None


def _sniff_zip(body: bytes) -> Kind:
    """Accept a zip archive only if it is a Word (DOCX) or OpenDocument text (ODT) file."""
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return "docx"
            if "mimetype" in names and _mimetype(archive) == MIMETYPE_ODT:
                return "odt"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as exc:
        raise ExtractionError("the file is a damaged zip archive") from exc
    raise ExtractionError("the file is a zip archive but not a Word (DOCX) or ODT document")


def _mimetype(archive: zipfile.ZipFile) -> bytes:
    """Read an OpenDocument's `mimetype` entry, which names its kind (text, spreadsheet...)."""
    info = archive.getinfo("mimetype")
    if info.file_size > 200:
        return b""
    try:
        with archive.open(info) as stream:
            return stream.read(200).strip()
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
        return b""


def extract(body: bytes, content_type: str | None = None, *, ocr: bool = True) -> ExtractedDocument:
    """Extract a document's passages in this process; use `extract_isolated` for web input.

    `ocr=False` leaves scanned PDF pages unread (benchmarks against text-layer tools).
    """
    if len(body) > MAX_BYTES:
        raise ExtractionError(f"the document is too large ({len(body)} bytes; limit {MAX_BYTES})")
    if not body.strip():
        raise ExtractionError("the document is empty")
    kind = sniff(body, content_type)
    if kind in ("html", "text", "rtf") and len(body) > MAX_MARKUP_BYTES:
        raise ExtractionError(f"the {kind} document is too large ({len(body)} bytes)")
    return describe(_read(body, kind, content_type, ocr))


def _read(body: bytes, kind: Kind, content_type: str | None, ocr: bool) -> ExtractedDocument:
    """Extract the passages of a document of a known kind."""
    try:
        if kind == "pdf":
            return extract_pdf(body, read_scans=ocr)
        if kind == "docx":
            return extract_docx(body)
        if kind == "odt":
            return extract_odt(body)
        if kind == "doc":
            return extract_doc(body)
        if kind == "rtf":
            return extract_rtf(body)
        if kind == "image":
            return extract_picture(body)
        if kind == "html":
            return extract_html(body, charset(content_type))
        return extract_text(body, charset(content_type))
    except RecursionError as exc:
        raise ExtractionError("the document is nested too deeply to read") from exc
    except MemoryError as exc:
        raise ExtractionError("the document needs too much memory to read") from exc


def extract_isolated(
    body: bytes,
    content_type: str | None = None,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    memory_bytes: int = DEFAULT_MEMORY_BYTES,
    ocr: bool = True,
) -> ExtractedDocument:
    """Extract in a child process with a memory cap and a deadline.

    A crash, a timeout or memory exhaustion in the child is reported as an `ExtractionError`;
    the scraper carries on with the next document.
    """

    def task() -> bytes:
        return document_to_json(extract(body, content_type, ocr=ocr)).encode("utf-8")

    data = run_isolated(task, timeout_s=timeout_s, memory_bytes=memory_bytes)
    return document_from_json(data)
