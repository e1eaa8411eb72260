"""A candidate answers through their pledge link in a real browser, without JavaScript."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import BrowserContext, expect

from tests.e2e.browser import Site

FIRST = "1. Make tackling modern slavery a priority for your region"
FOURTH = "4. Create pathways to support services"


def test_a_candidate_answers_by_keyboard_without_javascript_and_can_change_it(
    site: Site, new_context: Callable[..., BrowserContext]
) -> None:
    person = site.person("Kim Keyboard")
    page = new_context(javascript=False).new_page()
    page.goto(site.pledge_link(person))
    expect(page.locator(".link-owner")).to_contain_text("This link is for Kim Keyboard")
    first = page.get_by_role("group", name=FIRST)
    first.get_by_label("I pledge to do this", exact=True).focus()
    page.keyboard.press("Space")
    fourth = page.get_by_role("group", name=FOURTH)
    fourth.get_by_label("I pledge to do this in part").check()
    fourth.get_by_label("A short statement (optional)").fill("Funded from next April.")
    page.get_by_role("button", name="Record my answers").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you: 2 answers recorded")
    expect(first.get_by_label("I pledge to do this", exact=True)).to_be_checked()

    first.get_by_label("I am not able to pledge this").check()
    page.get_by_role("button", name="Record my answers").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you: 1 answer recorded")

    page.goto(site.candidate_url(person))
    notes = page.locator(".pledge-row .note")
    expect(notes).to_have_count(2)
    expect(notes.first).to_contain_text("through their pledge link")
    expect(page.locator(".pledge-row blockquote")).to_have_count(0)
