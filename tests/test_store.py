"""Storing what a scrape found: the sanity guards that refuse output that cannot be right.

A matcher that misfires, or an extractor that loses the words, must not replace what was
stored before: the document is recorded as failed, and nothing of the new fetch is kept.
tests/test_scrape.py stores real documents end to end; here the proposals are made by
hand, so each limit can be tested on both sides.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, col, select

from scrapers.extract.dispatch import extract
from scrapers.fetch.fetcher import Fetched
from scrapers.match.proposals import Proposal as Found
from scrapers.passages import ExtractedDocument, Passage
from tests.factories import fictional_council
from tracker.models import Document, DocumentPage, DocumentStatus, DocumentVersion, Proposal
from tracker.pipeline.store import (
    MAX_MATCHES,
    SanityError,
    Stored,
    fingerprint,
    store_failure,
    store_fetch,
)

URL = "https://killshire.example/strategy.txt"
ADVOCACY = "safeguarding-and-independent-advocacy"
TEXT = (
    b"Killshire Council (fictional) will fund an Independent Child Trafficking Advocate "
    b"for every child at risk of modern slavery."
)


def fetched(body: bytes, status: int = 200, etag: str | None = None) -> Fetched:
    """Return a fetch of `body`, as the fetcher reports it."""
    return Fetched(
        url=URL,
        final_url=URL + "?final",
        status=status,
        content_type="text/plain",
        body=body,
        sha256=hashlib.sha256(body).hexdigest(),
        fetched_at=datetime(2024, 6, 3, 9, 0, tzinfo=UTC),
        etag=etag,
        last_modified=None,
        redirects=(),
    )


def found(
    doc: ExtractedDocument,
    start: int = 0,
    end: int | None = None,
    *,
    recommendation: str = ADVOCACY,
    score: float = 0.9,
) -> Found:
    """Return a proposal of the text between `start` and `end` (the whole text by default)."""
    end = len(doc.text) if end is None else end
    return Found(recommendation, score, doc.text[start:end], None, start, end, "t")


def store(
    db: Session,
    doc: ExtractedDocument | None,
    proposals: list[Found],
    *,
    body: bytes = TEXT,
    status: int = 200,
) -> Stored:
    """Store a fetch of the document with these proposals, as a scrape would."""
    return store_fetch(
        db,
        authority_id=fictional_council(db).id or 0,
        url=URL,
        fetched=fetched(body, status),
        extracted=doc,
        proposals=proposals,
    )


def proposed(db: Session, doc: ExtractedDocument, proposals: list[Found]) -> int:
    """Store a new document with these proposals; return how many proposals it kept."""
    stored = store(db, doc, proposals)
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
    assert proposed(db, doc, [found(doc)] * MAX_MATCHES) == 1


def test_one_proposal_over_the_limit_refuses_the_document(
    db: Session, doc: ExtractedDocument
) -> None:
    with pytest.raises(SanityError, match=f"proposed {MAX_MATCHES + 1} passages"):
        proposed(db, doc, [found(doc)] * (MAX_MATCHES + 1))
    assert nothing_stored(db)


@pytest.mark.parametrize(("start", "end"), [(0, 1), (5, 6), (len(TEXT) - 1, len(TEXT))])
def test_a_proposal_inside_the_text_is_stored(
    db: Session, doc: ExtractedDocument, start: int, end: int
) -> None:
    assert proposed(db, doc, [found(doc), found(doc, start, end)]) == 2


@pytest.mark.parametrize(("start", "end"), [(-1, 10), (5, 5), (6, 5), (0, len(TEXT) + 1)])
def test_a_proposal_outside_the_text_refuses_the_document(
    db: Session, doc: ExtractedDocument, start: int, end: int
) -> None:
    with pytest.raises(SanityError, match=f"outside the text \\({start}-{end}\\)"):
        proposed(db, doc, [found(doc), found(doc, start, end)])
    assert nothing_stored(db)


@pytest.mark.parametrize("text", ["", " \n\t "])
def test_a_text_layer_without_words_is_refused(
    db: Session, doc: ExtractedDocument, text: str
) -> None:
    with pytest.raises(SanityError, match="no words were extracted"):
        proposed(db, replace(doc, text=text, passages=()), [])
    assert nothing_stored(db)


# Versions: what a changed, unchanged or unreadable fetch does to what was stored

PLAN = (
    b"Killshire Council (fictional) will fund an Independent Child Trafficking Advocate.\n\n"
    b"Killshire Council (fictional) will train every taxi driver to spot exploitation.\n\n"
    b"Killshire Council (fictional) will publish a modern slavery statement every year.\n"
)
ADVOCATE, TAXIS, STATEMENT = (line.decode().strip() for line in PLAN.split(b"\n\n"))


def of(doc: ExtractedDocument, words: str, *, score: float = 0.9) -> Found:
    """Return a proposal of the passage starting with `words`."""
    start = doc.text.index(words)
    return found(doc, start, start + len(words), score=score)


def rows(db: Session) -> dict[str, Proposal]:
    """Return the stored proposals by the first words of their passage."""
    db.expire_all()
    return {p.passage[:40]: p for p in db.exec(select(Proposal))}


def test_a_first_version_proposes_each_strong_passage_once(db: Session) -> None:
    doc = extract(PLAN, "text/plain")
    twin = replace(of(doc, ADVOCATE, score=0.6), text=ADVOCATE.upper().replace(" ", "  "))
    weak = of(doc, TAXIS, score=0.4999)
    unknown = replace(of(doc, STATEMENT), recommendation="world-peace")
    edge = replace(of(doc, STATEMENT, score=0.5), rule="r" * 150)
    proposals = [twin, weak, unknown, of(doc, ADVOCATE, score=0.87654), edge]
    stored = store(db, doc, proposals, body=PLAN)
    assert (stored.outcome, stored.document.version, stored.document.status) == ("new", 1, "ok")
    kept = rows(db)
    assert sorted(kept) == [ADVOCATE[:40], STATEMENT[:40]]
    advocate = kept[ADVOCATE[:40]]
    assert (advocate.passage, advocate.score, advocate.first_version) == (ADVOCATE, 0.877, 1)
    assert (advocate.start, advocate.end) == (0, len(ADVOCATE))
    assert (kept[STATEMENT[:40]].score, kept[STATEMENT[:40]].rule) == (0.5, "r" * 100)
    assert {p.id for p in stored.proposed} == {p.id for p in kept.values()}
    version = db.exec(select(DocumentVersion)).one()
    assert (version.number, version.text, version.document_id) == (1, doc.text, stored.document.id)
    document = stored.document
    assert (document.final_url, document.size, document.content_type) == (
        URL + "?final",
        len(PLAN),
        "text/plain",
    )


def test_a_long_passage_is_kept_to_its_first_4000_characters(db: Session) -> None:
    body = b"Killshire Council (fictional) will fund advocates " + b"for every child " * 400
    doc = extract(body, "text/plain")
    assert proposed(db, doc, [found(doc)]) == 1
    assert db.exec(select(Proposal)).one().passage == doc.text[:4000]


def test_a_new_version_keeps_withdraws_and_restores_proposals(db: Session) -> None:
    first = extract(PLAN, "text/plain")
    store(db, first, [of(first, ADVOCATE), of(first, TAXIS)])
    rejected = rows(db)[ADVOCATE[:40]]
    rejected.review_status = "rejected"
    db.flush()
    moved = b"Killshire Council (fictional): the plan.\n\n" + PLAN
    second = extract(moved, "text/plain")
    changed = store(
        db, second, [of(second, ADVOCATE, score=0.7), of(second, STATEMENT)], body=moved
    )
    assert (changed.outcome, changed.document.version) == ("changed", 2)
    kept = rows(db)
    assert [p.passage for p in changed.proposed] == [STATEMENT]
    assert [p.passage for p in changed.withdrawn] == [TAXIS]
    assert (kept[TAXIS[:40]].withdrawn_in, kept[STATEMENT[:40]].first_version) == (2, 2)
    advocate = kept[ADVOCATE[:40]]
    assert (advocate.id, advocate.review_status, advocate.score) == (rejected.id, "rejected", 0.7)
    assert advocate.start == second.text.index(ADVOCATE)
    third = extract(PLAN, "text/plain")
    back = store(db, third, [of(third, ADVOCATE), of(third, TAXIS), of(third, STATEMENT)])
    assert (back.outcome, back.proposed, back.document.version) == ("changed", [], 3)
    assert [p.passage for p in back.withdrawn] == []
    assert rows(db)[TAXIS[:40]].withdrawn_in is None
    assert len(db.exec(select(DocumentVersion)).all()) == 3


def test_the_same_bytes_or_a_304_store_nothing_new(db: Session) -> None:
    doc = extract(PLAN, "text/plain")
    store(db, doc, [of(doc, ADVOCATE)])
    again = store(db, doc, [of(doc, ADVOCATE), of(doc, TAXIS)])
    assert (again.outcome, again.document.version, again.proposed) == ("unchanged", 1, [])
    again.document.error = "an earlier failure"
    not_modified = store(db, None, [], body=b"", status=304)
    assert (not_modified.outcome, not_modified.document.status) == ("not-modified", "not-modified")
    assert not_modified.document.error is None
    assert len(db.exec(select(DocumentVersion)).all()) == len(rows(db)) == 1


def test_a_scan_without_text_is_noted_and_stores_no_version(db: Session) -> None:
    scan = ExtractedDocument("pdf", "", (), 3, "needs-ocr", "no text layer")
    stored = store(db, scan, [])
    assert (stored.outcome, stored.document.status) == ("needs-ocr", "needs-ocr")
    assert (stored.document.error, stored.document.page_count) == ("no text layer", 3)
    assert stored.document.version == 0 and db.exec(select(DocumentVersion)).all() == []
    assert store(db, scan, []).document.status == "needs-ocr"  # the same scan, unchanged


def test_a_failure_is_recorded_on_the_document_and_keeps_its_versions(db: Session) -> None:
    doc = extract(PLAN, "text/plain")
    store(db, doc, [of(doc, ADVOCATE)])
    council = fictional_council(db)
    failed = store_failure(
        db, authority_id=council.id or 0, url=URL, status=DocumentStatus.FAILED, error="x" * 3000
    )
    assert (failed.outcome, failed.document.status, failed.document.version) == (
        "failed",
        "failed",
        1,
    )
    assert failed.document.error == "x" * 2000
    refused = store_failure(
        db, authority_id=council.id or 0, url=URL, status=DocumentStatus.REFUSED, error="private"
    )
    assert (refused.outcome, refused.document.status) == ("refused", "refused")
    assert len(db.exec(select(DocumentVersion)).all()) == len(rows(db)) == 1


def test_a_passages_key_survives_changes_of_spacing_and_case_only() -> None:
    """Keys are stored: a rejected passage stays rejected only while its key is the same."""
    key = hashlib.sha256(b"pathways-to-support\nwe will fund it").hexdigest()
    assert fingerprint("pathways-to-support", " We  WILL\nfund it ") == key
    assert fingerprint("pathways-to-support", "We will fund them") != key


def test_validators_are_replaced_when_sent_and_kept_when_not(db: Session) -> None:
    """The next fetch asks "changed since?" with them; losing them costs a full download."""
    doc = extract(PLAN, "text/plain")
    council = fictional_council(db).id or 0
    lm = "Tue, 13 Mar 2018 10:00:00 GMT"
    first = replace(fetched(PLAN, etag='"v1"'), last_modified=lm)
    store_fetch(db, authority_id=council, url=URL, fetched=first, extracted=doc, proposals=[])
    newer = replace(fetched(PLAN + b"\n", etag='"v2"'), last_modified=None)
    stored = store_fetch(
        db, authority_id=council, url=URL, fetched=newer, extracted=doc, proposals=[]
    )
    assert (stored.document.etag, stored.document.last_modified) == ('"v2"', lm)
    same = store(db, None, [], body=b"", status=304)
    assert (same.document.etag, same.document.last_modified) == ('"v2"', lm)


def test_a_new_version_is_described_from_the_fetch_and_its_text(db: Session) -> None:
    council = fictional_council(db).id or 0
    passages = (
        Passage("Our plan.", None, 1, 0, 9),
        Passage("We will fund it.", None, 2, 11, 27),
        Passage("We will train staff.", None, 2, 29, 49),
    )
    text = "Our plan.\n\nWe will fund it.\n\nWe will train staff."
    doc = ExtractedDocument("pdf", text, passages, 2, "ok", None, period=(2022, 2025))
    fetch = replace(fetched(PLAN), content_type="application/pdf;" + " " * 300)
    stored = store_fetch(
        db,
        authority_id=council,
        url=URL,
        fetched=fetch,
        extracted=doc,
        proposals=[],
        title="Given title " + "x" * 600,
    )
    document = stored.document
    assert document.title == ("Given title " + "x" * 600)[:500]  # none in the text: the given one
    assert document.content_type == fetch.content_type[:200]  # type: ignore[index]
    assert (document.period_start, document.period_end, document.ocr) == (2022, 2025, False)
    (version,) = db.exec(select(DocumentVersion)).all()
    assert version.fetched_at == fetch.fetched_at
    pages = db.exec(select(DocumentPage).order_by(col(DocumentPage.position))).all()
    assert [(p.page, p.text) for p in pages] == [
        (1, "Our plan."),
        (2, "We will fund it.\n\nWe will train staff."),
    ]


def test_an_untitled_document_of_unknown_type_stays_so(db: Session) -> None:
    doc = extract(PLAN, "text/plain")
    council = fictional_council(db).id or 0
    fetch = replace(fetched(PLAN), content_type=None)
    stored = store_fetch(
        db, authority_id=council, url=URL, fetched=fetch, extracted=doc, proposals=[]
    )
    assert (stored.document.title, stored.document.content_type) == (None, None)


@pytest.mark.parametrize(
    ("said", "last_modified", "dated"),
    [
        ((date(2019, 4, 1), "text"), "Sat, 01 Jun 2019 10:00:00 GMT", (date(2019, 4, 1), "text")),
        (
            (date(2018, 1, 1), "period"),
            "Sat, 01 Jun 2019 10:00:00 GMT",
            (date(2019, 6, 1), "last-modified"),
        ),
        (
            (date(2018, 1, 1), "period"),
            "Mon, 01 Jan 2024 10:00:00 GMT",
            (date(2018, 1, 1), "period"),
        ),
        ((None, None), "Sat, 01 Jun 2019 10:00:00 GMT", (date(2019, 6, 1), "last-modified")),
        ((None, None), "not a date", (None, None)),
    ],
)
def test_a_document_is_dated_by_itself_before_its_server(
    db: Session,
    said: tuple[date | None, str | None],
    last_modified: str,
    dated: tuple[object, object],
) -> None:
    """Last-Modified beats only the guess from the plan's first year, and only within it."""
    base = extract(PLAN, "text/plain")
    period = (2018, 2021) if said[1] == "period" else None
    doc = replace(base, date=said[0], date_source=said[1], period=period)  # type: ignore[arg-type]
    fetch = replace(fetched(PLAN), last_modified=last_modified)
    council = fictional_council(db).id or 0
    stored = store_fetch(
        db, authority_id=council, url=URL, fetched=fetch, extracted=doc, proposals=[]
    )
    assert (stored.document.published_on, stored.document.date_source) == dated


def test_a_success_after_a_failure_clears_the_error(db: Session) -> None:
    doc = extract(PLAN, "text/plain")
    council = fictional_council(db).id or 0
    store_failure(db, authority_id=council, url=URL, status=DocumentStatus.FAILED, error="down")
    stored = store(db, doc, [of(doc, ADVOCATE)])
    assert (stored.outcome, stored.document.status, stored.document.error) == ("new", "ok", None)
    assert stored.proposed[0].created_at == fetched(PLAN).fetched_at


def test_two_authorities_publishing_one_address_keep_a_document_each(db: Session) -> None:
    """A county and a district may link the same joint strategy: each has its own row."""
    doc = extract(PLAN, "text/plain")
    ids = [fictional_council(db, name).id or 0 for name in ("Killshire", "Otherby")]
    stored = [
        store_fetch(db, authority_id=i, url=URL, fetched=fetched(PLAN), extracted=doc, proposals=[])
        for i in ids
    ]
    assert [s.outcome for s in stored] == ["new", "new"]
    assert [s.document.authority_id for s in stored] == ids
