"""Candidate search in a real browser: live with htmx, and as a plain form without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.e2e.browser import expect_same_document, mark_document

ELECTION = "local.mockford-fictional.2024-05-02"  # only Morgana Fable stands there


def query(page: Page) -> dict[str, list[str]]:
    """Return the current URL's query string as a dict."""
    return parse_qs(urlsplit(page.url).query)


def results(page: Page) -> Locator:
    """Return the links to candidates in the results table."""
    return page.locator("#candidate-results table tbody th a")


def test_search_updates_as_you_type_and_the_back_button_undoes_it(page: Page) -> None:
    page.goto("/candidates/")
    expect(results(page).filter(has_text="Rowan Invented")).to_have_count(1)
    mark_document(page)

    page.get_by_role("searchbox", name="Name").press_sequentially("Morg", delay=20)

    expect(results(page)).to_have_text(["Morgan Fictional", "Morgana Fable"], ignore_case=True)
    expect(page).to_have_url(re.compile(r"[?&]q=Morg(&|$)"))
    expect(page.locator("#candidate-results .count")).to_contain_text("of 2 candidates")
    expect_same_document(page)

    page.go_back()
    expect(page).to_have_url(re.compile(r"/candidates/$"))
    expect(results(page).filter(has_text="Rowan Invented")).to_have_count(1)
    expect(page.get_by_role("searchbox", name="Name")).to_have_value("")
    expect_same_document(page)  # htmx restored its snapshot; the browser loaded nothing

    page.go_forward()
    expect(page).to_have_url(re.compile(r"[?&]q=Morg(&|$)"))
    expect(results(page)).to_have_count(2)


def test_a_filter_change_also_updates_the_results_in_place(page: Page) -> None:
    page.goto("/candidates/")
    mark_document(page)
    page.get_by_label("Election").select_option(ELECTION)
    expect(results(page)).to_have_text(["Morgana Fable"])
    assert query(page)["election"] == [ELECTION]
    expect_same_document(page)


def test_without_javascript_search_submits_and_returns_the_whole_page(
    new_context: Callable[..., BrowserContext],
) -> None:
    page = new_context(javascript=False).new_page()
    page.goto("/candidates/")
    page.get_by_role("searchbox", name="Name").fill("Morg")
    with page.expect_response(re.compile(r"/candidates/\?")) as answer:
        page.get_by_role("button", name="Filter").click()

    response = answer.value
    assert response.status == 200
    assert response.request.is_navigation_request()
    assert "hx-request" not in response.request.headers
    assert response.text().lstrip().lower().startswith("<!doctype html>")
    assert query(page)["q"] == ["Morg"]
    expect(page.get_by_role("heading", level=1)).to_have_text("Candidates")
    expect(results(page)).to_have_text(["Morgan Fictional", "Morgana Fable"])
    expect(page.get_by_role("searchbox", name="Name")).to_have_value("Morg")
