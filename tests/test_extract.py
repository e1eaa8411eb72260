"""Tests for turning fetched bytes into passages: formats, layout, and hostile input."""

from __future__ import annotations

import io
import os
import struct
import time
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scrapers.extract import dispatch as extract_module
from scrapers.extract.dispatch import extract, extract_isolated, sniff
from scrapers.extract.sandbox import run_isolated
from scrapers.passages import (
    ExtractedDocument,
    ExtractionError,
    document_from_json,
    document_to_json,
)
from tests.pdf_samples import bomb_pdf, encrypted_pdf, image_pdf, text_pdf

CORPUS = Path(__file__).parent / "corpus"
DOCUMENTS = sorted(p for p in CORPUS.iterdir() if p.suffix in {".pdf", ".docx", ".html", ".txt"})
KINDS = {".pdf": "pdf", ".docx": "docx", ".html": "html", ".txt": "text"}
CHROME_ONLY = ["h02", "h03", "h07", "h10"]
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def corpus(prefix: str) -> bytes:
    """Return the bytes of the corpus file whose name starts with `prefix`."""
    (path,) = (p for p in DOCUMENTS if p.name.startswith(prefix))
    return path.read_bytes()


def passage_with(doc: ExtractedDocument, words: str) -> int:
    """Return the index of the first passage containing `words`."""
    return next(i for i, p in enumerate(doc.passages) if words in p.text)


def docx(document_xml: bytes, *, extra: dict[str, bytes] | None = None) -> bytes:
    """Build a DOCX archive around a word/document.xml."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", document_xml)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def body_xml(inner: str) -> bytes:
    """Wrap WordprocessingML body content in a document element."""
    return f'<w:document xmlns:w="{W}"><w:body>{inner}</w:body></w:document>'.encode()


# --- every corpus document ------------------------------------------------------------------


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name[:40])
def test_corpus_document_extracts_with_consistent_offsets(path: Path) -> None:
    doc = extract(path.read_bytes())
    assert doc.kind == KINDS[path.suffix]
    assert doc.status == "ok"
    assert doc.passages
    for passage in doc.passages:
        assert doc.text[passage.start : passage.end] == passage.text
        assert passage.text == " ".join(passage.text.split())
    assert doc.passages == extract(path.read_bytes()).passages  # deterministic


def test_pdf_passages_keep_their_page_numbers() -> None:
    doc = extract(corpus("f01"))
    assert doc.page_count == 7
    pages = [p.page or 0 for p in doc.passages]
    assert pages == sorted(pages)
    assert pages[0] == 1 and pages[-1] == 7
    support = doc.passages[passage_with(doc, "Any investigation and/or victim support")]
    assert support.page == 6


def test_pdf_headings_come_from_bold_and_larger_type() -> None:
    doc = extract(corpus("f01"))
    plan = doc.passages[passage_with(doc, "The Council Plan is a key document")]
    assert plan.heading == "Council Plan 2017-2021"


def test_pdf_running_heads_and_page_numbers_are_dropped() -> None:
    doc = extract(corpus("f05"))
    assert not any(p.text == "MSP STRATEGY" for p in doc.passages)
    assert not any(p.text.isdigit() for p in doc.passages)


def test_pdf_reflow_joins_broken_words_and_keeps_real_hyphens() -> None:
    pdf = text_pdf(
        [
            [
                (18, "Our Commitment"),
                (11, "The Northshire Council will fund the partner-"),
                (11, "ship coordinator and support multi-"),
                (11, "agency working across the county."),
            ],
            [(11, "Second page.")],
        ]
    )
    doc = extract(pdf, "application/pdf")
    body = doc.passages[1]
    assert body.text == (
        "The Northshire Council will fund the partnership coordinator and support "
        "multi-agency working across the county."
    )
    assert body.heading == "Our Commitment"
    assert (body.page, doc.passages[2].page) == (1, 2)


def test_pdf_served_as_html_is_sniffed_as_pdf() -> None:
    body = corpus("f08")
    assert sniff(body, "text/html; charset=utf-8") == "pdf"
    assert extract(body, "text/html").kind == "pdf"


def test_an_image_only_pdf_without_words_is_read_by_ocr_and_says_so() -> None:
    doc = extract(image_pdf())
    assert doc.status == "ok"
    assert doc.message == "page(s) 1 read by OCR; OCR found no words on page(s) 1"
    assert doc.page_count == 1
    assert doc.passages == ()


# --- HTML -----------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", CHROME_ONLY)
def test_menu_and_footer_mentions_of_modern_slavery_are_dropped(prefix: str) -> None:
    html = corpus(prefix)
    soup = BeautifulSoup(html, "lxml")
    chrome = soup.select("nav a, footer a, #footer a, .footer a")
    assert any("slavery" in a.get_text().lower() for a in chrome)
    doc = extract(html, "text/html")
    assert doc.passages
    assert not any("slavery" in p.text.lower() for p in doc.passages)


def test_html_passages_sit_under_their_headings() -> None:
    doc = extract(corpus("h03"), "text/html")
    what = doc.passages[passage_with(doc, "Whistleblowing is when someone believes")]
    assert what.heading == "What is whistleblowing?"


def test_html_keeps_main_content_and_drops_chrome() -> None:
    html = b"""<html><head><title>t</title><script>var s = "modern slavery";</script></head>
    <body><header><nav><a href="/ms">Modern slavery</a></nav></header>
    <div id="cookie-banner"><p>We use cookies. Accept?</p></div>
    <a class="skip-link" href="#main">Skip to main content</a>
    <ol class="breadcrumbs"><li>Home</li><li>Community</li></ol>
    <main><h1>Tackling exploitation</h1><p>The Eastshire partnership meets monthly.</p>
    <ul><li>First item</li><li>Second item</li></ul>
    <table><tr><td>Cell one</td><td>Cell two</td></tr></table></main>
    <aside><p>Related: modern slavery statement</p></aside>
    <footer><p>Modern slavery statement</p></footer></body></html>"""
    doc = extract(html)
    assert [p.text for p in doc.passages] == [
        "Tackling exploitation",
        "The Eastshire partnership meets monthly.",
        "First item",
        "Second item",
        "Cell one",
        "Cell two",
    ]
    assert {p.heading for p in doc.passages[1:]} == {"Tackling exploitation"}


def test_html_inside_a_page_wide_form_is_kept() -> None:
    html = b"<html><body><form id='aspnetForm'><h1>Modern slavery</h1><p>Our pledge.</p>"
    html += b"<form class='search'><input name='q'><p>Search the site</p></form></form></body>"
    doc = extract(html, "text/html")
    assert [p.text for p in doc.passages] == ["Modern slavery", "Our pledge."]


def test_ten_thousand_deep_html_does_not_recurse() -> None:
    depth = 10_000
    html = "<html><body>" + "<div>" * depth + "deep text" + "</div>" * depth + "<p>after</p>"
    doc = extract(html.encode(), "text/html")
    assert [p.text for p in doc.passages] == ["deep text", "after"]


# --- DOCX -----------------------------------------------------------------------------------


def test_docx_headings_come_from_word_styles() -> None:
    doc = extract(corpus("f10"))
    crime = doc.passages[passage_with(doc, "Slavery is a terrible crime")]
    assert crime.heading == "Introduction"
    assert crime.page is None


def test_docx_table_cells_are_passages_once_each() -> None:
    doc = extract(corpus("f10"))
    texts = [p.text for p in doc.passages]
    objective = "Strategic Objective 8: Wales Victim Response Pathway"
    # Once in the list of objectives and once as the table's merged title row, which a reader
    # that walks the grid (python-docx) would repeat for each of the six columns it spans.
    assert texts.count(objective) == 2
    pathway = doc.passages[passage_with(doc, "8.1 To monitor and review")]
    assert pathway.heading == objective


def test_docx_paragraph_styles_and_tables_in_reading_order() -> None:
    styles = f"""<w:styles xmlns:w="{W}"><w:style w:type="paragraph" w:styleId="H1">
        <w:name w:val="heading 1"/></w:style></w:styles>""".encode()
    xml = body_xml(
        '<w:p><w:pPr><w:pStyle w:val="H1"/></w:pPr><w:r><w:t>Our pledge</w:t></w:r></w:p>'
        "<w:p><w:r><w:t>We will fund </w:t></w:r><w:r><w:t>a coordinator.</w:t></w:r></w:p>"
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Action</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:p><w:r><w:t>Owner</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
        "<w:p><w:r><w:delText>deleted</w:delText><w:t>Kept</w:t></w:r></w:p>"
    )
    doc = extract(docx(xml, extra={"word/styles.xml": styles}))
    assert [(p.text, p.heading) for p in doc.passages] == [
        ("Our pledge", None),
        ("We will fund a coordinator.", "Our pledge"),
        ("Action", "Our pledge"),
        ("Owner", "Our pledge"),
        ("Kept", "Our pledge"),
    ]


# --- plain text -----------------------------------------------------------------------------


def test_text_headings_and_one_paragraph_per_line() -> None:
    doc = extract(corpus("p15"), "text/plain")
    plan = doc.passages[passage_with(doc, "So that we can all understand more")]
    assert plan.heading == "Human Trafficking and Modern Slavery Priority Plan"
    assert any(p.text == "Human Trafficking and Modern Slavery Priority Plan" for p in doc.passages)


def test_wrapped_text_is_reflowed_into_paragraphs() -> None:
    text = (
        "Our approach\n\n"
        "The Westshire anti-slavery partnership will appoint a partner-\n"
        "ship coordinator to lead its work with victims and their families,\n"
        "and with multi-agency partners across the county.\n\n"
        "- First point\n- Second point\n"
    )
    doc = extract(text.encode("cp1252"))
    assert [p.text for p in doc.passages] == [
        "Our approach",
        "The Westshire anti-slavery partnership will appoint a partnership coordinator to lead "
        "its work with victims and their families, and with multi-agency partners across the "
        "county.",
        "First point",
        "Second point",
    ]


# --- hostile input --------------------------------------------------------------------------


def test_truncated_pdf_is_refused() -> None:
    whole = text_pdf([[(12, "Some text on a page")]])
    with pytest.raises(ExtractionError, match="truncated"):
        extract(whole[: len(whole) // 2])


def test_encrypted_pdf_is_refused() -> None:
    with pytest.raises(ExtractionError, match="encrypted"):
        extract(encrypted_pdf())


def test_garbage_with_pdf_markers_is_refused() -> None:
    with pytest.raises(ExtractionError):
        extract(b"%PDF-1.7\n" + os.urandom(5000) + b"\n%%EOF\n")


def test_pdf_decompression_bomb_is_stopped_by_the_memory_cap() -> None:
    bomb = bomb_pdf(128 * 2**20)
    with pytest.raises(ExtractionError):
        extract_isolated(bomb, timeout_s=30, memory_bytes=32 * 2**20)


def test_docx_zip_bomb_is_refused_before_inflating() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b" " * (48 * 2**20))
    with pytest.raises(ExtractionError, match="bomb"):
        extract(buffer.getvalue())


def test_docx_declaring_a_huge_part_is_refused() -> None:
    archive = bytearray(docx(body_xml("<w:p><w:r><w:t>x</w:t></w:r></w:p>")))
    # Rewrite the central directory's uncompressed size for word/document.xml to 1 GiB.
    entry = archive.rfind(
        b"PK\x01\x02", 0, archive.find(b"word/document.xml", archive.find(b"PK\x01\x02"))
    )
    struct.pack_into("<I", archive, entry + 24, 2**30)
    with pytest.raises(ExtractionError, match="too large"):
        extract(bytes(archive))


def test_docx_lying_about_its_size_is_refused() -> None:
    archive = bytearray(docx(body_xml("<w:p><w:r><w:t>" + "x" * 5000 + "</w:t></w:r></w:p>")))
    local = archive.find(b"PK\x03\x04", archive.find(b"[Content_Types].xml") + 10)
    central = archive.find(b"PK\x01\x02", archive.find(b"PK\x01\x02") + 4)
    struct.pack_into("<I", archive, local + 22, 10)
    struct.pack_into("<I", archive, central + 24, 10)
    with pytest.raises(ExtractionError):
        extract(bytes(archive))


def test_docx_missing_its_document_part_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(ExtractionError, match="not a Word"):
        extract(buffer.getvalue())


def test_ten_thousand_deep_docx_xml_is_refused() -> None:
    depth = 10_000
    inner = "<w:sdt><w:sdtContent>" * depth + "</w:sdtContent></w:sdt>" * depth
    with pytest.raises(ExtractionError, match="not valid XML"):
        extract(docx(body_xml(inner)))


def test_random_bytes_are_refused() -> None:
    with pytest.raises(ExtractionError):
        extract(bytes(range(256)) * 64)


def test_empty_and_oversized_documents_are_refused() -> None:
    with pytest.raises(ExtractionError, match="empty"):
        extract(b"   ")
    with pytest.raises(ExtractionError, match="too large"):
        extract(b"a" * (extract_module.MAX_BYTES + 1))


@pytest.mark.parametrize(
    ("head", "reason"),
    [(b"\xd0\xcf\x11\xe0", "legacy"), (b"\x89PNG\r\n", "PNG"), (b"\x1f\x8b", "gzip")],
)
def test_unsupported_formats_are_named(head: bytes, reason: str) -> None:
    with pytest.raises(ExtractionError, match=reason):
        extract(head + b"\x00" * 64)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=2048),
        st.binary(max_size=2048).map(lambda b: b"%PDF-1.4\n" + b + b"\n%%EOF\n"),
        st.binary(max_size=2048).map(lambda b: b"PK\x03\x04" + b),
        st.binary(max_size=2048).map(lambda b: b"<html><body><p>" + b),
        st.text(max_size=500).map(str.encode),
    ),
    st.sampled_from([None, "text/html", "application/pdf", "text/plain; charset=utf-16"]),
)
def test_arbitrary_bytes_give_a_document_or_an_extraction_error(
    body: bytes, content_type: str | None
) -> None:
    try:
        doc = extract(body, content_type)
    except ExtractionError:
        return
    assert isinstance(doc, ExtractedDocument)
    assert all(doc.text[p.start : p.end] == p.text for p in doc.passages)


# --- isolation ------------------------------------------------------------------------------


def test_isolated_extraction_matches_in_process_extraction() -> None:
    body = corpus("f01")
    assert extract_isolated(body) == extract(body)


def test_isolated_extraction_passes_on_extraction_errors() -> None:
    with pytest.raises(ExtractionError, match="encrypted"):
        extract_isolated(encrypted_pdf())


def test_isolated_extraction_survives_a_crashing_extractor(monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(
        body: bytes, content_type: str | None = None, *, ocr: bool = True
    ) -> ExtractedDocument:
        os.abort()

    monkeypatch.setattr(extract_module, "extract", crash)
    with pytest.raises(ExtractionError, match="crashed"):
        extract_isolated(b"anything")


def test_isolated_task_that_hangs_is_killed_at_its_deadline() -> None:
    def hang() -> bytes:
        time.sleep(60)
        return b""

    with pytest.raises(ExtractionError, match="timed out"):
        run_isolated(hang, timeout_s=0.5, memory_bytes=2**26)


def test_isolated_task_that_exhausts_memory_is_reported() -> None:
    def hog() -> bytes:
        return bytes(2**30)

    with pytest.raises(ExtractionError, match="memory"):
        run_isolated(hog, timeout_s=20, memory_bytes=2**26)


def test_isolated_task_with_a_bug_is_reported_as_an_extraction_error() -> None:
    def broken() -> bytes:
        raise ValueError("a bug")

    with pytest.raises(ExtractionError, match="ValueError"):
        run_isolated(broken, timeout_s=20, memory_bytes=2**26)


def test_document_json_round_trip_and_corrupt_results() -> None:
    doc = extract(corpus("p13"))
    assert document_from_json(document_to_json(doc)) == doc
    with pytest.raises(ExtractionError):
        document_from_json('{"kind": "pdf"}')
    with pytest.raises(ExtractionError):
        document_from_json(document_to_json(doc).replace('"text"', '"txet"', 1))
