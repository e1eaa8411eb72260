"""Keyboard-only use: the edit flow without a mouse, and a focus ring you can see."""

from __future__ import annotations

import itertools
import re
from typing import Literal

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.browser import TITLE, Site, expect_settled, expect_toast, pledge_row, tab_to
from tracker.models import Person

_numbers = itertools.count(1)


@pytest.fixture
def person(site: Site) -> Person:
    """Stand a candidate of this test's own."""
    return site.person(f"Kim Keyboard {next(_numbers)}")


def focus_ring(target: Locator) -> dict[str, str]:
    """Return the focused element's outline and shadow, and whether :focus-visible matches."""
    style: dict[str, str] = target.evaluate(
        """el => {
            const s = getComputedStyle(el);
            return {visible: String(el.matches(':focus-visible')), outlineStyle: s.outlineStyle,
                    outlineWidth: s.outlineWidth, boxShadow: s.boxShadow};
        }"""
    )
    return style


def assert_visible_focus(target: Locator) -> None:
    """Check keyboard focus on `target` draws a ring at least 2px thick."""
    ring = focus_ring(target)
    assert ring["visible"] == "true", ring
    has_outline = ring["outlineStyle"] != "none" and float(ring["outlineWidth"][:-2]) >= 2
    assert has_outline or ring["boxShadow"] != "none", ring


def test_tab_enter_type_and_ctrl_enter_save_a_pledge(
    campaigner: Page, site: Site, person: Person
) -> None:
    page = campaigner
    page.goto(site.candidate_url(person))
    row = pledge_row(page, person)
    edit = row.get_by_role("link", name=f"Edit {TITLE}")

    tab_to(page, edit)
    assert_visible_focus(edit)
    page.keyboard.press("Enter")

    answer = row.get_by_label("Answer")
    expect(answer).to_be_focused()
    expect_settled(row)
    page.keyboard.press("ArrowDown")
    expect(answer).to_have_value("pledged")
    tab_to(page, row.get_by_label("Source link"))
    page.keyboard.type("https://example.org/hustings")
    page.keyboard.press("Tab")
    expect(row.get_by_label("Quoted text")).to_be_focused()
    page.keyboard.type("We will set up a referral pathway.")
    page.keyboard.press("Control+Enter")

    expect(row.locator("form")).to_have_count(0)
    expect(row.get_by_role("link", name=f"Edit {TITLE}")).to_be_focused()
    expect(row.locator(".status")).to_have_text("Pledged")
    expect_toast(page, f"Saved {person.name}: {TITLE}.")


def test_escape_cancels_and_puts_focus_back_on_the_edit_link(
    campaigner: Page, site: Site, person: Person
) -> None:
    page = campaigner
    page.goto(site.candidate_url(person))
    row = pledge_row(page, person)
    tab_to(page, row.get_by_role("link", name=f"Edit {TITLE}"))
    page.keyboard.press("Enter")
    expect(row.get_by_label("Answer")).to_be_focused()
    expect_settled(row)
    page.keyboard.press("ArrowDown")

    page.keyboard.press("Escape")

    expect(row.locator("form")).to_have_count(0)
    expect(row.get_by_role("link", name=f"Edit {TITLE}")).to_be_focused()
    expect(row.locator(".status")).to_have_text("Awaiting response")


def test_the_skip_link_is_the_first_stop_and_jumps_to_the_content(page: Page) -> None:
    page.goto("/candidates/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    expect(page.locator("main")).to_be_focused()


@pytest.mark.parametrize(
    ("path", "name", "role"),
    [
        ("/candidates/", "Recommendations", "link"),
        ("/candidates/", "Home", "link"),
        ("/candidates/", "Filter", "button"),
        ("/login", "Sign in", "button"),
    ],
)
def test_keyboard_focus_is_visible_on_links_and_buttons(
    page: Page, path: str, name: str, role: Literal["link", "button"]
) -> None:
    page.goto(path)
    target = page.get_by_role(role, name=name, exact=True)
    tab_to(page, target)
    assert_visible_focus(target)


def test_signed_in_header_button_shows_focus(campaigner: Page) -> None:
    campaigner.goto("/")
    sign_out = campaigner.get_by_role("button", name="Sign out")
    tab_to(campaigner, sign_out)
    assert_visible_focus(sign_out)
