"""Campaigners recording pledges in a real browser: in place with htmx, and as plain forms."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.e2e.browser import (
    PHONE,
    SLUG,
    TITLE,
    Site,
    expect_same_document,
    expect_settled,
    expect_toast,
    fill_pledge,
    mark_document,
    pledge_row,
    sign_in,
    submit_inline,
)
from tracker.models import Person, PledgeStatus

_numbers = itertools.count(1)


@pytest.fixture
def person(site: Site) -> Person:
    """Stand a candidate of this test's own, so no other test touches their pledges."""
    return site.person(f"Edna Editable {next(_numbers)}")


def open_row_editor(page: Page, site: Site, person: Person) -> Locator:
    """Open the candidate's page and swap the pledge row for its form."""
    page.goto(site.candidate_url(person))
    row = pledge_row(page, person)
    row.get_by_role("link", name=f"Edit {TITLE}").click()
    expect(row.locator("form.pledge-form")).to_be_visible()
    expect_settled(row)
    return row


def test_a_campaigner_signs_in_and_edits_a_pledge_in_place(
    site: Site, new_context: Callable[..., BrowserContext], person: Person
) -> None:
    page = new_context().new_page()
    sign_in(page, site.accounts["campaigner"])
    page.goto(site.candidate_url(person))
    mark_document(page)
    row = pledge_row(page, person)
    expect(row.locator(".status")).to_have_text("Awaiting response")
    expect(page.locator("#answer-prompt")).to_contain_text(f"{person.name} has not answered yet")

    row = open_row_editor(page, site, person)
    mark_document(page)
    expect(row.get_by_label("Answer")).to_be_focused()
    fill_pledge(row, status="Pledged", quote="We will fund a referral pathway.")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        submit_inline(row)

    assert answer.value.status == 200
    assert answer.value.request.headers["hx-request"] == "true"
    expect(row.locator(".status")).to_have_text("Pledged")
    expect(row.locator(".quote")).to_have_text("We will fund a referral pathway.")
    expect_toast(page, f"Saved {person.name}: {TITLE}.")
    # What read the old answer followed it, out of band, without a reload.
    expect(page.locator("#answer-summary")).to_have_text(
        f"{person.name} has answered 1 of 5 recommendations: 1 pledged."
    )
    expect(page.locator("#answer-prompt")).to_have_class(re.compile(r"\bbadge\b"))
    expect(page.locator("#answer-prompt")).to_have_count(1)
    expect(page).to_have_url(re.compile(re.escape(site.candidate_url(person)) + "$"))
    expect_same_document(page)

    public = new_context().new_page()
    public.goto(site.candidate_url(person))
    public_row = pledge_row(public, person)
    expect(public_row.locator(".status")).to_have_text("Pledged")
    expect(public_row.locator(".quote")).to_have_text("We will fund a referral pathway.")
    expect(public_row.locator(".edit-link")).to_have_count(0)


@pytest.mark.parametrize(
    ("choice", "kept_status", "kept_quote"),
    [
        ("Keep theirs", "Pledged", "The first campaigner's source."),
        ("Save mine instead", "Declined", "The second campaigner's source."),
    ],
    ids=["keep-theirs", "save-mine"],
)
def test_a_stale_edit_shows_both_versions_and_lets_the_campaigner_choose(
    site: Site,
    new_context: Callable[..., BrowserContext],
    person: Person,
    choice: str,
    kept_status: str,
    kept_quote: str,
) -> None:
    first = new_context("campaigner").new_page()
    second = new_context("colleague").new_page()
    first_row = open_row_editor(first, site, person)
    second_row = open_row_editor(second, site, person)

    fill_pledge(first_row, status="Pledged", quote="The first campaigner's source.")
    submit_inline(first_row)
    expect(first_row.locator(".status")).to_have_text("Pledged")

    fill_pledge(second_row, status="Declined", quote="The second campaigner's source.")
    with second.expect_response(lambda r: r.request.method == "POST") as answer:
        second_row.get_by_role("button", name="Save").click()
    assert answer.value.status == 409
    conflict = second_row.get_by_role("alert")
    # Campaigners see that a colleague saved, not who: the history pages' rule.
    expect(conflict).to_contain_text("Another member of the team saved this pledge at")
    expect(conflict).not_to_contain_text(site.accounts["campaigner"])
    expect_settled(second_row)
    compare = conflict.locator("table.compare")
    expect(compare.locator("thead th")).to_have_text(["Saved now (version 1)", "Yours"])
    expect(compare.locator("tr", has_text="Answer").locator("td")).to_have_text(
        ["Pledged", "Declined"]
    )
    expect(compare.locator("tr", has_text="Answer").locator(".compare__flag")).to_have_text(
        "Differs"
    )
    expect(compare.locator("tr", has_text="Quoted text").locator("td")).to_have_text(
        ["The first campaigner's source.", "The second campaigner's source."]
    )
    expect(second_row.get_by_label("Quoted text")).to_have_value("The second campaigner's source.")

    second_row.get_by_role("link" if choice == "Keep theirs" else "button", name=choice).click()

    expect(second_row.locator("form")).to_have_count(0)
    expect(second_row.locator(".status")).to_have_text(kept_status)
    expect(second_row.locator(".quote")).to_have_text(kept_quote)
    public = new_context().new_page()
    public.goto(site.candidate_url(person))
    expect(pledge_row(public, person).locator(".status")).to_have_text(kept_status)


def test_without_javascript_editing_goes_through_the_form_page(
    site: Site, new_context: Callable[..., BrowserContext], person: Person
) -> None:
    page = new_context("campaigner", javascript=False).new_page()
    page.goto(site.candidate_url(person))
    pledge_row(page, person).get_by_role("link", name=f"Edit {TITLE}").click()

    expect(page).to_have_url(re.compile(re.escape(site.edit_url(person)) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit pledge")
    fill_pledge(page, status="Partly pledged", quote="We will map the referral routes.")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Save").click()

    landed = navigation.value
    assert landed is not None and landed.status == 200
    posted = landed.request.redirected_from
    assert posted is not None and posted.method == "POST"
    redirect = posted.response()
    assert redirect is not None and redirect.status == 303
    dom_id = f"pledge-candidate-{person.id}-{SLUG}"
    expect(page).to_have_url(re.compile(re.escape(f"{site.candidate_url(person)}#{dom_id}") + "$"))
    expect(page.get_by_role("status").filter(has_text="Saved")).to_have_text(
        f"Saved {person.name}: {TITLE}."
    )
    expect(pledge_row(page, person).locator(".status")).to_have_text("Partly pledged")


def test_without_javascript_a_stale_edit_gets_the_conflict_page(
    site: Site, new_context: Callable[..., BrowserContext], person: Person
) -> None:
    page = new_context("campaigner", javascript=False).new_page()
    page.goto(site.edit_url(person))
    site.answer(person, SLUG, PledgeStatus.PLEDGED, "Recorded by someone else.")
    fill_pledge(page, status="Declined", quote="Mine.")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Save").click()

    assert navigation.value is not None and navigation.value.status == 409
    expect(page.get_by_role("alert")).to_contain_text(
        "An import or an automatic update saved this pledge at"
    )
    expect(page.locator("table.compare tr", has_text="Answer").locator("td")).to_have_text(
        ["Pledged", "Declined"]
    )
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Save mine instead").click()
    assert navigation.value is not None and navigation.value.status == 200
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()
    expect(pledge_row(page, person).locator(".status")).to_have_text("Declined")


def test_on_a_phone_the_inline_form_fits_the_screen(
    site: Site, new_context: Callable[..., BrowserContext], person: Person
) -> None:
    page = new_context("campaigner", viewport=PHONE).new_page()
    row = open_row_editor(page, site, person)  # the table scrolls sideways to reach Edit

    for control in ("Answer", "Source link", "Quoted text"):
        box = row.get_by_label(control).bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (control, box)
    save = row.get_by_role("button", name="Save").bounding_box()
    assert save is not None and 0 <= save["x"] <= PHONE["width"] - save["width"]
