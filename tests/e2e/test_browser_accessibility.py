"""axe-core on every page type, at phone and desktop widths, with a screenshot of each.

Each entry of PAGES opens one page type in the state a person would see it; the test runs
axe (which includes WCAG AA colour contrast) and fails on serious or critical violations,
checks the page does not scroll sideways, and saves screenshots to
test-artifacts/screenshots/. A new page type (the scraper review queue, say) joins by adding
an entry.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import select

from tests.e2e.browser import (
    DESKTOP,
    PHONE,
    SLUG,
    TITLE,
    Site,
    expect_accessible,
    expect_settled,
    fill_pledge,
    pledge_row,
    screenshot,
)
from tests.factories import fictional_council, stored_document
from tracker.models import Person, PledgeStatus, User
from tracker.review import accept_match

_numbers = itertools.count(1)


@dataclass(frozen=True)
class PageType:
    """How to reach one kind of page, and who is signed in to see it.

    Pages are checked with JavaScript on, since axe runs as a script: the edit page's form
    has no htmx attributes, so it posts as it would without JavaScript.
    """

    open: Callable[[Page, Site], object]
    role: str | None = None


def visit(path: str | Callable[[Site], str], status: int = 200) -> Callable[[Page, Site], None]:
    """Open a path (or one worked out from the site's data) and check the answer's status."""

    def go(page: Page, site: Site) -> None:
        response = page.goto(path(site) if callable(path) else path)
        assert response is not None and response.status == status, page.url

    return go


def upload_preview(page: Page, site: Site) -> None:
    """Upload a spreadsheet with one change and one bad row, and land on its preview."""
    rowan = site.people["rowan"]
    csv = (
        "person_id,authority,recommendation,status,delivery,evidence_url,quote,date,note\n"
        f"{rowan.id},,listen-to-lived-experience,pledged,,https://example.org/x,We will listen.,"
        "2024-04-01,\n"
        f"{rowan.id},,no-such-recommendation,pledged,,,,,\n"
    )
    page.goto("/campaign/uploads")
    page.get_by_label("CSV file").set_input_files(
        {"name": "pledges.csv", "mimeType": "text/csv", "buffer": csv.encode()}
    )
    page.get_by_role("button", name="Preview changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Preview of pledges.csv")


STRATEGY = (
    "Accessshire modern slavery strategy (fictional)\n\n"
    "We will fund a dedicated modern slavery partnership coordinator for the multi-agency "
    "partnership against exploitation.\n\n"
    "We will commission an Independent Modern Slavery Advocate service for survivors.\n"
)


def strategy(site: Site, *, accepted: bool) -> int:
    """Store an invented council's strategy (its passages accepted, or left pending); a
    second version dropping the last passage follows an accepted one. Return its id."""
    url = f"https://accessshire{next(_numbers)}.example/strategy.txt"
    with site.session() as session:
        council = fictional_council(session, "Accessshire")
        proposed = stored_document(session, council, STRATEGY.encode(), url, title="Strategy")
        if not accepted:
            return proposed[0].document_id
        email = site.accounts["campaigner"]
        reviewer = session.exec(select(User).where(User.email == email)).one()
        for proposal in proposed:
            accept_match(
                session, proposal, status=PledgeStatus.PLEDGED, reviewer_id=reviewer.id or 0
            )
        shorter = STRATEGY.rsplit("\n\n", 1)[0] + "\n"
        stored_document(session, council, shorter.encode(), url, title="Strategy")
        return proposed[0].document_id


def review_queue(page: Page, site: Site) -> None:
    """Open the review queue with a new strategy's passages waiting."""
    strategy(site, accepted=False)
    page.goto("/campaign/review/?authority=accessshire-fictional")
    expect(page.locator("article.review-item").first).to_be_visible()


def new_token(page: Page, site: Site) -> None:
    """Create an API token, so the page shows the one-time secret and the token list."""
    page.goto("/campaign/tokens")
    page.get_by_label("Token name").fill(f"laptop {next(_numbers)}")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("alert")).to_contain_text("Copy this token now")


def pledge_link(site: Site, *, expired: bool = False) -> str:
    """Make a fictional candidate's pledge link (or one that has expired); return its path."""
    return site.pledge_link(site.person(f"Lina Linked {next(_numbers)}"), expired=expired)


def answer_errors(page: Page, site: Site) -> None:
    """Submit the answer page with nothing chosen, so it explains what to do."""
    page.goto(pledge_link(site))
    page.get_by_role("button", name="Record my answers").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved")


def edit_row(page: Page, site: Site) -> Person:
    """Swap a pledge row for its inline form (htmx); return whose pledge it is."""
    person = site.person(f"Axel Accessible {next(_numbers)}")
    page.goto(site.candidate_url(person))
    row = pledge_row(page, person)
    row.get_by_role("link", name=f"Edit {TITLE}").click()
    expect(row.get_by_label("Answer")).to_be_focused()
    expect_settled(row)
    return person


def edit_errors(page: Page, site: Site) -> None:
    """Submit the edit page without evidence, so each message sits beside its field."""
    person = site.person(f"Axel Accessible {next(_numbers)}")
    page.goto(site.edit_url(person))
    fill_pledge(page, status="Pledged", quote="", url="")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".field-error").first).to_be_visible()


def conflict_page(page: Page, site: Site) -> None:
    """Submit the edit page after someone else saved: the 409 page with both versions."""
    person = site.person(f"Axel Accessible {next(_numbers)}")
    page.goto(site.edit_url(person))
    site.answer(person, SLUG, PledgeStatus.PLEDGED, "Recorded by someone else.")
    fill_pledge(page, status="Declined", quote="Mine.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("saved this pledge at")


def conflict_row(page: Page, site: Site) -> None:
    """Save an inline form after someone else saved: the row shows both versions."""
    person = edit_row(page, site)
    site.answer(person, SLUG, PledgeStatus.PLEDGED, "Recorded by someone else.")
    row = pledge_row(page, person)
    fill_pledge(row, status="Declined", quote="Mine.")
    row.get_by_role("button", name="Save").click()
    expect(row.get_by_role("alert")).to_contain_text("saved this pledge at")
    expect_settled(row)


PAGES: dict[str, PageType] = {
    "home": PageType(visit("/")),
    "about": PageType(visit("/about")),
    "recommendations": PageType(visit("/recommendations/")),
    "recommendation": PageType(visit(f"/recommendations/{SLUG}")),
    "authorities": PageType(visit("/authorities/")),
    "authority": PageType(visit("/authorities/testshire-fictional")),
    "place": PageType(visit("/places/sheffield")),
    "search": PageType(visit("/search?q=Yorkshire")),
    "candidates": PageType(visit("/candidates/")),
    "candidate": PageType(visit(lambda site: site.candidate_url(site.people["morgan"]))),
    "parties": PageType(visit("/parties/")),
    "party": PageType(visit("/parties/fictional-party")),
    "scorecards": PageType(visit("/scorecards/")),
    "methodology": PageType(visit("/methodology")),
    "documents": PageType(visit("/documents/")),
    "documents-search": PageType(visit('/documents/?q="multi-agency partnership"')),
    "document": PageType(visit(lambda site: f"/documents/{strategy(site, accepted=True)}")),
    "feeds": PageType(visit("/feeds/")),
    "data": PageType(visit("/data")),
    "history": PageType(visit(lambda site: f"/pledges/{site.pledges['morgan'].id}/history")),
    "login": PageType(visit("/login")),
    "not-found": PageType(visit("/no-such-page", status=404)),
    "answer": PageType(visit(pledge_link)),
    "answer-errors": PageType(answer_errors),
    "answer-expired": PageType(visit(lambda site: pledge_link(site, expired=True), status=410)),
    "pledge-links": PageType(visit("/campaign/links/"), role="campaigner"),
    "link-answers": PageType(visit("/campaign/links/answers"), role="campaigner"),
    "dashboard": PageType(visit("/campaign/"), role="campaigner"),
    "uploads": PageType(visit("/campaign/uploads"), role="campaigner"),
    "review": PageType(review_queue, role="campaigner"),
    "upload-preview": PageType(upload_preview, role="campaigner"),
    "tokens": PageType(new_token, role="campaigner"),
    "accounts": PageType(visit("/campaign/admin/users"), role="admin"),
    "reword": PageType(visit(f"/campaign/admin/recommendations/{SLUG}"), role="admin"),
    "candidate-signed-in": PageType(
        visit(lambda site: site.candidate_url(site.people["morgan"])), role="campaigner"
    ),
    "edit-page": PageType(
        visit(lambda site: site.edit_url(site.people["morgan"])), role="campaigner"
    ),
    "edit-errors": PageType(edit_errors, role="campaigner"),
    "edit-row": PageType(edit_row, role="campaigner"),
    "conflict-page": PageType(conflict_page, role="campaigner"),
    "conflict-row": PageType(conflict_row, role="campaigner"),
}


@pytest.mark.parametrize("name", PAGES)
def test_page_is_accessible_at_phone_and_desktop_widths(
    name: str, site: Site, new_context: Callable[..., BrowserContext]
) -> None:
    kind = PAGES[name]
    page = new_context(kind.role).new_page()
    kind.open(page, site)
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        screenshot(page, name, size)
        expect_accessible(page)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {size} width"


@pytest.mark.parametrize(
    "path",
    [
        lambda site: site.candidate_url(site.people["morgan"]),
        lambda site: "/authorities/testshire-fictional",
    ],
    ids=["candidate", "authority"],
)
def test_a_phone_shows_each_answer_and_its_evidence_without_scrolling(
    path: Callable[[Site], str], site: Site, new_context: Callable[..., BrowserContext]
) -> None:
    """Under 40em each pledge is a card: its answer and evidence sit inside the screen."""
    page = new_context(viewport=PHONE).new_page()
    page.goto(path(site))
    rows = page.locator("table.pledges tbody tr")
    assert rows.count() == 5
    quoted = 0
    for index in range(rows.count()):
        row = rows.nth(index)
        for part in (row.locator(".status"), row.locator("td[data-label='Evidence']")):
            box = part.bounding_box()
            assert box is not None and box["x"] >= 0, f"row {index}: {part} is not on screen"
            assert box["x"] + box["width"] <= PHONE["width"], f"row {index}: {part} is cut off"
        quoted += row.locator(".quote").count()
    assert quoted >= 1  # at least one card shows a quote, so evidence really was measured
