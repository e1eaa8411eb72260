"""While a scrape waits on a slow document, campaigners can still sign in and save.

A real `tracker scrape` runs in its own process against a server that trickles the
document a byte a second, and the site writes to the same database meanwhile, as a web
worker would. On SQLite a transaction held open across the download would keep the write
lock and make every sign-in wait 15 s and fail; on PostgreSQL (the suite's other backend)
it would hold row locks and an idle-in-transaction connection.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from tests.conftest import forget_failed_sign_ins
from tests.databases import fresh_database, suite_backend
from tests.factories import candidate, fictional_council
from tests.trickle import TrickleServer
from tracker import create_app, migrate
from tracker.accounts import create_token, create_user
from tracker.db import EXTENSION, get_session
from tracker.models import Document, DocumentStatus, Role

TRACKER = Path(sys.executable).with_name("tracker")
PASSWORD = "correct horse battery staple"
DEADLINE = 6  # seconds the trickled document may take before the scrape gives it up


@pytest.fixture
def scratch_url(tmp_path: Path) -> Iterator[str]:
    """A migrated database of this test's own, committed to for real."""
    for url in fresh_database(suite_backend(), "never_blocks", tmp_path):
        migrate.upgrade(url)
        yield url


@pytest.fixture
def site(scratch_url: str) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": scratch_url,
            "SECRET_KEY": "test",
            "SESSION_COOKIE_SECURE": False,
        }
    )
    forget_failed_sign_ins(app)
    yield app
    app.extensions[EXTENSION].engine.dispose()


def prepare(app: Flask) -> tuple[str, int]:
    """Add an invented council, a candidate and a campaigner; return a token and person id."""
    with app.app_context():
        session = get_session()
        council = fictional_council(session, "Hangshire")
        person = candidate(session, "Hanging Hattie", council=council)
        user = create_user(session, "hattie-team@example.org", PASSWORD, Role.CAMPAIGNER)
        _, token = create_token(session, user, "tests")
        session.commit()
        return token, person.id


def start_scrape(url: str, database_url: str, tmp_path: Path) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TRACKER_INSTANCE": str(tmp_path / "instance"),
        "SCRAPER_ALLOW_HOSTS": url.split("/")[2],
        "SCRAPER_MIN_INTERVAL": "0",
        "SCRAPER_EXTRACTORS": "1",
        "SCRAPER_DEADLINE": str(DEADLINE),
    }
    args = [str(TRACKER), "scrape", "--authority", "hangshire-fictional", "--url", url]
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    return subprocess.Popen(args, env=env, text=True, **pipes)  # noqa: S603


def timed(action: str, call: Callable[[], None]) -> float:
    """Run `call`, failing if it took a second or more."""
    started = time.monotonic()
    call()
    took = time.monotonic() - started
    assert took < 1.0, f"{action} took {took:.1f} s while the scrape was fetching"
    return took


def test_sign_in_and_api_writes_go_on_while_a_fetch_hangs(site: Flask, tmp_path: Path) -> None:
    token, person_id = prepare(site)
    client = site.test_client()
    # The sign-in form is read first: only the writes are timed.
    page = BeautifulSoup(client.get("/login").get_data(as_text=True), "html.parser")
    field = page.select_one("input[name=csrf_token]")
    assert field is not None
    form = {"email": "hattie-team@example.org", "password": PASSWORD, "csrf_token": field["value"]}
    with TrickleServer("body", pause=1.0) as server:
        scrape = start_scrape(server.url(), site.config["DATABASE_URL"], tmp_path)
        try:
            assert server.asked.wait(60), "the scrape never asked for the document"
            time.sleep(0.5)  # well into the download
            write_while_fetching(client, token, person_id, form)
            assert scrape.poll() is None, "the fetch should still be hanging"
        finally:
            out, err = scrape.communicate(timeout=DEADLINE + 60)
    assert scrape.returncode == 1, out + err  # the document failed, as it should
    assert f"gave up at the {DEADLINE} s deadline" in err
    with site.app_context():
        document = get_session().exec(select(Document)).one()
    assert document.status == DocumentStatus.FAILED
    assert f"gave up at the {DEADLINE} s deadline" in (document.error or "")


def write_while_fetching(
    client: FlaskClient, token: str, person_id: int, form: dict[str, object]
) -> None:
    """Sign in, create a pledge through the API and change it, each in under a second."""

    def sign_in() -> None:
        response = client.post("/login", data=form)
        assert response.status_code == 303, response.get_data(as_text=True)

    headers = {"Authorization": f"Bearer {token}"}
    created: dict[str, object] = {}

    def create() -> None:
        answer = client.post(
            "/api/v1/pledges",
            headers=headers,
            json={
                "recommendation": "pathways-to-support",
                "person_id": person_id,
                "status": "partial",
                "quote": "We will look at referral routes (fictional).",
                "date": "2024-04-10",
            },
        )
        assert answer.status_code == 201, answer.get_data(as_text=True)
        created.update(answer.get_json())

    def patch() -> None:
        answer = client.patch(
            f"/api/v1/pledges/{created['id']}",
            headers={**headers, "If-Match": f'"{created["version"]}"'},
            json={"status": "pledged"},
        )
        assert answer.status_code == 200, answer.get_data(as_text=True)

    timed("a sign-in", sign_in)
    timed("an API POST", create)
    timed("an API PATCH", patch)
