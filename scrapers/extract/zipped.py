"""Read the XML parts of zipped office documents (DOCX, ODT) within fixed bounds.

A DOCX or ODT is a zip file, and a zip can be a bomb: every part is size-checked before it
is inflated, inflated in chunks against a cap, and parsed without entities, DTDs or network.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from scrapers.passages import ExtractionError

MAX_ENTRIES = 5000
MAX_PART_BYTES = 64 * 2**20
# Office XML compresses about 10:1; a part that inflates far more than this is a bomb.
MAX_RATIO = 200
_CHUNK = 2**20
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False
)


def open_archive(body: bytes, label: str) -> zipfile.ZipFile:
    """Open a document's zip archive, refusing damaged ones and those with absurd part counts."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as exc:
        raise ExtractionError(f"the {label} is not a readable zip archive") from exc
    if len(archive.infolist()) > MAX_ENTRIES:
        archive.close()
        raise ExtractionError(f"the {label} has too many parts to be a real document")
    return archive


def read_part(archive: zipfile.ZipFile, name: str, label: str) -> bytes:
    """Read one part, refusing parts that are missing, oversized or inflate like a bomb."""
    try:
        info = archive.getinfo(name)
    except KeyError as exc:
        raise ExtractionError(f"the {label} has no {name} (not a {label} document?)") from exc
    if info.file_size > MAX_PART_BYTES:
        raise ExtractionError(f"the {label} part {name} is too large ({info.file_size} bytes)")
    if info.file_size > _CHUNK and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise ExtractionError(f"the {label} part {name} looks like a decompression bomb")
    chunks: list[bytes] = []
    total = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                total += len(chunk)
                if total > MAX_PART_BYTES:
                    raise ExtractionError(f"the {label} part {name} inflates past the size limit")
                chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise ExtractionError(f"the {label} part {name} is damaged or encrypted ({exc})") from exc
    return b"".join(chunks)


def parse_part(archive: zipfile.ZipFile, name: str, label: str) -> Any:
    """Read and parse one XML part; libxml2 also caps the nesting depth."""
    try:
        return etree.fromstring(read_part(archive, name, label), _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ExtractionError(f"the {label} part {name} is not valid XML ({exc})") from exc
