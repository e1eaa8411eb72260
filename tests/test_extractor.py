"""The extractor's helpers: a hostile document costs only itself, never the next one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scrapers.extract import pool as extractor_module
from scrapers.extract.pool import Extractor
from scrapers.passages import ExtractionError
from tests.extract_stand_ins import helper_of, hostile, hostile_match


@pytest.fixture
def helper() -> Iterator[Extractor]:
    with Extractor(timeout_s=2, memory_bytes=256 * 2**20, read=hostile) as running:
        yield running


def read(helper: Extractor, body: bytes) -> int:
    """Extract `body` and return which helper process read it."""
    return helper_of(helper.extract(body, "text/plain"))


def test_a_helper_reads_one_document_after_another(helper: Extractor) -> None:
    first = read(helper, b"page")
    assert read(helper, b"page") == first
    with pytest.raises(ExtractionError, match="not a document we can read"):
        helper.extract(b"refuse", None)
    assert read(helper, b"page") == first  # refusing a document is no failure of the helper


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"hang", r"extraction timed out \(over 2 s\)"),
        (b"crash", "the extractor crashed on this document"),
        (b"hog", r"extraction ran out of memory \(limit 256 MiB\)"),
        (b"bug", r"the extractor failed unexpectedly \(ValueError\)"),
    ],
)
def test_a_hostile_document_fails_alone_and_a_fresh_helper_reads_the_next(
    helper: Extractor, body: bytes, message: str
) -> None:
    before = read(helper, b"page")
    with pytest.raises(ExtractionError, match=message):
        helper.extract(body, None)
    after = read(helper, b"page")
    assert after != before


def test_a_helper_retires_after_its_quota(
    helper: Extractor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(extractor_module, "DOCUMENTS_PER_HELPER", 3)
    readers = [read(helper, b"page") for _ in range(6)]
    assert readers[:3] == [readers[0]] * 3
    assert readers[3:] == [readers[3]] * 3
    assert readers[3] != readers[0]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"We will hang while matching.", r"reading and matching timed out \(over 2 s\)"),
        (b"We will hog while matching.", r"extraction ran out of memory \(limit 256 MiB\)"),
    ],
)
def test_the_matcher_runs_in_the_helper_under_the_document_s_deadline_and_cap(
    body: bytes, message: str
) -> None:
    with Extractor(timeout_s=2, memory_bytes=256 * 2**20, match=hostile_match) as running:
        document, [matched_by] = running.read_and_match(b"A plan.", "text/plain")
        assert document.text == "A plan." and matched_by.startswith("matched by helper ")
        with pytest.raises(ExtractionError, match=message):
            running.read_and_match(body, "text/plain")
        _, [again] = running.read_and_match(b"A plan.", "text/plain")
    assert again != matched_by  # the helper that overran was replaced; the next is fresh
