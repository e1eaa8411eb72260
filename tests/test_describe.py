"""Knowing the document: its title, its date and the plan period it covers."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest

from scrapers.extract.dates import dates_in, first_date, period_in
from scrapers.extract.describe import describe, is_usable_title
from scrapers.extract.dispatch import extract, extract_isolated
from scrapers.passages import DocumentBuilder, ExtractedDocument

CORPUS = Path(__file__).parent / "corpus"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def text_document(body: str, kind: str = "text") -> ExtractedDocument:
    """Extract plain text (or HTML) the way the scraper does."""
    content_type = "text/html" if kind == "html" else "text/plain; charset=utf-8"
    return extract(body.encode(), content_type)


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("Modern Slavery Partnership Strategy 2018–2021", (2018, 2021)),
        ("Delivery plan 2017-18", (2017, 2018)),
        ("Statement 2018 to 2019", (2018, 2019)),
        ("Plan 2018/19 – 2020/21", (2018, 2021)),
        ("Strategic plan 2021/22", (2021, 2022)),
        ("Modern Slavery Act 2015", None),
        ("Dated 2018-03-12", None),  # an ISO date is no period
        ("From 1990-2015 and beyond", None),  # 25 years is no plan
    ],
)
def test_periods_are_read_as_councils_write_them(text: str, period: tuple[int, int] | None) -> None:
    assert period_in(text) == period


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("approved on 12th March, 2018", date(2018, 3, 12)),
        ("Date: 12/03/2018", date(2018, 3, 12)),  # day first, as in the UK
        ("Updated 2019-10-10", date(2019, 10, 10)),
        ("Published March 2018", date(2018, 3, 1)),
        ("on March 5, 2019", date(2019, 3, 5)),
        ("on 30/02/2018", None),
        ("the Modern Slavery Act 2015", None),
    ],
)
def test_dates_are_read_as_councils_write_them(text: str, day: date | None) -> None:
    assert first_date(text) == day


def test_a_full_date_is_not_also_read_as_its_month() -> None:
    assert [d for _, d in dates_in("Approved 12 March 2018; reviewed April 2019.")] == [
        date(2018, 3, 12),
        date(2019, 4, 1),
    ]


def test_a_stated_approval_date_beats_the_metadata_and_the_period() -> None:
    doc = text_document(
        "Killshire (fictional) Modern Slavery Strategy 2018–2021\n\n"
        "The Home Office published its national strategy on 1 November 2014.\n\n"
        "This strategy was approved by Cabinet on 12 March 2018 and runs for three years.\n"
    )
    assert doc.title == "Killshire (fictional) Modern Slavery Strategy 2018–2021"
    assert doc.period == (2018, 2021)
    # The 2014 national strategy is outside the plan's period, so it does not date it.
    assert (doc.date, doc.date_source) == (date(2018, 3, 12), "stated")


def test_a_metadata_date_outside_the_period_is_someone_elses() -> None:
    built = DocumentBuilder()
    built.add_heading("Killshire (fictional) Partnership Plan 2018–2021")
    built.add("We will fund a coordinator.")
    resaved = describe(built.build("pdf", written=date(2024, 6, 1)))
    assert (resaved.date, resaved.date_source) == (date(2018, 1, 1), "period")
    built = DocumentBuilder()
    built.add_heading("Killshire (fictional) Partnership Plan 2018–2021")
    made = describe(built.build("pdf", written=date(2018, 2, 9)))
    assert (made.date, made.date_source) == (date(2018, 2, 9), "metadata")


def test_an_html_page_is_dated_by_its_meta_tag_or_else_its_first_date() -> None:
    tagged = text_document(
        '<html><head><meta property="article:published_time" content="2019-05-02T10:00:00Z">'
        "</head><body><main><h1>Our anti-slavery work</h1><p>Updated 3 June 2020.</p>"
        "</main></body></html>",
        "html",
    )
    assert (tagged.title, tagged.date, tagged.date_source) == (
        "Our anti-slavery work",
        date(2019, 5, 2),
        "metadata",
    )
    plain = text_document(
        "<html><body><main><h1>Our anti-slavery work</h1><p>Updated 3 June 2020.</p>"
        "</main></body></html>",
        "html",
    )
    assert (plain.date, plain.date_source) == (date(2020, 6, 3), "text")


@pytest.mark.parametrize(
    ("title", "usable"),
    [
        ("Microsoft Word - Notts FM policy briefing.docx", False),
        ("MBGA34T", False),
        ("strategy_v3_final.pdf", False),
        ("Untitled", False),
        ("Modern slavery statement 2018 to 2019", True),
    ],
)
def test_file_names_and_job_codes_are_not_titles(title: str, usable: bool) -> None:
    assert is_usable_title(title) is usable


def test_a_cover_in_capitals_gives_the_title_with_its_period() -> None:
    built = DocumentBuilder()
    built.add_heading("KILLSHIRE (FICTIONAL)", page=1)
    built.add_heading("MODERN SLAVERY PARTNERSHIP STRATEGY", page=1)
    built.add_heading("2018 - 2021", page=1)
    built.add_heading("Foreword", page=2)
    built.add("It is my pleasure to introduce the strategy.", page=2)
    doc = describe(built.build("pdf"))
    assert doc.title == "Modern Slavery Partnership Strategy 2018 - 2021"
    assert doc.period == (2018, 2021)


def test_a_pdf_gives_its_metadata_title_and_creation_date() -> None:
    doc = extract(
        (
            CORPUS / "f05_hampshire-iow-modern-slavery-partnership-strategy-2017-2020.pdf"
        ).read_bytes()
    )
    assert (doc.title, doc.period) == (
        "Modern Slavery Partnership Strategy 2017 - 2020",
        (2017, 2020),
    )
    assert (doc.date, doc.date_source) == (date(2018, 3, 1), "metadata")


def test_a_docx_gives_its_core_properties() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "word/document.xml",
            f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>We will fund a coordinator.'
            "</w:t></w:r></w:p></w:body></w:document>",
        )
        archive.writestr(
            "docProps/core.xml",
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/"><dc:title>Killshire (fictional) '
            "Action Plan</dc:title><dcterms:created>2019-07-17T11:13:00Z</dcterms:created>"
            "</cp:coreProperties>",
        )
    doc = extract(buffer.getvalue())
    assert (doc.title, doc.date, doc.date_source) == (
        "Killshire (fictional) Action Plan",
        date(2019, 7, 17),
        "metadata",
    )


def test_an_rtf_gives_its_info_block() -> None:
    doc = extract(
        rb"{\rtf1{\info{\title Killshire (fictional) statement}{\creatim\yr2018\mo3\dy12}}"
        rb"\pard We will train staff.\par}"
    )
    assert (doc.title, doc.date) == ("Killshire (fictional) statement", date(2018, 3, 12))


def test_what_is_known_crosses_from_the_helper_intact() -> None:
    body = (CORPUS / "f01_derbyshire-cc-modern-slavery-statement-2018-to-2019.pdf").read_bytes()
    isolated = extract_isolated(body)
    assert isolated == extract(body)
    assert (isolated.title, isolated.period) == (
        "Modern slavery statement 2018 to 2019",
        (2018, 2019),
    )
    assert isolated.date is not None and isolated.date.year == 2018
