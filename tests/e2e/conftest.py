"""Fixtures for the browser tests: the site served for real, and Chromium to drive it.

The site runs on its own SQLite file in a temporary folder, whatever TEST_DATABASE_URL says:
its tests commit for real (a browser cannot join a rolled-back transaction), and a separate
file keeps those rows out of the database the other tests share.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    StorageState,
    ViewportSize,
    expect,
    sync_playwright,
)

from tests.e2e.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    PASSWORD,
    ServerErrors,
    Site,
    seed,
    serve,
    sign_in,
)
from tracker import create_app, migrate
from tracker.accounts import create_user
from tracker.db import Database
from tracker.imports.authorities import import_authorities
from tracker.models import Role

HERE = Path(__file__).resolve().parent
ACCOUNTS = {
    "campaigner": ("campaigner@example.org", Role.CAMPAIGNER),
    "colleague": ("colleague@example.org", Role.CAMPAIGNER),
    "admin": ("admin@example.org", Role.ADMIN),
}

expect.set_options(timeout=10_000)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this folder as a browser test."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="package")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Serve the real app over HTTP on a free port, on a fresh migrated database."""
    folder = tmp_path_factory.mktemp("e2e")
    url = f"sqlite:///{folder / 'site.db'}"
    migrate.upgrade(url)
    database = Database(url)
    with database.session() as session:
        import_authorities(session)
        for email, role in ACCOUNTS.values():
            create_user(session, email, PASSWORD, role)
        session.commit()
    database.engine.dispose()

    # The session cookie stays Secure, as in production: Chromium counts 127.0.0.1 as a
    # secure context and sends Secure cookies to it over plain HTTP.
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TRACKER_INSTANCE", str(folder / "instance"))  # never the developer's own
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "e2e"})
    errors = ServerErrors()
    logging.getLogger("tracker.views.errors").addHandler(errors)
    server, thread = serve(app)
    site = Site(
        url=f"http://127.0.0.1:{server.server_port}",
        app=app,
        errors=errors,
        accounts={key: email for key, (email, _) in ACCOUNTS.items()},
    )
    try:
        seed(site)
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        logging.getLogger("tracker.views.errors").removeHandler(errors)
        app.extensions["tracker.db"].engine.dispose()


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    """Start Playwright's driver (bundled in its wheel) once for the browser tests."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Launch Debian's Chromium (Playwright never downloads a browser here)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium)"
        )
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="package")
def signed_in_state(browser: Browser, site: Site) -> Callable[[str], StorageState]:
    """Return the cookies of a signed-in account, signing in through the form once per role."""
    states: dict[str, StorageState] = {}

    def state(role: str) -> StorageState:
        if role not in states:
            context = browser.new_context(base_url=site.url)
            sign_in(context.new_page(), site.accounts[role])
            states[role] = context.storage_state()
            context.close()
        return states[role]

    return state


@pytest.fixture
def page_errors() -> list[str]:
    """Collect uncaught JavaScript errors and CSP violations from every page a test opens."""
    return []


@pytest.fixture
def new_context(
    browser: Browser,
    site: Site,
    signed_in_state: Callable[[str], StorageState],
    page_errors: list[str],
) -> Iterator[Callable[..., BrowserContext]]:
    """Open browser contexts (separate cookie jars) for the test, and close them after it."""
    opened: list[BrowserContext] = []

    def open_context(
        role: str | None = None, *, javascript: bool = True, viewport: ViewportSize = DESKTOP
    ) -> BrowserContext:
        context = browser.new_context(
            base_url=site.url,
            java_script_enabled=javascript,
            viewport=viewport,
            storage_state=signed_in_state(role) if role else None,
            locale="en-GB",
            reduced_motion="reduce",
        )
        context.set_default_timeout(15_000)
        context.on("weberror", lambda error: page_errors.append(str(error.error)))
        context.on("console", lambda msg: _note_console(msg.type, msg.text, page_errors))
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        context.close()


def _note_console(kind: str, text: str, errors: list[str]) -> None:
    """Keep console messages that mean the page broke: a CSP refusal or a script error."""
    if kind == "error" and ("Content Security Policy" in text or "Uncaught" in text):
        errors.append(text)


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    """Return a page for a member of the public, with JavaScript on."""
    return new_context().new_page()


@pytest.fixture
def campaigner(new_context: Callable[..., BrowserContext]) -> Page:
    """Return a page signed in as a campaigner, with JavaScript on."""
    return new_context("campaigner").new_page()


@pytest.fixture(autouse=True)
def _healthy(site: Site, page_errors: list[str]) -> Iterator[None]:
    """Fail a test whose requests raised on the server or whose pages threw in the browser."""
    site.errors.records.clear()
    yield
    assert not site.errors.records, "the server raised:\n" + "\n".join(site.errors.records)
    assert not page_errors, "the browser reported:\n" + "\n".join(page_errors)
