"""Small PDFs for extractor tests: text, image-only, scanned, encrypted and hostile.

Writing the bytes ourselves keeps the tests free of PDF tools and makes each file's oddity
explicit. Text uses the standard Helvetica font, which every PDF reader must provide.
"""

from __future__ import annotations

import hashlib
import io
import zlib
from collections.abc import Sequence

import pypdfium2 as pdfium  # type: ignore[import-untyped]

# A line of a page: (font size, text). Lines run down the page 1.4 sizes apart.
Line = tuple[float, str]

_PADDING = bytes.fromhex(
    "28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a"
)  # the fixed padding string of the PDF standard security handler


def text_pdf(pages: Sequence[Sequence[Line]]) -> bytes:
    """Build a PDF whose pages hold the given lines of text."""
    objects: list[bytes] = [b"", b""]  # catalog and page tree, filled in below
    kids = []
    for lines in pages:
        content = _content_stream(lines)
        objects.append(_stream(content))
        content_ref = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
            b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 "
            b"/BaseFont /Helvetica >> >> >> >>" % content_ref
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    return _assemble(objects)


def image_pdf() -> bytes:
    """Build a one-page PDF that is only a picture (like a scan): no text layer at all."""
    pixels = bytes(range(0, 256, 16)) * 16  # a 16x16 grey gradient
    image = _stream(
        pixels,
        b"/Type /XObject /Subtype /Image /Width 16 /Height 16 /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8",
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /XObject << /Im1 5 0 R >> >> >>",
        _stream(b"q 400 0 0 400 97 221 cm /Im1 Do Q"),
        image,
    ]
    return _assemble(objects)


def encrypted_pdf(user_password: bytes = b"secret") -> bytes:
    """Build a PDF encrypted with RC4 (standard security handler, revision 2) and a password.

    The page content is encrypted too, so only a reader that has the password can open it.
    """
    owner_key = hashlib.md5(_pad(b"owner"), usedforsecurity=False).digest()[:5]
    owner_entry = _rc4(owner_key, _pad(user_password))
    file_id = b"0123456789abcdef"
    permissions = -4
    key = hashlib.md5(
        _pad(user_password)
        + owner_entry
        + permissions.to_bytes(4, "little", signed=True)
        + file_id,
        usedforsecurity=False,
    ).digest()[:5]
    user_entry = _rc4(key, _PADDING)
    content = _rc4(_object_key(key, 4), _content_stream([(12, "Confidential text")]))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 "
        b"/BaseFont /Helvetica >> >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Filter /Standard /V 1 /R 2 /Length 40 /O <%s> /U <%s> /P %d >>"
        % (owner_entry.hex().encode(), user_entry.hex().encode(), permissions),
    ]
    trailer = b"/Encrypt 5 0 R /ID [<%s> <%s>]" % (file_id.hex().encode(), file_id.hex().encode())
    return _assemble(objects, trailer_extra=trailer)


def bomb_pdf(inflated_bytes: int) -> bytes:
    """Build a PDF whose page content inflates from a few hundred KB to `inflated_bytes`."""
    squeezer = zlib.compressobj(9)
    chunk = b" " * 2**20
    compressed = [squeezer.compress(chunk) for _ in range(inflated_bytes // len(chunk))]
    compressed.append(squeezer.flush())
    content = b"".join(compressed)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    return _assemble(objects)


def _content_stream(lines: Sequence[Line]) -> bytes:
    """Draw lines of text from the top of the page down."""
    ops = [b"BT"]
    y = 780.0
    for size, text in lines:
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(b"/F1 %.1f Tf 1 0 0 1 72 %.1f Tm (%s) Tj" % (size, y, escaped.encode("latin-1")))
        y -= 1.4 * size
    ops.append(b"ET")
    return b"\n".join(ops)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    """Wrap bytes as an uncompressed stream object body."""
    return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (extra, len(data), data)


def _assemble(objects: Sequence[bytes], trailer_extra: bytes = b"") -> bytes:
    """Number the objects, write the cross-reference table and the trailer."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s >>\n" % (len(objects) + 1, trailer_extra)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _pad(password: bytes) -> bytes:
    """Pad or cut a password to 32 bytes, as the security handler requires."""
    return (password + _PADDING)[:32]


def _object_key(key: bytes, number: int) -> bytes:
    """Derive the RC4 key for one object from the file key."""
    material = key + number.to_bytes(3, "little") + (0).to_bytes(2, "little")
    return hashlib.md5(material, usedforsecurity=False).digest()[: len(key) + 5]


def _rc4(key: bytes, data: bytes) -> bytes:
    """Encrypt or decrypt with RC4, the cipher of revision 2 PDF encryption."""
    state = list(range(256))
    j = 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) % 256
        state[i], state[j] = state[j], state[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + state[i]) % 256
        state[i], state[j] = state[j], state[i]
        out.append(byte ^ state[(state[i] + state[j]) % 256])
    return bytes(out)


def scanned_pdf(pages: Sequence[Sequence[Line]], *, scale: float = 3.0) -> bytes:
    """Build a PDF of pictures of the given pages' text, as a scanner makes: no text layer.

    The text is drawn by PDFium from a `text_pdf`, then only the picture is kept, so OCR
    has real glyphs to read and nothing else to find.
    """
    return scan_of(text_pdf(pages), scale=scale)


def scan_of(pdf: bytes, *, pages: int | None = None, scale: float = 3.0) -> bytes:
    """Return a scan of a PDF's first `pages` pages (all by default): pictures, no text."""
    source = pdfium.PdfDocument(pdf)
    scan = pdfium.PdfDocument.new()
    try:
        for index in range(min(len(source), pages or len(source))):
            page = source[index]
            width, height = page.get_size()
            bitmap = page.render(scale=scale, grayscale=True)
            picture = pdfium.PdfImage.new(scan)
            picture.set_bitmap(bitmap)
            picture.set_matrix(pdfium.PdfMatrix().scale(width, height))
            target = scan.new_page(width, height)
            target.insert_obj(picture)
            target.gen_content()
        out = io.BytesIO()
        scan.save(out)
        return out.getvalue()
    finally:
        scan.close()
        source.close()
