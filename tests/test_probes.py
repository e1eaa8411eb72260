"""Hostile probes: every route, role and input answers sensibly, leaks nothing, runs nothing.

Everything stored here belongs to invented councils, people and parties (tests/factories.py):
script payloads are attributed to no real person or body.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree

import feedparser
import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, col, select
from werkzeug.datastructures import FileStorage
from werkzeug.routing import Rule
from werkzeug.test import TestResponse, encode_multipart

from tests.conftest import PASSWORD, ROOT, AuthActions, soup
from tests.factories import fictional_council, pledge_of, record
from tests.test_api import Api
from tests.test_review import store
from tracker.accounts import create_token
from tracker.feeds import plain_text
from tracker.imports.candidates import CORE_COLUMNS, import_candidates
from tracker.models import (
    ApiToken,
    Authority,
    Party,
    Person,
    Pledge,
    PledgeEvent,
    PledgeUpload,
    Proposal,
    Recommendation,
    Source,
    User,
)

ROLES = ("anonymous", "campaigner", "admin")
REC = "pathways-to-support"
MISSING_ID = 987_654_321
GSS_SHAPED = "E99999903"  # ONS's pseudo-code range: no real body has it
SCRIPT = "<script>alert(1)</script>"
PAYLOADS = (
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "</textarea><svg onload=alert(1)>",
    "{{7*7}}",
    "{{ config }}",
    "'><iframe src=javascript:alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '=HYPERLINK("https://evil.example")',
)
# One string carrying every payload, for fields that take free text.
HOSTILE = " ".join(PAYLOADS)
# Shorter, for fields limited to 100 or 200 characters.
HOSTILE_NAME = 'Eve <script>alert(1)</script> "><img src=x onerror=alert(1)> {{7*7}}'
HOSTILE_URL = 'https://example.org/evidence?q="><script>alert(1)</script>&x=</textarea>'
FORMULA = '=HYPERLINK("https://evil.example","click")'
# Elements our pages never use that can load or run something. (Our own charts are inline
# SVG, so <svg> itself is allowed; its event attributes and links are checked like any other.)
FOREIGN_TAGS = {"iframe", "frame", "object", "embed", "base", "animate", "set", "foreignobject"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcdoc"}
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")
LEAKS = re.compile(
    r"Traceback \(most recent call last\)|File \"[^\"]*\", line \d+|sqlalchemy|psycopg|sqlite3"
    r"|OperationalError|IntegrityError|ProgrammingError|DataError|Werkzeug Debugger"
    r"|\bSELECT\b[^<>]{0,300}\bFROM\b|\bINSERT INTO\b|site-packages|SECRET_KEY|scrypt:",
)
HX = {"HX-Request": "true"}


# --- What a safe response looks like -----------------------------------------------------------


def assert_inert(html: str, where: str) -> BeautifulSoup:
    """Assert that HTML runs nothing but our own static scripts, and return it parsed."""
    page = BeautifulSoup(html, "lxml")
    for script in page.find_all("script"):
        assert str(script.get("src", "")).startswith("/static/"), (where, str(script))
        assert not script.get_text(strip=True), (where, str(script))
    for tag in page.find_all(True):
        assert tag.name not in FOREIGN_TAGS, (where, str(tag)[:200])
        for name, value in tag.attrs.items():
            lowered = name.lower()
            assert not lowered.startswith(("on", "hx-on")), (where, str(tag)[:200])
            if lowered in URL_ATTRIBUTES:
                scheme = re.sub(r"[\x00-\x20]", "", str(value)).lower()
                assert not scheme.startswith(BAD_SCHEMES), (where, str(tag)[:200])
        if tag.name == "meta":
            assert str(tag.get("http-equiv", "")).lower() != "refresh", where
    return page


def shows(page: BeautifulSoup, text: str) -> bool:
    """Return whether a page shows `text` literally, as text or as a form field's value."""
    values = [str(tag.get("value", "")) for tag in page.find_all("input")]
    return text in page.get_text() or any(text in value for value in values)


def assert_no_leak(response: TestResponse, where: object) -> None:
    """Assert that a response shows no traceback, SQL, file path or secret."""
    body = response.get_data(as_text=True)
    found = LEAKS.search(body)
    assert found is None, (where, response.status_code, body[max(0, found.start() - 200) :][:500])
    assert str(ROOT) not in body, where


def assert_sound(response: TestResponse, where: object) -> None:
    """Assert no server error and no leak; HTML must also be inert."""
    assert response.status_code < 500, (where, response.status_code, response.get_data()[:800])
    assert_no_leak(response, where)
    if response.mimetype == "text/html":
        assert_inert(response.get_data(as_text=True), str(where))


def csv_cells(response: TestResponse) -> list[list[str]]:
    """Return a CSV download's rows, asserting no cell could run as a formula."""
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    for row in rows:
        for value in row:
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    return rows


def feed_html(response: TestResponse, where: str) -> list[tuple[str, BeautifulSoup]]:
    """Check a feed parses cleanly; return each entry's title and its HTML content, parsed."""
    assert response.status_code == 200, where
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, (where, parsed.get("bozo_exception"))
    root = ElementTree.fromstring(response.data)  # noqa: S314 (our own feed, under test)
    atom = "{http://www.w3.org/2005/Atom}"
    entries = []
    for entry in root.iter(f"{atom}entry"):
        title = entry.findtext(f"{atom}title") or ""
        content = entry.find(f"{atom}content")
        assert content is not None and content.get("type") == "html", where
        entries.append((title, assert_inert(content.text or "", where)))
    for item in root.iter("item"):
        entries.append(
            (item.findtext("title") or "", assert_inert(item.findtext("description") or "", where))
        )
    return entries


# --- A small fictional world with one of everything ---------------------------------------------


@dataclass
class World:
    """One of each thing a URL can name, all fictional, and the accounts to look at them."""

    council: Authority
    person: Person
    party: Party
    pledge: Pledge
    match: Proposal
    campaigner: User
    admin: User
    token: ApiToken
    secrets: dict[str, str]
    upload: PledgeUpload
    app: Flask
    db: Session

    def browser(self, role: str) -> tuple[FlaskClient, AuthActions]:
        """Return a new client signed in as the role (or not at all), and its helper."""
        client = self.app.test_client()
        auth = AuthActions(client, self.db)
        if role != "anonymous":
            email = self.campaigner.email if role == "campaigner" else self.admin.email
            assert auth.login(email).status_code == 303
        return client, auth


def import_people(db: Session, tmp_path: Any, rows: list[tuple[int, str, str, str, str]]) -> None:
    """Stand people in the fictional council through the Democracy Club importer.

    Each row is (person_id, name, party_id, party name, ward); each person gets a ballot.
    """
    council = fictional_council(db)
    election = f"local.{council.slug}.2024-05-02"
    sheet = io.StringIO()
    writer = csv.writer(sheet)
    writer.writerow(CORE_COLUMNS)
    for person_id, name, party_id, party, ward in rows:
        ballot = f"local.{council.slug}.{person_id}.2024-05-02"
        facts = dict(zip(CORE_COLUMNS, [person_id, name, election, ballot], strict=False))
        facts |= {"election_date": "2024-05-02", "election_current": "True"}
        facts |= {"party_name": party, "party_id": party_id, "post_label": ward}
        facts |= {"cancelled_poll": "False", "seats_contested": "1"}
        writer.writerow([facts[column] for column in CORE_COLUMNS])
    path = tmp_path / "candidates.csv"
    path.write_text(sheet.getvalue(), encoding="utf-8")
    import_candidates(db, path)
    db.flush()


@pytest.fixture
def world(app: Flask, db: Session, tmp_path: Any) -> World:
    """Build the world: a council, a candidate, pledges, a proposed match, accounts, a token."""
    council = fictional_council(db)
    council.gss_code = GSS_SHAPED
    import_people(
        db, tmp_path, [(810_000_001, "Probe Person", "fictional:probe", "Probe Party", "Oak")]
    )
    person = db.get_one(Person, 810_000_001)
    party = db.exec(select(Party).where(Party.dc_id == "fictional:probe")).one()
    pledge = record(db, pledge_of(db, REC, person=person))
    record(db, pledge_of(db, REC, authority_row=council))
    (match, *_) = store(db, council)
    accounts = AuthActions(app.test_client(), db)
    campaigner = accounts.user("campaigner", "probe-campaigner@example.org")
    admin = accounts.user("admin", "probe-admin@example.org")
    token, secret = create_token(db, campaigner, "probe token name")
    _, admin_secret = create_token(db, admin, "probe admin token")
    upload = PledgeUpload(user_id=campaigner.id, filename="probe-upload.csv", content="")
    db.add(upload)
    db.commit()
    return World(
        council=council,
        person=person,
        party=party,
        pledge=pledge,
        match=match,
        campaigner=campaigner,
        admin=admin,
        token=token,
        secrets={"campaigner": secret, "admin": admin_secret},
        upload=upload,
        app=app,
        db=db,
    )


# --- Every route, every method, every role --------------------------------------------------------

PRIVATE_BLUEPRINTS = ("campaign", "admin", "review")
PRIVATE_ENDPOINTS = {
    "pledges.edit_candidate",
    "pledges.edit_authority",
    "pledges.save_candidate",
    "pledges.save_authority",
    "auth.logout",
    "api.create_pledge",
    "api.update_pledge",
}
LAST = ("admin.deactivate", "auth.logout")  # they change who can do what, so they go last
ARGUMENT = re.compile(r"<(?:(?P<converter>[^:<>]+):)?(?P<name>[^<>]+)>")


def is_private(endpoint: str) -> bool:
    """Return whether only signed-in campaigners may see or use an endpoint."""
    return endpoint.split(".")[0] in PRIVATE_BLUEPRINTS or endpoint in PRIVATE_ENDPOINTS


def argument(endpoint: str, name: str, world: World, *, real: bool, converter: str = "") -> str:
    """Return a value for one URL argument: one that exists, or one that doesn't."""
    ids = {
        "person_id": world.person.id,
        "pledge_id": world.pledge.id,
        "upload_id": world.upload.id,
        "token_id": world.token.id,
        "match_id": world.match.id,
        "user_id": world.campaigner.id,
    }
    if name in ids:
        return str(ids[name] if real else MISSING_ID)
    if name == "key":
        if endpoint.endswith("_candidate"):
            return str(world.person.id if real else MISSING_ID)
        return world.council.slug if real else "atlantis"
    if name == "fmt":
        return "atom" if real else "rss"
    if name == "filename":
        return "css/site.css" if real else "../../pyproject.toml"
    if name == "rest":
        return "nothing/here" if real else "../../etc/passwd"
    if converter == "int":  # a route this sweep has no sample for: the first row, or none
        return "1" if real else str(MISSING_ID)
    section = endpoint.split(".")[-1] if endpoint.startswith("feeds.") else endpoint.split(".")[0]
    slugs = {
        "authorities": world.council.slug,
        "authority": world.council.slug,
        "scorecards": world.council.slug,
        "parties": world.party.slug,
        "party": world.party.slug,
        "candidates": world.person.slug,
    }
    return slugs.get(section, REC) if real else "no-such-thing"


def sample_url(rule: Rule, world: World, *, real: bool) -> str:
    """Fill a rule's arguments with sample values."""

    def fill(found: re.Match[str]) -> str:
        converter = found["converter"] or ""
        return argument(rule.endpoint, found["name"], world, real=real, converter=converter)

    return ARGUMENT.sub(fill, rule.rule)


def requests_for(app: Flask) -> list[tuple[bool, Rule, str]]:
    """Return every (real arguments?, rule, method): reads first, then writes, disruptive last.

    Rules without arguments are sent once; the others with arguments that exist and with
    arguments that don't.
    """
    found = [
        (real, rule, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods or ()
        for real in ((True, False) if rule.arguments else (True,))
    ]

    def order(request: tuple[bool, Rule, str]) -> tuple[int, bool, str, str]:
        real, rule, method = request
        if rule.endpoint in LAST:
            return (2 + LAST.index(rule.endpoint), not real, rule.rule, method)
        return (int(method not in ("GET", "HEAD", "OPTIONS")), not real, rule.rule, method)

    return sorted(found, key=order)


def probe(
    client: FlaskClient, world: World, role: str, method: str, url: str, csrf: str
) -> TestResponse:
    """Send one request as a role, with a valid CSRF token or API token where one applies."""
    headers: dict[str, str] = {}
    kwargs: dict[str, Any] = {}
    if url.startswith("/api/") and method in ("POST", "PATCH"):
        if role != "anonymous":
            headers["Authorization"] = f"Bearer {world.secrets[role]}"
        kwargs["json"] = {}
    elif method == "POST":
        kwargs["data"] = {"csrf_token": csrf}
        headers["X-CSRFToken"] = csrf
    return client.open(url, method=method, headers=headers, **kwargs)


PRIVATE_MARKERS = (
    "probe-campaigner@example.org",
    "probe-admin@example.org",
    "probe token name",
    "probe-upload.csv",
    'class="review-item',
    "Sign out",
    "X-CSRFToken",
)


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_every_role_without_a_server_error(
    app: Flask, world: World, role: str
) -> None:
    client, auth = world.browser(role)
    csrf = auth.form_token("/login")
    sent = 0
    for real, rule, method in requests_for(app):
        url = sample_url(rule, world, real=real)
        for hx in (False, True) if real and method == "GET" else (False,):
            where = (role, rule.endpoint, method, url, hx)
            if hx:
                response = client.get(url, headers=HX)
            else:
                response = probe(client, world, role, method, url, csrf)
            sent += 1
            assert_sound(response, where)
            check_access(role, rule.endpoint, method, response, where)
            response.close()
    assert sent >= 250  # every rule, method and role: a floor, so the sweep cannot shrink unseen


def check_access(
    role: str, endpoint: str, method: str, response: TestResponse, where: object
) -> None:
    """Assert the public sees nothing of the campaign's side, and campaigners nothing of admins'."""
    if method in ("HEAD", "OPTIONS"):
        return
    if role == "anonymous":
        body = response.get_data(as_text=True)
        for marker in PRIVATE_MARKERS:
            assert marker not in body, (where, marker)
        if is_private(endpoint):
            assert response.status_code in (302, 401), where
            if response.status_code == 302:
                assert response.headers["Location"].startswith("/login?next="), where
    if role == "campaigner" and endpoint.startswith("admin."):
        assert response.status_code == 403, where


# --- What a campaigner types as internal stays internal ----------------------------------------

INTERNAL = "Named in 2025 plan: internal probe"


def test_nothing_typed_in_a_field_labelled_internal_is_published(app: Flask, world: World) -> None:
    client, auth = world.browser("campaigner")
    base = f"/candidates/{world.person.id}/pledges/{REC}"
    form = soup(client.get(f"{base}/edit"))
    label = form.find("label", string=re.compile("^Internal note"))
    assert label is not None and "never published" in label.text
    field = form.select_one(f"#{label['for']}")["name"]
    version = form.select_one("input[name=version]")["value"]
    pledge = {"status": "pledged", "delivery": "not-yet-rated", "quote": "We will."}
    saved = post_form(
        client, auth, base, f"{base}/edit", **pledge, version=version, **{field: INTERNAL}
    )
    assert saved.status_code == 303, saved.get_data(as_text=True)
    # A second save that changes the internal note alone leaves no public event behind.
    version = soup(client.get(f"{base}/edit")).select_one("input[name=version]")["value"]
    again = {**pledge, "version": version, field: INTERNAL + " (again)"}
    assert post_form(client, auth, base, f"{base}/edit", **again).status_code == 303
    assert INTERNAL + " (again)" in client.get(f"{base}/edit").get_data(as_text=True)
    history = f"/pledges/{world.pledge.id}/history"
    assert INTERNAL in client.get(history).get_data(as_text=True)
    public, seen = app.test_client(), 0
    for real, rule, method in requests_for(app):
        if real and method == "GET" and not is_private(rule.endpoint):
            url = sample_url(rule, world, real=True)
            for query in ("", "?excel=1&format=json"):
                response = public.get(url + query)
                assert INTERNAL not in response.get_data(as_text=True), url + query
                response.close()
                seen += 1
    assert seen >= 80  # every public page, download, feed and API read: a floor
    feed = feedparser.parse(public.get(f"/feeds/candidates/{world.person.id}.atom").data)
    assert len(feed.entries) == 2  # recorded, then re-pledged; the internal-only save is none


# --- Script and markup in every stored input, then every view of it -----------------------------

HOSTILE_STRATEGY = (
    b"Testshire modern slavery strategy (fictional)\n\n"
    b"We will fund a dedicated modern slavery partnership coordinator <script>alert(1)</script> "
    b'for the multi-agency partnership against exploitation "><img src=x onerror=alert(1)>.\n'
)
HOSTILE_PERSON = 810_000_666


def post_form(client: FlaskClient, auth: AuthActions, to: str, page: str, **data: Any) -> Any:
    """Post a form the way a browser would, with the CSRF token from `page`."""
    return client.post(to, data={"csrf_token": auth.form_token(page), **data})


def store_hostile_everything(world: World, db: Session, tmp_path: Any) -> dict[str, Any]:
    """Put a payload into every input that is stored and shown; return what was made."""
    council = world.council
    import_people(
        db,
        tmp_path,
        [(HOSTILE_PERSON, HOSTILE_NAME, "fictional:hostile", HOSTILE_NAME, HOSTILE_NAME)],
    )
    db.commit()
    person = db.get_one(Person, HOSTILE_PERSON)
    client, auth = world.browser("campaigner")
    base = f"/candidates/{person.id}/pledges"

    # the edit form, without and with htmx; a javascript: source is refused, not stored
    pledge = {"status": "pledged", "delivery": "not-yet-rated", "version": "0"}
    refused = post_form(
        client,
        auth,
        f"{base}/{REC}",
        f"{base}/{REC}/edit",
        **pledge,
        evidence_url="javascript:alert(1)",
        quote=HOSTILE,
    )
    assert refused.status_code == 422
    assert "http://" in assert_inert(refused.get_data(as_text=True), "refused").text
    saved = post_form(
        client,
        auth,
        f"{base}/{REC}",
        f"{base}/{REC}/edit",
        **pledge,
        evidence_url=HOSTILE_URL,
        quote=HOSTILE,
        note=HOSTILE,
    )
    assert saved.status_code == 303, saved.get_data(as_text=True)
    fragment = client.post(
        f"{base}/listen-to-lived-experience",
        data={**pledge, "quote": FORMULA, "note": HOSTILE, "evidence_url": HOSTILE_URL},
        headers={**HX, "X-CSRFToken": auth.csrf()},
    )
    assert fragment.status_code == 200
    assert HOSTILE_NAME in json.loads(fragment.headers["HX-Trigger"])["tracker:message"]["value"]
    assert_inert(fragment.get_data(as_text=True), "htmx row")

    # a spreadsheet upload, its file name shown on the preview and in the flash message
    sheet = io.StringIO()
    writer = csv.writer(sheet, lineterminator="\n")
    writer.writerow(["person_id", "recommendation", "status", "evidence_url", "quote", "note"])
    writer.writerow(
        [person.id, "priority-in-strategic-plans", "partial", HOSTILE_URL, "+1+1 " + HOSTILE, "@x"]
    )
    # Browsers send a double quote in a file name as %22, so the payload here has none.
    filename = "<script>alert(1)</script><img src=x onerror=alert(1)>{{7*7}}.csv"
    uploaded = client.post(
        "/campaign/uploads",
        data={
            "csrf_token": auth.form_token("/campaign/uploads"),
            "file": (io.BytesIO(sheet.getvalue().encode()), filename),
        },
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 303, uploaded.get_data(as_text=True)
    preview_url = uploaded.headers["Location"]
    preview = assert_inert(client.get(preview_url).get_data(as_text=True), "preview")
    assert filename in preview.h1.text
    apply_form = preview.select_one("form[action$='/apply']")
    applied = client.post(
        apply_form["action"],
        data={
            "csrf_token": apply_form.select_one("[name=csrf_token]")["value"],
            "plan": apply_form.select_one("[name=plan]")["value"],
        },
    )
    assert applied.status_code == 303
    dashboard = assert_inert(client.get("/campaign/").get_data(as_text=True), "flash")
    assert filename in dashboard.select_one(".flashes").text

    # the write API: a new pledge for the council, and a change to the candidate's
    bearer = {"Authorization": f"Bearer {world.secrets['campaigner']}"}
    created = client.post(
        "/api/v1/pledges",
        headers=bearer,
        json={
            "recommendation": "listen-to-lived-experience",
            "authority": council.slug,
            "status": "declined",
            "quote": "-2+3 " + HOSTILE,
            "note": HOSTILE,
            "evidence_url": HOSTILE_URL,
        },
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    etag = client.get(f"/api/v1/pledges/{world.pledge.id}").headers["ETag"]
    patched = client.patch(
        f"/api/v1/pledges/{world.pledge.id}",
        headers={**bearer, "If-Match": etag},
        json={"note": HOSTILE, "quote": "=1+1 " + HOSTILE},
    )
    assert patched.status_code == 200, patched.get_data(as_text=True)

    # API token names, a review verdict's reason, a scraped passage and submitted addresses
    named = post_form(client, auth, "/campaign/tokens", "/campaign/tokens", name=HOSTILE_NAME)
    assert named.status_code == 200
    assert HOSTILE_NAME in assert_inert(named.get_data(as_text=True), "tokens").text
    hostile_matches = store(db, council, body=HOSTILE_STRATEGY, url=HOSTILE_URL)
    assert hostile_matches
    rejected = post_form(
        client,
        auth,
        f"/campaign/review/{world.match.id}/reject",
        "/campaign/review/",
        reason=HOSTILE[:500],
        back="/campaign/review/",
    )
    assert rejected.status_code == 303
    for url in (HOSTILE_URL, "javascript:alert(1)", "data:text/html,<script>alert(1)</script>"):
        submitted = post_form(
            client,
            auth,
            "/campaign/review/sources",
            "/campaign/review/",
            authority=council.slug,
            url=url,
            back="/campaign/review/",
        )
        assert submitted.status_code in (303, 422)  # a refused address comes back as typed
        assert_inert(submitted.get_data(as_text=True), url)
        assert_inert(client.get("/campaign/review/").get_data(as_text=True), url)

    # an admin rewords a recommendation
    admin, admin_auth = world.browser("admin")
    reword = f"/campaign/admin/recommendations/{REC}"
    version = soup(admin.get(reword)).select_one("input[name=version]")["value"]
    reworded = post_form(
        admin,
        admin_auth,
        reword,
        reword,
        title=HOSTILE_NAME,
        summary=HOSTILE,
        body=HOSTILE,
        version=version,
    )
    assert reworded.status_code == 303, reworded.get_data(as_text=True)
    party = db.exec(select(Party).where(Party.dc_id == "fictional:hostile")).one()
    return {"person": person, "party": party, "client": client, "admin": admin}


def test_script_payloads_are_kept_as_text_everywhere_they_are_shown(
    world: World, db: Session, tmp_path: Any
) -> None:
    made = store_hostile_everything(world, db, tmp_path)
    person, party = made["person"], made["party"]
    client: FlaskClient = made["client"]
    admin: FlaskClient = made["admin"]
    public = world.app.test_client()
    pledges = db.exec(select(Pledge).where(col(Pledge.person_id) == person.id)).all()
    assert len(pledges) == 3
    candidate_page = f"/candidates/{person.id}-{person.slug}"
    shown_as_text = {
        "/": [HOSTILE_NAME],
        f"/recommendations/{REC}": [HOSTILE_NAME, HOSTILE],
        "/recommendations/": [HOSTILE_NAME, HOSTILE],
        candidate_page: [HOSTILE_NAME, HOSTILE],
        f"/authorities/{world.council.slug}": [HOSTILE_NAME, HOSTILE],
        f"/parties/{party.slug}": [HOSTILE_NAME],
        "/parties/": [HOSTILE_NAME],
        "/candidates/?q=Eve": [HOSTILE_NAME],
        f"/candidates/?q={HOSTILE_NAME}": [HOSTILE_NAME],
        f"/authorities/?q={SCRIPT}": [SCRIPT],
        f"/candidates/?party={SCRIPT}": [SCRIPT],
        f"/candidates/?status={SCRIPT}": [SCRIPT],
        f"/authorities/?nation={SCRIPT}": [SCRIPT],
        f"/pledges.csv?party={SCRIPT}": [SCRIPT],
        f"/feeds/parties/{SCRIPT}.atom": [],
        f"/login?next={SCRIPT}": [],
        **{f"/pledges/{p.id}/history": [HOSTILE] for p in pledges},
    }
    for url, texts in shown_as_text.items():
        response = public.get(url)
        assert_sound(response, url)
        page = assert_inert(response.get_data(as_text=True), url)
        for text in texts:
            assert shows(page, text), (url, text)
    signed_in = {
        f"{candidate_page}": [HOSTILE],
        f"/candidates/{person.id}/pledges/{REC}/edit": [HOSTILE],
        "/campaign/": [HOSTILE_NAME],
        "/campaign/review/": [SCRIPT],
        "/campaign/tokens": [HOSTILE_NAME],
        f"/campaign/review/?authority={SCRIPT}": [SCRIPT],
    }
    for url, texts in signed_in.items():
        for headers in ({}, HX):
            response = client.get(url, headers=headers)
            assert_sound(response, url)
            page = assert_inert(response.get_data(as_text=True), url)
            for text in texts:
                assert shows(page, text), (url, text)
    for url in ("/campaign/admin/users", f"/campaign/admin/recommendations/{REC}"):
        response = admin.get(url)
        assert response.status_code == 200
        assert_inert(response.get_data(as_text=True), url)
    # the edit form keeps the payload inside its textarea, as text
    edit = soup(client.get(f"/candidates/{person.id}/pledges/{REC}/edit"))
    assert edit.select_one("textarea[name=quote]").text.strip() == HOSTILE

    # feeds: valid XML, and the payload only ever escaped
    feeds = [
        "/feeds/updates",
        f"/feeds/candidates/{person.id}",
        f"/feeds/parties/{party.slug}",
        f"/feeds/authorities/{world.council.slug}",
        f"/feeds/recommendations/{REC}",
    ]
    for feed in feeds:
        for fmt in ("atom", "rss"):
            entries = feed_html(public.get(f"{feed}.{fmt}"), f"{feed}.{fmt}")
            assert entries, feed
            # Titles name the candidate with the markup taken out (issue 14), never as markup.
            assert any(plain_text(HOSTILE_NAME) in title for title, _ in entries), feed
            assert not any("<" in title or ">" in title for title, _ in entries), feed
            assert any(SCRIPT in html.get_text() for _, html in entries), feed

    # CSV downloads: the payload as text, formulas neutralised
    downloads = [
        "/pledges.csv",
        f"/candidates.csv?authority={world.council.slug}",
        "/authorities.csv?q=fictional",
    ]
    cells = [c for url in downloads for row in csv_cells(public.get(url)) for c in row]
    assert any(SCRIPT in c for c in cells)
    for formula in ("=1+1", "+1+1", "-2+3", "@x", FORMULA):
        assert any(c.startswith("'" + formula) for c in cells), formula

    # JSON: the payload intact, served as JSON that browsers won't sniff as HTML
    api = Api(world.app, public)
    for url in (
        f"/api/v1/pledges?candidate={person.id}",
        f"/api/v1/candidates/{person.id}",
        f"/api/v1/candidates?q={HOSTILE_NAME}",
        f"/api/v1/recommendations/{REC}",
        f"/api/v1/events?candidate={person.id}",
        f"/api/v1/pledges?party={SCRIPT}",
    ):
        response = public.get(url)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.mimetype in ("application/json", "application/problem+json")
        api.get(url, response.status_code)
    quotes = [p["quote"] for p in api.walk(f"/api/v1/pledges?candidate={person.id}")]
    assert HOSTILE in quotes


# --- SQL metacharacters and odd values in every filter ------------------------------------------

ODD_VALUES = (
    "' OR '1'='1",
    '"; DROP TABLE pledge; --',
    "%",
    "_",
    "\\",
    "nul\x00byte",
    "x" * 5000,
    "日本語 ünïcödé 🚀\u202e",
    "-1",
    "９",
    "2147483648",
    "99999999999999999999999",
)
FILTERS = {
    "/candidates/": ("q", "authority", "party", "election", "status", "page"),
    "/authorities/": ("q", "nation", "region", "type", "page"),
    "/parties/": ("page",),
    f"/recommendations/{REC}": ("status", "page"),
    "/campaign/review/": ("authority", "recommendation", "page"),
    "/pledges.csv": (
        "recommendation",
        "authority",
        "party",
        "candidate",
        "status",
        "delivery",
        "kind",
    ),
    "/candidates.csv": ("q", "authority", "party", "election", "status"),
    "/authorities.csv": ("q", "nation", "region", "type"),
    "/scorecards/": ("type", "region", "sort"),
    "/scorecards.csv": ("type", "region", "sort"),
    "/api/v1/pledges": (
        "recommendation",
        "authority",
        "party",
        "candidate",
        "status",
        "delivery",
        "kind",
        "after",
        "limit",
    ),
    "/api/v1/candidates": ("q", "authority", "party", "election", "status", "after", "limit"),
    "/api/v1/authorities": ("q", "nation", "region", "type", "after", "limit"),
    "/api/v1/events": ("recommendation", "authority", "party", "candidate", "after", "limit"),
}
FREE_TEXT = {"q"}  # searched for, refused only for a NUL


def counts(db: Session) -> tuple[int, ...]:
    """Count the rows a destructive query would change."""
    db.expire_all()
    return tuple(
        len(db.exec(select(model)).all())
        for model in (Pledge, PledgeEvent, Person, Authority, Recommendation, Proposal, User)
    )


def message_of(response: TestResponse) -> str:
    """Return the explanation an error response gives: a problem's detail or the page's lede."""
    if response.mimetype == "application/problem+json":
        return str(response.get_json()["detail"])
    lede = soup(response).select_one("main .lede")
    return lede.get_text(" ", strip=True) if lede else ""


@pytest.mark.parametrize("surface", ["pages", "downloads", "api"])
def test_odd_filter_values_get_clear_answers_and_change_nothing(
    world: World, db: Session, surface: str
) -> None:
    client, _ = world.browser("campaigner")
    before = counts(db)
    urls = [
        url
        for url in FILTERS
        if (surface == "api") == url.startswith("/api/")
        and (surface == "downloads") == url.endswith(".csv")
    ]
    for url in urls:
        for name in FILTERS[url]:
            for value in ODD_VALUES:
                response = client.get(url, query_string={name: value})
                where = (url, name, value[:40])
                assert_sound(response, where)
                if response.status_code >= 400:
                    assert response.status_code in (400, 404), where
                    assert name not in FREE_TEXT or "\x00" in value, where
                    message = message_of(response)
                    named = name in message or value.strip() and value[:20] in message
                    assert named or "NUL character" in message, (where, message)
                response.close()
    assert counts(db) == before


def test_numbers_too_big_for_the_database_are_not_found(app: Flask, world: World) -> None:
    client, auth = world.browser("admin")
    csrf = auth.csrf()
    numeric = [r for r in app.url_map.iter_rules() if "<int:" in r.rule]
    assert len(numeric) > 10
    for rule in numeric:
        for value in ("2147483648", "9" * 30):

            def fill(found: re.Match[str], value: str = value, rule: Rule = rule) -> str:
                if found["converter"] == "int":
                    return value
                converter = found["converter"] or ""
                return argument(rule.endpoint, found["name"], world, real=True, converter=converter)

            url = ARGUMENT.sub(fill, rule.rule)
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                response = probe(client, world, "admin", method, url, csrf)
                assert_sound(response, (rule.endpoint, method, value))
                assert response.status_code in (301, 404, 405), (rule.endpoint, method, value)
                response.close()
    edit = f"/candidates/{world.person.id}/pledges/{REC}"
    form = {"status": "pledged", "quote": "Yes.", "delivery": "not-yet-rated"}
    # The version is a hidden field: only a tampered form sends one this big.
    stale = client.post(edit, data={"csrf_token": csrf, **form, "version": "9" * 20})
    assert stale.status_code == 422
    reword = f"/campaign/admin/recommendations/{REC}"
    words = {"title": "T", "summary": "S", "body": "B", "version": "9" * 20}
    reworded = client.post(reword, data={"csrf_token": csrf, **words})
    assert reworded.status_code == 422
    bearer = {"Authorization": f"Bearer {world.secrets['admin']}"}
    for person_id in (2**31, 10**30, -1, True):
        created = client.post(
            "/api/v1/pledges",
            headers=bearer,
            json={"recommendation": REC, "person_id": person_id, "status": "pledged", "quote": "Y"},
        )
        assert created.status_code == 422, person_id
        assert "person_id" in created.get_json()["errors"]
    rows = [f"{person_id},{REC},pledged,Y" for person_id in (2**31, 10**11)]
    sheet = "\n".join(["person_id,recommendation,status,quote", *rows, ""])
    uploaded = client.post(
        "/campaign/uploads",
        data={"csrf_token": csrf, "file": (io.BytesIO(sheet.encode()), "ids.csv")},
        content_type="multipart/form-data",
    )
    preview = client.get(uploaded.headers["Location"])
    assert preview.status_code == 200
    assert "no candidate has person_id" in preview.get_data(as_text=True)


def test_odd_values_in_the_address_itself_are_refused_cleanly(app: Flask, world: World) -> None:
    client, auth = world.browser("campaigner")
    csrf = auth.csrf()
    textual = [
        rule
        for rule in app.url_map.iter_rules()
        if any(m["converter"] in (None, "path") for m in ARGUMENT.finditer(rule.rule))
    ]
    assert len(textual) > 15
    for rule in textual:
        for value in ("' OR '1'='1", "\x00", "%25", "x" * 3000, "日本語🚀", "..%2f..%2f"):

            def fill(found: re.Match[str], value: str = value, rule: Rule = rule) -> str:
                if found["converter"] in (None, "path"):
                    return value
                converter = found["converter"] or ""
                return argument(rule.endpoint, found["name"], world, real=True, converter=converter)

            url = ARGUMENT.sub(fill, rule.rule)
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                response = probe(client, world, "campaigner", method, url, csrf)
                assert_sound(response, (rule.endpoint, method, value[:20]))
                response.close()


# --- Oversized and malformed input -------------------------------------------------------------

MB = 1024 * 1024


def changes(db: Session) -> tuple[int, int, int]:
    """Count pledges, their events and stored uploads."""
    db.expire_all()
    return (
        len(db.exec(select(Pledge)).all()),
        len(db.exec(select(PledgeEvent)).all()),
        len(db.exec(select(PledgeUpload)).all()),
    )


def field_errors(response: TestResponse) -> str:
    """Return the field-level messages on a refused form."""
    return " ".join(p.get_text(" ", strip=True) for p in soup(response).select(".field-error"))


def test_huge_form_fields_are_refused_with_a_message(world: World, db: Session) -> None:
    client, auth = world.browser("admin")
    before = changes(db)
    edit = f"/candidates/{world.person.id}/pledges/listen-to-lived-experience"
    pledge = {"status": "pledged", "delivery": "not-yet-rated", "version": "0"}
    for field in ("quote", "note", "evidence_url"):
        value = "https://example.org/" + "x" * 10_000 if field == "evidence_url" else "x" * 10_001
        for headers in ({}, HX):
            response = client.post(
                edit,
                data={"csrf_token": auth.csrf(), **pledge, field: value},
                headers={**headers, "X-CSRFToken": auth.csrf()},
            )
            assert response.status_code == 422, (field, headers)
            assert "longer than" in field_errors(response), field
    token = post_form(client, auth, "/campaign/tokens", "/campaign/tokens", name="n" * 101)
    assert token.status_code == 422 and "longer than 100" in field_errors(token)
    reword = f"/campaign/admin/recommendations/{REC}"
    worded = post_form(
        client, auth, reword, reword, title="t" * 201, summary="s", body="b", version="1"
    )
    assert worded.status_code == 422 and "longer than 200" in field_errors(worded)
    reason = post_form(
        client,
        auth,
        f"/campaign/review/{world.match.id}/reject",
        "/campaign/review/",
        reason="r" * 501,
    )
    assert reason.status_code == 400 and "500 characters" in message_of(reason)
    # the second is 2,000 characters as typed, 2,001 once its missing path "/" is added
    for url in ("https://example.org/" + "x" * 2000, "http://example.org?" + "x" * 1981):
        source = post_form(
            client,
            auth,
            "/campaign/review/sources",
            "/campaign/review/",
            authority=world.council.slug,
            url=url,
        )
        assert source.status_code == 422 and "2,000 characters" in field_errors(source)
    login = world.app.test_client()
    signin = post_form(login, AuthActions(login, db), "/login", "/login", email="e" * 300)
    assert signin.status_code == 400 and "longer than 254" in field_errors(signin)
    assert changes(db) == before
    assert db.exec(select(Source).where(Source.authority_id == world.council.id)).all() == []


def test_bodies_over_the_limit_get_a_413_that_reads_well(world: World, db: Session) -> None:
    client, auth = world.browser("campaigner")
    before = changes(db)
    limit = world.app.config["MAX_CONTENT_LENGTH"]
    edit = f"/candidates/{world.person.id}/pledges/listen-to-lived-experience"
    big_form = client.post(
        edit, data={"csrf_token": auth.csrf(), "status": "pledged", "quote": "q" * limit}
    )
    # Encoded here, in memory: the test client would spool a body this big to a temporary
    # file that nothing closes once the app refuses to read it.
    boundary, body = encode_multipart(
        {"csrf_token": auth.csrf(), "file": FileStorage(io.BytesIO(b"x" * limit), "big.csv")}
    )
    huge_file = client.post(
        "/campaign/uploads", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    for response in (big_form, huge_file):
        assert response.status_code == 413
        page = assert_inert(response.get_data(as_text=True), "413")
        assert page.h1 is not None and page.title is not None
        lede = message_of(response)
        assert "MB" in lede and "smaller" in lede, lede
    bearer = {"Authorization": f"Bearer {world.secrets['campaigner']}"}
    huge_json = client.post(
        "/api/v1/pledges",
        headers={**bearer, "Content-Type": "application/json"},
        data=b'{"quote": "' + b"q" * limit + b'"}',
    )
    assert huge_json.status_code == 413
    assert huge_json.mimetype == "application/problem+json"
    assert "MB" in huge_json.get_json()["detail"]
    big_quote = client.post(
        "/api/v1/pledges",
        headers=bearer,
        json={
            "recommendation": REC,
            "authority": world.council.slug,
            "status": "pledged",
            "quote": "q" * (2 * MB),
        },
    )
    assert big_quote.status_code in (409, 422)
    assert changes(db) == before


CSV_HEADER = b"person_id,recommendation,status,quote\n"
BAD_UPLOADS = {
    "binary": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
    "latin-1": CSV_HEADER + "1,pathways-to-support,pledged,Café crème\n".encode("latin-1"),
    "nul byte": CSV_HEADER + b"1,pathways-to-support,pledged,a\x00b\n",
    "empty": b"",
    "unbalanced quotes": CSV_HEADER + b'1,pathways-to-support,pledged,"never closed\n2,x,y\n',
    "thousands of columns": b",".join(b"c%d" % n for n in range(5000)) + b"\n" + b"1," * 4999,
    "giant cell": CSV_HEADER + b'1,pathways-to-support,pledged,"' + b"x" * 200_000 + b'"\n',
    "utf-16": CSV_HEADER.decode().encode("utf-16"),
}


@pytest.mark.parametrize("kind", BAD_UPLOADS)
def test_malformed_uploads_are_explained_and_write_nothing(
    world: World, db: Session, kind: str
) -> None:
    client, auth = world.browser("campaigner")
    before = changes(db)
    response = client.post(
        "/campaign/uploads",
        data={"csrf_token": auth.csrf(), "file": (io.BytesIO(BAD_UPLOADS[kind]), "bad.csv")},
        content_type="multipart/form-data",
    )
    assert_sound(response, kind)
    assert response.status_code == 422, (kind, response.status_code)
    assert field_errors(response), kind
    assert changes(db) == before


BAD_JSON: dict[str, tuple[bytes, int]] = {
    "invalid": (b'{"status": "pledged",', 400),
    "an array": (b'[{"status": "pledged"}]', 400),
    "a string": (b'"pledged"', 400),
    "deeply nested": (b'{"quote": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", 400),
    "wrong types": (
        b'{"recommendation": {}, "person_id": "x", "status": 5, "quote": [], "date": "soon"}',
        422,
    ),
    "nul in text": (b'{"status": "pledged", "quote": "a\\u0000b"}', 422),
    "lone surrogate": (b'{"status": "pledged", "quote": "\\ud800"}', 422),
    "unknown fields": (b'{"status": "pledged", "is_admin": true}', 422),
    "not utf-8": (b'{"status": "pledged", "quote": "\xff\xfe"}', 400),
}


@pytest.mark.parametrize("kind", BAD_JSON)
def test_malformed_json_gets_a_problem_and_writes_nothing(
    world: World, db: Session, kind: str
) -> None:
    body, status = BAD_JSON[kind]
    client = world.app.test_client()
    before = changes(db)
    headers = {
        "Authorization": f"Bearer {world.secrets['campaigner']}",
        "Content-Type": "application/json",
    }
    created = client.post(
        "/api/v1/pledges",
        data=body.replace(b"{", b'{"authority": "%s", ' % world.council.slug.encode(), 1)
        if body.startswith(b"{") and kind != "invalid"
        else body,
        headers=headers,
    )
    etag = client.get(f"/api/v1/pledges/{world.pledge.id}").headers["ETag"]
    patched = client.patch(
        f"/api/v1/pledges/{world.pledge.id}", data=body, headers={**headers, "If-Match": etag}
    )
    for response in (created, patched):
        assert_sound(response, kind)
        assert response.mimetype == "application/problem+json", kind
        assert response.get_json()["detail"], kind
    assert created.status_code in (status, 409), (kind, created.get_json())
    if kind not in ("wrong types", "unknown fields"):
        assert patched.status_code == status, (kind, patched.get_json())
    assert changes(db) == before


# --- The checks themselves notice what they look for --------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        "<p>x</p><script>alert(1)</script>",
        '<script src="https://evil.example/x.js"></script>',
        '<img src=x onerror="alert(1)">',
        "<svg onload=alert(1)></svg>",
        '<a href=" javascript:alert(1)">x</a>',
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<form action="data:text/html,x"></form>',
        "<iframe src=/></iframe>",
        '<div hx-on:click="alert(1)"></div>',
        '<meta http-equiv="refresh" content="0;url=https://evil.example">',
        "</textarea><svg><animate attributeName=href values=javascript:alert(1) /></svg>",
    ],
)
def test_the_inertness_check_notices_live_markup(html: str) -> None:
    with pytest.raises(AssertionError):
        assert_inert(f"<!doctype html><html><body>{html}</body></html>", "self-test")


def test_the_leak_check_notices_internals(app: Flask) -> None:
    for body in (
        'Traceback (most recent call last):\n  File "/x.py", line 1',
        "sqlalchemy.exc.OperationalError: no such table",
        "SELECT pledge.id FROM pledge WHERE 1",
        f"{ROOT}/tracker/views/api.py",
    ):
        with pytest.raises(AssertionError):
            assert_no_leak(app.response_class(body), "self-test")


# --- Open redirects ----------------------------------------------------------------------------

ELSEWHERE = (
    "https://evil.example/",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "\\/evil.example/",
    "/\t/evil.example/",
    "/\n/evil.example/",
    " //evil.example/",
    "https:evil.example",
    "https:/evil.example",
    "http://localhost@evil.example/",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "／／evil.example",
    "%2F%2Fevil.example",
    "evil.example",
)


def is_local(location: str) -> bool:
    """Return whether a browser would stay on this site following `location`.

    Browsers drop tabs and line breaks, trim spaces and read a backslash as a slash.
    """
    seen = re.sub(r"[\t\n\r]", "", location).strip(" \x00-\x1f").replace("\\", "/")
    parts = urlsplit(seen)
    return seen.startswith("/") and not seen.startswith("//") and not parts.scheme


def test_redirects_only_ever_lead_back_into_the_site(world: World) -> None:
    client, auth = world.browser("campaigner")
    csrf = auth.csrf()
    source = {"authority": world.council.slug, "url": "https://example.org/strategy"}
    review = "/campaign/review"
    for target in ELSEWHERE:
        back = {"csrf_token": csrf, "back": target}
        followed = [
            client.post(f"{review}/{world.match.id}/reject", data=back),
            client.post(f"{review}/{world.match.id}/accept", data={**back, "status": "pledged"}),
            client.post(f"{review}/sources", data={**back, **source}),
            client.post(f"{review}/sources", data=back),
        ]
        signing_in = world.app.test_client()
        page = signing_in.get("/login", query_string={"next": target})
        assert_sound(page, target)
        form = {field["name"]: field.get("value", "") for field in soup(page).select("form input")}
        form |= {"email": world.campaigner.email, "password": PASSWORD}
        followed.append(signing_in.post("/login", data=form))
        assert followed[-1].status_code == 303, target
        for response in followed:
            assert_sound(response, target)
            location = response.headers.get("Location")
            assert location is None or is_local(location), (target, location)


def test_the_locality_check_reads_addresses_as_browsers_do() -> None:
    assert is_local("/campaign/review/?authority=x#top")
    for target in ("//evil.example/", "/\\evil.example/", "/\t/evil.example/", " //evil.example"):
        assert not is_local(target), target
    assert not any(is_local(target) for target in ELSEWHERE if not target.startswith("%"))
