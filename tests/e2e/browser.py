"""Helpers for the browser tests: the live site, its data, and what a person does in Chromium.

The e2e tests drive the real app, served by a real WSGI server on 127.0.0.1, from headless
Chromium through Playwright. Flows that later features add (accepting a scraper review item,
say) reuse these: `Site.session` or `Site.person` to make the data, the `campaigner` fixture's
signed-in page, `submit_inline` to press a button in an htmx row and wait for the swap, and
`expect_toast` to read the message it raised.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from axe_playwright_python.base import AXE_SCRIPT  # type: ignore[import-untyped]
from flask import Flask
from playwright.sync_api import Locator, Page, ViewportSize, expect
from sqlmodel import Session
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from tests.factories import candidate, fictional_council, pledge_of, record
from tracker.invitations import issue_link
from tracker.models import Person, Pledge, PledgeStatus, utcnow
from tracker.pledging import Subject

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")  # Debian's; never downloaded
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = ViewportSize(width=390, height=844)
DESKTOP = ViewportSize(width=1280, height=900)
PASSWORD = "correct horse battery staple"
COUNCIL = "Testshire"  # fictional councils, made by tests.factories.fictional_council
OTHER_COUNCIL = "Mockford"
SLUG = "pathways-to-support"
TITLE = "Create pathways to support services"

log = logging.getLogger(__name__)


class QuietHandler(WSGIRequestHandler):
    """Send the dev server's request log to a logger instead of its own stderr handler.

    Werkzeug otherwise attaches a stream handler to whatever stderr was at the time, which
    under pytest is a capture file that is closed by the time later requests log.
    """

    def log(self, type: str, message: str, *args: Any) -> None:
        """Record the line at debug level (`pytest --log-level=DEBUG` shows it on failure)."""
        log.debug("%s - %s", self.address_string(), message % args)


class ServerErrors(logging.Handler):
    """Collect the app's unexpected exceptions, so a 500 fails the test that caused it."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the formatted record, traceback included."""
        self.records.append(logging.Formatter().format(record))


@dataclass
class Site:
    """The running app: its address, its database, and the accounts made for the tests."""

    url: str
    app: Flask
    errors: ServerErrors
    accounts: dict[str, str] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    pledges: dict[str, Pledge] = field(default_factory=dict)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Open a session on the site's database and commit what the block did."""
        database = self.app.extensions["tracker.db"]
        with database.session() as session:
            yield session
            session.commit()

    def person(
        self,
        name: str,
        pledges: Mapping[str, PledgeStatus] | None = None,
        *,
        council: str = COUNCIL,
    ) -> Person:
        """Stand a fictional candidate for a fictional council, with answers recorded through
        the real write path."""
        with self.session() as session:
            person = candidate(session, name, council=fictional_council(session, council))
            for slug, status in (pledges or {}).items():
                record(session, pledge_of(session, slug, person=person), status)
            return person

    def answer(self, person: Person, slug: str, status: PledgeStatus, quote: str) -> Pledge:
        """Record an answer as another campaigner would, behind the browser's back."""
        with self.session() as session:
            return record(session, pledge_of(session, slug, person=person), status, quote=quote)

    def candidate_url(self, person: Person) -> str:
        """Return the path of a candidate's page."""
        return f"/candidates/{person.id}-{person.slug}"

    def edit_url(self, person: Person, slug: str = SLUG) -> str:
        """Return the path of the edit page for one of a candidate's pledges."""
        return f"/candidates/{person.id}/pledges/{slug}/edit"

    def pledge_link(self, person: Person, *, expired: bool = False) -> str:
        """Make a candidate's pledge link (or one that has expired); return its path."""
        with self.session() as session:
            issued = issue_link(
                session,
                Subject(person_id=person.id),
                election=None,
                expires_at=utcnow() + timedelta(days=10),
                secret_key=self.app.config["SECRET_KEY"],
            )
            if expired:
                issued.invitation.expires_at = utcnow() - timedelta(days=1)
        return f"/answer/{issued.token}"


def serve(app: Flask) -> tuple[BaseWSGIServer, threading.Thread]:
    """Serve the app on a free loopback port from a background thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    return server, thread


def seed(site: Site) -> None:
    """Load a few fictional candidates and answers that the read-only tests share.

    Like tests/factories.py, pledges go only to invented people and councils, never to a
    real person or body.
    """
    people = {
        "morgan": ("Morgan Fictional", COUNCIL),
        "morgana": ("Morgana Fable", OTHER_COUNCIL),
        "rowan": ("Rowan Invented", COUNCIL),
    }
    answers = {
        "morgan": {
            "priority-in-strategic-plans": PledgeStatus.PLEDGED,
            "resourced-multi-agency-partnership": PledgeStatus.PARTIAL,
            SLUG: PledgeStatus.PLEDGED,
        },
        "morgana": {"listen-to-lived-experience": PledgeStatus.DECLINED},
    }
    for key, (name, council) in people.items():
        site.people[key] = site.person(name, answers.get(key), council=council)
    with site.session() as session:
        record(session, pledge_of(session, SLUG, authority_row=fictional_council(session, COUNCIL)))
    # A second answer, so the history page has a timeline rather than one entry.
    site.pledges["morgan"] = site.answer(
        site.people["morgan"], SLUG, PledgeStatus.PARTIAL, "We will map the referral routes."
    )


# What a person does -------------------------------------------------------------------


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Sign in through the form, as a campaigner would."""
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def pledge_row(page: Page, person: Person, slug: str = SLUG) -> Locator:
    """Return the table row of one of a candidate's pledges."""
    return page.locator(f"#pledge-candidate-{person.id}-{slug}")


def fill_pledge(
    scope: Page | Locator, *, status: str, quote: str, url: str = "https://example.org/said"
) -> None:
    """Fill the pledge form in `scope` (a page or the row holding the form)."""
    scope.get_by_label("Answer").select_option(label=status)
    scope.get_by_label("Source link").fill(url)
    scope.get_by_label("Quoted text").fill(quote)


def expect_settled(swapped: Locator) -> None:
    """Wait until htmx has settled an element it swapped in, so its own hx- links work.

    htmx wires up new content about 20ms after inserting it, and Chromium may autofocus a
    field in between: a key pressed in that gap would reach a plain link or form.
    """
    expect(swapped).not_to_have_class(re.compile(r"\bhtmx-(added|settling)\b"))


def submit_inline(row: Locator, button: str = "Save") -> None:
    """Press an htmx form's button and wait until the row has swapped back to plain text."""
    row.get_by_role("button", name=button).click()
    expect(row.locator("form")).to_have_count(0)
    expect_settled(row)


def expect_toast(page: Page, text: str) -> None:
    """Check the status message htmx raised (the `tracker:message` trigger)."""
    toast = page.locator("#toast")
    expect(toast).to_be_visible()
    expect(toast).to_have_text(text)


def mark_document(page: Page) -> None:
    """Tag the current document, so a test can tell a swap from a page load."""
    page.evaluate("window.__e2eDocument = true")


def expect_same_document(page: Page) -> None:
    """Check no navigation replaced the document tagged by `mark_document`."""
    assert page.evaluate("window.__e2eDocument === true"), "the page was reloaded"


def tab_to(page: Page, target: Locator, limit: int = 100) -> int:
    """Press Tab until `target` has focus; return how many presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return presses
    raise AssertionError(f"Tab never reached {target} in {limit} presses")


# Accessibility ------------------------------------------------------------------------

BLOCKING = ("serious", "critical")  # the impacts that fail a test; axe also reports lesser ones


def axe(page: Page) -> dict[str, Any]:
    """Run axe-core on the page as it is now and return its results."""
    page.evaluate(AXE_SCRIPT)
    options = {"resultTypes": ["violations", "incomplete"]}
    result: dict[str, Any] = page.evaluate(f"axe.run(document, {json.dumps(options)})")
    return result


def axe_report(violations: list[dict[str, Any]]) -> str:
    """Describe violations with the elements at fault, for a failure message."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['failureSummary']}")
    return "\n".join(lines)


def expect_accessible(page: Page) -> None:
    """Fail on any serious or critical axe violation, colour contrast included."""
    result = axe(page)
    checked = {rule["id"] for key in ("passes", "violations", "incomplete") for rule in result[key]}
    assert "color-contrast" in checked, f"axe did not check colour contrast on {page.url}"
    blocking = [v for v in result["violations"] if v["impact"] in BLOCKING]
    where = f"{page.url} at {page.viewport_size['width'] if page.viewport_size else '?'}px"
    assert not blocking, (
        f"axe {result['testEngine']['version']} on {where}:\n{axe_report(blocking)}"
    )


def screenshot(page: Page, name: str, size: str) -> Path:
    """Save a full-page screenshot under test-artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}--{size}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
