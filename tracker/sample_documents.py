"""Real documents of real bodies, read by the real pipeline, so a new install has a queue.

`tracker sample` runs each through the scraper's own extractor, matcher and store, exactly
as a scrape would, so `/campaign/review` lists passages waiting for a campaigner. The
passages stay pending: nothing is accepted, and no pledge is recorded, on anyone's behalf.

Only documents whose issuing body is unambiguous and in the authorities table qualify.
Of the corpus's toolkit documents that is Derbyshire County Council's own statement; the
Hampshire and Hertfordshire strategies are issued by multi-agency partnerships and the
Welsh ones by national groups, so none of those is filed under one council.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sqlmodel import Session, select

from scrapers.extract.dispatch import extract
from scrapers.fetch.fetcher import Fetched
from scrapers.match.scoring import match_document
from tracker.models import Authority, utcnow
from tracker.pipeline.store import Stored, store_fetch

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus"
# The public copy the corpus README names, at a fixed commit so the link never moves.
TOOLKIT = (
    "https://github.com/iascmap/iasctoolkit/blob/6c0aeb9b571868d8a1530ee7e14bf769d81edac8/download/"
)


@dataclass(frozen=True)
class SampleDocument:
    """One corpus file, the body that issued it (by GSS code), and its public copy."""

    file: str
    gss_code: str
    title: str
    content_type: str

    @property
    def url(self) -> str:
        """Return the permanent link to the toolkit's copy (named there without our prefix)."""
        return TOOLKIT + quote(self.file.split("_", 1)[1])


SAMPLE_DOCUMENTS = (
    SampleDocument(
        file="f01_derbyshire-cc-modern-slavery-statement-2018-to-2019.pdf",
        gss_code="E10000007",  # Derbyshire County Council
        title="Modern slavery statement 2018 to 2019",
        content_type="application/pdf",
    ),
)


def load_sample_documents(session: Session) -> list[Stored]:
    """Read and store each sample document; a second run finds them unchanged."""
    stored = []
    for sample in SAMPLE_DOCUMENTS:
        authority = session.exec(
            select(Authority).where(Authority.gss_code == sample.gss_code)
        ).one()
        body = (CORPUS / sample.file).read_bytes()
        extracted = extract(body, sample.content_type)
        stored.append(
            store_fetch(
                session,
                authority_id=authority.id,
                url=sample.url,
                fetched=_as_fetched(sample, body),
                extracted=extracted,
                proposals=match_document(extracted) if extracted.status == "ok" else [],
                title=sample.title,
            )
        )
    return stored


def _as_fetched(sample: SampleDocument, body: bytes) -> Fetched:
    """Describe the file as the fetcher would have, had it downloaded the public copy."""
    return Fetched(
        url=sample.url,
        final_url=sample.url,
        status=200,
        content_type=sample.content_type,
        body=body,
        sha256=hashlib.sha256(body).hexdigest(),
        fetched_at=utcnow(),
        etag=None,
        last_modified=None,
        redirects=(),
    )
