"""How long a real authority's page is, measured in the browser with the real sample.

Sheffield's page was about 19,500 px tall at desktop width: every ward of every election,
each candidate a "No answer yet" row. The sample's South Yorkshire candidates (real
people, none with an answer) are loaded for this module only and removed after it, so the
other browser tests keep their small fictional world.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import BrowserContext, ViewportSize, expect
from sqlmodel import col, delete, select

from tests.e2e.browser import PHONE, Site
from tracker.commands.data import SAMPLE_CANDIDATES
from tracker.imports.candidates import import_candidates
from tracker.models import Ballot, Candidacy, Election, Party, Person

WIDE = ViewportSize(width=1366, height=900)
LIMIT_PX = 5_000


@pytest.fixture(scope="module")
def sample(site: Site) -> Iterator[None]:
    """Load the sample's real candidacies, and delete them again after this module."""
    with site.session() as session:
        import_candidates(session, SAMPLE_CANDIDATES)
    yield
    with SAMPLE_CANDIDATES.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    elections = select(Election.id).where(
        col(Election.election_id).in_({r["election_id"] for r in rows})
    )
    ballots = select(Ballot.id).where(col(Ballot.election_id).in_(elections))
    with site.session() as session:
        session.exec(delete(Candidacy).where(col(Candidacy.ballot_id).in_(ballots)))
        session.exec(delete(Ballot).where(col(Ballot.election_id).in_(elections)))
        session.exec(delete(Election).where(col(Election.id).in_(elections)))
        session.exec(delete(Person).where(col(Person.id).in_({int(r["person_id"]) for r in rows})))
        session.exec(
            delete(Party).where(
                col(Party.dc_id).in_({r["party_id"] for r in rows}),
                col(Party.id).not_in(select(Candidacy.party_id)),
            )
        )


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_sheffield_fits_in_5000_px_at_desktop_width(
    sample: None, new_context: Callable[..., BrowserContext], javascript: bool
) -> None:
    page = new_context(javascript=javascript, viewport=WIDE).new_page()
    page.goto("/authorities/sheffield")
    expect(page.get_by_role("heading", name="Election of 6 May 2021")).to_be_visible()
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < LIMIT_PX, f"Sheffield's page is {height} px tall at 1366 px wide"


def test_older_elections_open_on_request(
    sample: None, new_context: Callable[..., BrowserContext]
) -> None:
    page = new_context(viewport=PHONE).new_page()
    page.goto("/authorities/sheffield")
    older = page.locator("details.older-election")
    expect(older).to_have_count(1)
    older.locator(":scope > summary").click()
    expect(older.get_by_role("link", name="Walkley")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
