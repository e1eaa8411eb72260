"""Accepting and rejecting the scraper's proposals in a real browser, with and without htmx."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import select

from tests.e2e.browser import (
    Site,
    expect_accessible,
    expect_same_document,
    expect_toast,
    mark_document,
    sign_in,
)
from tests.factories import fictional_council, stored_document
from tracker.models import Proposal, User
from tracker.review import reject_match

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


def open_queue(
    site: Site, new_context: Callable[..., BrowserContext], *, javascript: bool = True
) -> tuple[Page, str, list[Proposal]]:
    """Propose two passages of a new council's strategy and open its queue as a campaigner."""
    slug, proposed = propose(site)
    page = new_context(javascript=javascript).new_page()
    sign_in(page, site.accounts["campaigner"])
    page.goto(f"/campaign/review/?authority={slug}")
    return page, slug, proposed


def test_a_campaigner_accepts_a_passage_and_it_becomes_the_council_s_pledge(
    site: Site, new_context: Callable[..., BrowserContext]
) -> None:
    page, slug, proposed = open_queue(site, new_context)
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
    page, slug, proposed = open_queue(site, new_context)
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
    page, slug, proposed = open_queue(site, new_context, javascript=False)
    page.locator(f"#match-{proposed[0].id}").get_by_role(
        "button", name="Accept as partly pledged"
    ).click()
    # it lands on the passage still waiting, the other of the two
    expect(page).to_have_url(f"{site.url}/campaign/review/?authority={slug}#match-{proposed[1].id}")
    expect(page.locator(".flashes")).to_contain_text("Accepted")
    expect(page.locator(f"#match-{proposed[0].id}")).to_have_count(0)


def active_id(page: Page) -> str:
    """Return the id of the element that has keyboard focus."""
    return str(page.evaluate("document.activeElement.id"))


def test_after_a_verdict_focus_moves_to_the_next_passage_waiting(
    site: Site, new_context: Callable[..., BrowserContext]
) -> None:
    page, slug, proposed = open_queue(site, new_context)
    order = page.locator("article.review-item").evaluate_all("items => items.map(i => i.id)")
    assert sorted(order) == sorted(f"match-{m.id}" for m in proposed) and len(order) == 2
    first, second = (page.locator(f"#{item}") for item in order)
    first.get_by_role("button", name="Accept as pledged").click()
    expect(page.locator(f"#{order[0]}.review-item--decided")).to_be_visible()
    expect(second).to_be_focused()
    page.keyboard.press("k")  # back up: the passage just decided is skipped
    expect(second).to_be_focused()
    page.keyboard.press("r")
    second.get_by_label("Why reject this passage").press("Enter")
    expect(page.locator(f"#{order[1]}.review-item--decided")).to_be_visible()
    empty = page.locator("#review-empty")
    expect(empty).to_be_visible()
    expect(empty).to_be_focused()
    assert active_id(page) == "review-empty"
    expect(empty).to_contain_text("That was the last passage waiting for review")
    expect_accessible(page)


def test_without_javascript_a_verdict_lands_on_the_next_passage(
    site: Site, new_context: Callable[..., BrowserContext]
) -> None:
    page, slug, _ = open_queue(site, new_context, javascript=False)
    queue = f"{site.url}/campaign/review/?authority={slug}"
    order = page.locator("article.review-item").evaluate_all("items => items.map(i => i.id)")
    page.locator(f"#{order[0]}").get_by_role("button", name="Reject").click()
    expect(page).to_have_url(f"{queue}#{order[1]}")
    page.locator(f"#{order[1]}").get_by_role("button", name="Reject").click()
    expect(page).to_have_url(f"{queue}#review-empty")
    expect(page.locator("#review-empty")).to_contain_text("Nothing is waiting for review")


def test_the_authority_filter_takes_a_name_and_suggests_names(
    site: Site, new_context: Callable[..., BrowserContext]
) -> None:
    slug, proposed = propose(site)
    page = new_context().new_page()
    sign_in(page, site.accounts["campaigner"])
    page.goto("/campaign/review/")
    name = f"{slug.removesuffix('-fictional').capitalize()} Council (fictional)"
    field = page.get_by_label("Authority", exact=True).first
    expect(page.locator(f"datalist#authority-names option[value='{name}']")).to_have_count(1)
    field.fill(name.lower())
    field.press("Enter")
    expect(page.locator("article.review-item")).to_have_count(len(proposed))
    expect(field).to_have_value(name)


def test_after_a_colleague_s_verdict_came_first_focus_still_moves_on(
    site: Site, new_context: Callable[..., BrowserContext]
) -> None:
    page, slug, proposed = open_queue(site, new_context)
    order = page.locator("article.review-item").evaluate_all("items => items.map(i => i.id)")
    first, second = (page.locator(f"#{item}") for item in order)
    with site.session() as session:  # a colleague rejects the first passage meanwhile
        colleague = session.exec(select(User).where(User.email == site.accounts["colleague"])).one()
        match = session.get_one(Proposal, int(order[0].removeprefix("match-")))
        reject_match(session, match, reason="Only a service", reviewer_id=colleague.id)
    first.get_by_role("button", name="Accept as pledged").click()
    decided = page.locator(f"#{order[0]}.review-item--decided")
    expect(decided).to_contain_text("Another member of the team rejected it (“Only a service”)")
    expect(second).to_be_focused()
    expect(page.locator("#toast")).to_contain_text("Already reviewed: Another member of the team")
