"""Storing what a scrape found: the sanity guards that refuse output that cannot be right.

A matcher that misfires, or an extractor that loses the words, must not replace what was
stored before: the document is recorded as failed, and nothing of the new fetch is kept.
tests/test_scrape.py stores real documents end to end; here the proposals are made by
hand, so each limit can be tested on both sides.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from scrapers.extract.dispatch import extract
from scrapers.fetch.fetcher import Fetched
from scrapers.match.scoring import Proposal as Found
from scrapers.passages import ExtractedDocument
from tests.factories import fictional_council
from tracker.models import Document, DocumentVersion, Proposal
from tracker.pipeline.store import MAX_MATCHES, SanityError, store_fetch

URL = "https://killshire.example/strategy.txt"
TEXT = (
    b"Killshire Council (fictional) will fund an Independent Child Trafficking Advocate "
    b"for every child at risk of modern slavery."
)


def fetched(body: bytes) -> Fetched:
    """Return a successful fetch of `body`, as the fetcher reports it."""
    return Fetched(
        url=URL,
        final_url=URL,
        status=200,
        content_type="text/plain",
        body=body,
        sha256=hashlib.sha256(body).hexdigest(),
        fetched_at=datetime(2024, 6, 3, 9, 0, tzinfo=UTC),
        etag=None,
        last_modified=None,
        redirects=(),
    )


def found(doc: ExtractedDocument, start: int = 0, end: int | None = None) -> Found:
    """Return a proposal of the text between `start` and `end` (the whole text by default)."""
    end = len(doc.text) if end is None else end
    return Found(
        "safeguarding-and-independent-advocacy", 0.9, doc.text[start:end], None, start, end, "t"
    )


def store(db: Session, doc: ExtractedDocument, proposals: list[Found]) -> int:
    """Store the document with these proposals; return how many proposals it kept."""
    council = fictional_council(db)
    stored = store_fetch(
        db,
        authority_id=council.id or 0,
        url=URL,
        fetched=fetched(TEXT),
        extracted=doc,
        proposals=proposals,
    )
    assert stored.outcome == "new"
    return len(stored.proposed)


def nothing_stored(db: Session) -> bool:
    """Return whether no document, version or proposal was written."""
    return not (
        db.exec(select(Document)).all()
        or db.exec(select(DocumentVersion)).all()
        or db.exec(select(Proposal)).all()
    )


@pytest.fixture
def doc() -> ExtractedDocument:
    extracted = extract(TEXT, "text/plain")
    assert extracted.text == TEXT.decode()  # the offsets below count in TEXT
    return extracted


def test_as_many_proposals_as_the_limit_are_stored(db: Session, doc: ExtractedDocument) -> None:
    # The same passage over and over: stored once, as it is one passage.
    assert store(db, doc, [found(doc)] * MAX_MATCHES) == 1


def test_one_proposal_over_the_limit_refuses_the_document(
    db: Session, doc: ExtractedDocument
) -> None:
    with pytest.raises(SanityError, match=f"proposed {MAX_MATCHES + 1} passages"):
        store(db, doc, [found(doc)] * (MAX_MATCHES + 1))
    assert nothing_stored(db)


@pytest.mark.parametrize(("start", "end"), [(0, 1), (5, 6), (len(TEXT) - 1, len(TEXT))])
def test_a_proposal_inside_the_text_is_stored(
    db: Session, doc: ExtractedDocument, start: int, end: int
) -> None:
    assert store(db, doc, [found(doc), found(doc, start, end)]) == 2


@pytest.mark.parametrize(("start", "end"), [(-1, 10), (5, 5), (6, 5), (0, len(TEXT) + 1)])
def test_a_proposal_outside_the_text_refuses_the_document(
    db: Session, doc: ExtractedDocument, start: int, end: int
) -> None:
    with pytest.raises(SanityError, match=f"outside the text \\({start}-{end}\\)"):
        store(db, doc, [found(doc), found(doc, start, end)])
    assert nothing_stored(db)


@pytest.mark.parametrize("text", ["", " \n\t "])
def test_a_text_layer_without_words_is_refused(
    db: Session, doc: ExtractedDocument, text: str
) -> None:
    with pytest.raises(SanityError, match="no words were extracted"):
        store(db, replace(doc, text=text, passages=()), [])
    assert nothing_stored(db)
