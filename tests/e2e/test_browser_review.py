"""Accepting and rejecting the scraper's proposals in a real browser, with and without htmx."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from playwright.sync_api import BrowserContext, expect

from tests.e2e.browser import (
    Site,
    expect_accessible,
    expect_same_document,
    expect_toast,
    mark_document,
    sign_in,
)
from tests.factories import fictional_council, stored_document
from tracker.models import Proposal

_numbers = itertools.count(1)


def propose(site: Site) -> tuple[str, list[Proposal]]:
    """Store an invented council's strategy through the real store; return its slug and matches."""
    name = f"Reviewshire{next(_numbers)}"
    body = (
        f"{name} modern slavery strategy (fictional)\n\n"
        "We will fund a dedicated modern slavery partnership coordinator for the multi-agency "
        "partnership against exploitation.\n\n"
        "We will commission an Independent Modern Slavery Advocate service for survivors.\n"
    ).encode()
    url = f"https://{name.lower()}.example/strategy.txt"
    with site.session() as session:
        council = fictional_council(session, name)
        proposed = stored_document(
            session, council, body, url, title=f"{name} strategy (fictional)"
        )
        return council.slug, proposed


def test_a_campaigner_accepts_a_passage_and_it_becomes_the_council_s_pledge(
    site: Site, new_context: Callable[..., BrowserContext]
) -> None:
    slug, proposed = propose(site)
    page = new_context().new_page()
    sign_in(page, site.accounts["campaigner"])
    page.goto(f"/campaign/review/?authority={slug}")
    expect_accessible(page)
    mark_document(page)
    item = page.locator(f"#match-{proposed[0].id}")
    expect(item.locator("mark")).to_be_visible()
    item.get_by_role("button", name="Accept as pledged").click()
    expect(page.locator(f"#match-{proposed[0].id}.review-item--decided")).to_contain_text(
        "Accepted"
    )
    expect_toast(page, "Accepted: it is now on the authority’s page and in the feeds.")
    expect_same_document(page)
    page.goto(f"/authorities/{slug}")
    expect(page.locator("table.pledges .status", has_text="Pledged")).to_have_count(1)


def test_review_keys_move_and_reject_without_a_mouse(
    site: Site, new_context: Callable[..., BrowserContext]
) -> None:
    slug, proposed = propose(site)
    page = new_context().new_page()
    sign_in(page, site.accounts["campaigner"])
    page.goto(f"/campaign/review/?authority={slug}")
    page.keyboard.press("j")
    first = page.locator("article.review-item").first
    expect(first).to_be_focused()
    page.keyboard.press("r")
    reason = first.get_by_label("Why reject this passage")
    expect(reason).to_be_focused()
    reason.fill("A service, not a commitment")
    reason.press("Enter")
    expect(page.locator("article.review-item--decided").first).to_contain_text("Rejected")


def test_without_javascript_accepting_is_a_form_post_and_a_redirect(
    site: Site, new_context: Callable[..., BrowserContext]
) -> None:
    slug, proposed = propose(site)
    page = new_context(javascript=False).new_page()
    sign_in(page, site.accounts["campaigner"])
    page.goto(f"/campaign/review/?authority={slug}")
    page.locator(f"#match-{proposed[0].id}").get_by_role(
        "button", name="Accept as partly pledged"
    ).click()
    expect(page).to_have_url(f"{site.url}/campaign/review/?authority={slug}")
    expect(page.locator(".flashes")).to_contain_text("Accepted")
    expect(page.locator(f"#match-{proposed[0].id}")).to_have_count(0)
