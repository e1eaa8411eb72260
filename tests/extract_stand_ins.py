"""Stand-ins for the extraction function, run inside the extractor's helper processes.

What each does depends on the body it is given, so one helper can be sent a good page,
then a hostile one, then a good one again.
"""

from __future__ import annotations

import os
import signal
import time

from scrapers.extract.dispatch import extract
from scrapers.match.proposals import Proposal
from scrapers.match.scoring import match_document
from scrapers.passages import ExtractedDocument, ExtractionError


def hostile(body: bytes, content_type: str | None) -> ExtractedDocument:
    """Hang, crash, hog memory, fail or refuse as the body says; else name this process."""
    if body == b"hang":
        time.sleep(3600)
    elif body == b"crash":
        os.kill(os.getpid(), signal.SIGSEGV)
    elif body == b"hog":
        hoard = [bytearray(2**20) for _ in range(4096)]  # 4 GiB, far over any cap here
        return extract(str(len(hoard)).encode(), "text/plain")
    elif body == b"bug":
        raise ValueError("a bug in a parser")
    elif body == b"refuse":
        raise ExtractionError("not a document we can read")
    page = f"<html><body><p>Read by helper {os.getpid()}.</p></body></html>"
    return extract(page.encode(), "text/html")


def helper_of(document: ExtractedDocument) -> int:
    """Return the process id a `hostile` page names."""
    return int(document.text.split("helper ")[1].split(".")[0])


def hostile_match(document: ExtractedDocument) -> list[str]:
    """Hang or hog memory if the document says so; else name the helper that matched it."""
    if "hang while matching" in document.text:
        time.sleep(3600)
    elif "hog while matching" in document.text:
        hoard = [bytearray(2**20) for _ in range(4096)]  # 4 GiB, far over any cap here
        return [str(len(hoard))]
    return [f"matched by helper {os.getpid()}"]


def match_or_hang(document: ExtractedDocument) -> list[Proposal]:
    """Hang if the document says so; else match it as the scraper does."""
    if "hang while matching" in document.text:
        time.sleep(3600)
    return match_document(document)
