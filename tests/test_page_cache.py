"""Public pages come from memory until the data changes, and never stale."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import update_wrapper
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask, Response, flash, make_response
from flask.testing import FlaskClient
from flask_wtf.csrf import generate_csrf
from sqlalchemy import delete, update
from sqlmodel import Session, col, select
from werkzeug.test import TestResponse

from tests.conftest import AuthActions, soup
from tests.factories import candidate, fictional_council, pledge_of, record, stored_document
from tests.sql import counted_queries
from tracker import freshness, page_cache
from tracker.accounts import create_token
from tracker.freshness import VERSIONS, _pinned_pledge, data_version
from tracker.models import Authority, Pledge, PledgeStatus, SiteState
from tracker.page_cache import Entry, PageCache
from tracker.page_store import RedisPageCache
from tracker.pledging import PledgeChange, Subject, save_pledge
from tracker.scopes import EVERYTHING


def varies(response: TestResponse) -> set[str]:
    """Return the request headers a response says it varies on."""
    return {name.strip() for name in response.headers["Vary"].split(",")}


def test_a_repeated_page_costs_one_query_and_revalidates(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    council = fictional_council(db)
    db.commit()
    url = f"/authorities/{council.slug}"
    first = client.get(url)
    assert first.headers["ETag"] and "no-cache" in first.headers["Cache-Control"]
    assert "Cookie" in varies(first)
    with counted_queries(app) as statements:
        again = client.get(url)
    assert statements == []  # only the data version, read on a raw cursor below SQLAlchemy
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    unchanged = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert unchanged.status_code == 304 and unchanged.data == b""


def test_an_edit_shows_on_the_very_next_request(
    client: FlaskClient, auth: AuthActions, db: Session
) -> None:
    council = fictional_council(db)
    person = candidate(db, "Cache Candidate", council=council)
    db.commit()
    page = f"/candidates/{person.id}-{person.slug}"
    feed = f"/feeds/candidates/{person.id}.atom"
    before, before_feed = client.get(page), client.get(feed)
    site, theirs = data_version(db), data_version(db, f"person:{person.id}")
    record(db, pledge_of(db, "pathways-to-support", person=person), PledgeStatus.PARTIAL)
    db.commit()
    assert data_version(db) == site and data_version(db, f"person:{person.id}") != theirs
    after = client.get(page, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    statuses = BeautifulSoup(after.data, "html.parser").select("table.pledges .status")
    assert statuses[3].text == "Partly pledged"
    assert client.get(feed).data != before_feed.data


def test_a_search_is_kept_until_a_document_is_stored(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    council = fictional_council(db)
    db.commit()
    url = "/documents/?q=outreach"
    before = client.get(url)
    with counted_queries(app) as statements:
        assert client.get(url).data == before.data
    assert statements == []  # from the cache: the search itself did not run
    text = b"Plan\n\nWe fund an outreach worker for survivors.\n"
    stored_document(db, council, text, "https://t.invalid/plan.txt", title="Outreach plan")
    db.commit()
    after = client.get(url, headers={"If-None-Match": before.headers["ETag"]})
    assert soup(before).select(".result") == []
    assert after.status_code == 200 and len(soup(after).select(".result")) == 1


def test_failed_writes_do_not_count_and_reads_do_not_bump(db: Session) -> None:
    version = data_version(db)
    fictional_council(db)
    db.rollback()
    db.commit()
    assert data_version(db) == version


def test_campaigners_and_session_pages_bypass_the_cache(
    app: Flask, client: FlaskClient, auth: AuthActions, db: Session
) -> None:
    council = fictional_council(db)
    db.commit()
    url = f"/authorities/{council.slug}"
    public = client.get(url)
    auth.login_as()
    mine = client.get(url)
    assert mine.data != public.data  # campaigners see edit links; never a cached copy
    assert b"edit-link" in mine.data


class AboutThatWrites:
    """The about page's view, made to write something of the visitor's as it is drawn."""

    def __init__(self, about: Callable[[], Any], writes: str) -> None:
        update_wrapper(self, about)  # Flask-WTF looks views up by name
        self.about = about
        self.writes = writes
        self.drawn = 0

    def __call__(self) -> Response:
        self.drawn += 1
        if self.writes == "a flashed message":
            flash("Thank you for visiting (fictional).")
        response = make_response(self.about())
        if self.writes == "a CSRF token":
            response.headers["X-Token"] = generate_csrf()
        if self.writes == "a cookie":
            response.set_cookie("visitor", f"visitor-{self.drawn}")
        return response


@pytest.mark.parametrize(
    ("writes", "draws"),
    [("nothing", 1), ("a cookie", 2), ("a flashed message", 2), ("a CSRF token", 2)],
)
def test_a_public_page_that_writes_a_cookie_is_never_kept(
    app: Flask, db: Session, monkeypatch: pytest.MonkeyPatch, writes: str, draws: int
) -> None:
    """Kept, it would hand one visitor's cookie, message or token to everyone after them.

    The about page is cached (it draws once for two visitors when it writes nothing), so
    only the guard against pages that write can make it draw again.
    """
    view = AboutThatWrites(app.view_functions["pages.about"], writes)
    monkeypatch.setitem(app.view_functions, "pages.about", view)
    first, second = (app.test_client().get("/about") for _ in range(2))
    assert first.status_code == second.status_code == 200
    assert view.drawn == draws
    if writes == "a cookie":
        assert "visitor=visitor-2" in second.headers["Set-Cookie"]
    if writes == "a flashed message":
        assert "Thank you for visiting" in soup(second).select_one(".flash").text


def test_htmx_fragments_and_full_pages_are_cached_apart(client: FlaskClient) -> None:
    full = client.get("/candidates/?q=zzz")
    fragment = client.get("/candidates/?q=zzz", headers={"HX-Request": "true"})
    assert b"<html" in full.data and b"<html" not in fragment.data
    assert b"<html" not in client.get("/candidates/?q=zzz", headers={"HX-Request": "true"}).data


def test_a_download_streams_once_then_comes_from_memory(app: Flask, client: FlaskClient) -> None:
    url = "/authorities.csv?nation=England"  # sent in many pieces, kept whole
    first = client.get(url, buffered=False)
    assert first.is_streamed
    pieces = list(first.response)
    first.close()
    assert len(pieces) > 1
    with counted_queries(app) as statements:
        again = client.get(url)
    assert statements == [] and again.data == b"".join(pieces)  # the version's raw read only
    assert again.headers["Content-Disposition"] == first.headers["Content-Disposition"]
    assert first.headers["Content-Disposition"].startswith('attachment; filename="authorities-')
    unchanged = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert unchanged.status_code == 304


def test_a_download_dropped_midway_is_not_kept(app: Flask, client: FlaskClient) -> None:
    url = "/authorities.csv?nation=England"
    dropped = client.get(url, buffered=False)
    next(iter(dropped.response))
    dropped.close()
    with counted_queries(app) as statements:
        whole = client.get(url)
    assert len(statements) > 1  # drawn afresh: the half-sent copy was never stored
    assert whole.data.count(b"\n") > 300


def test_the_cache_keeps_to_its_byte_budget() -> None:
    cache = PageCache(max_bytes=100)
    for n in range(5):
        cache.put(f"page-{n}", Entry(1, b"x" * 30, 200, [], f"e{n}"))
    assert cache.size == 90
    assert cache.get("page-0", 1) is None and cache.get("page-1", 1) is None
    cache.put("page-2", Entry(1, b"y" * 10, 200, [], "e2"))  # replacing frees the old body
    assert cache.size == 70 and cache.get("page-4", 1) is not None
    cache.put("page-3", Entry(1, b"z" * 10, 200, [], "e3", gzipped=b"g" * 5))
    assert cache.size == 55  # the gzipped copy counts too


def test_pages_that_fill_the_budget_exactly_are_all_kept() -> None:
    cache = PageCache(max_bytes=60)
    cache.put("page-0", Entry(1, b"x" * 30, 200, [], "e0"))
    cache.put("page-1", Entry(1, b"x" * 20, 200, [], "e1", gzipped=b"g" * 10))
    assert cache.size == 60
    assert cache.get("page-0", 1) is not None and cache.get("page-1", 1) is not None


def test_a_page_drawn_before_the_latest_write_is_dropped() -> None:
    cache = PageCache()
    cache.put("page", Entry(1, b"x" * 30, 200, [], "e1"))
    assert cache.get("page", 2) is None
    assert cache.size == 0
    assert cache.get("page", 1) is None  # gone for good, not kept for an older version


def test_text_comes_from_the_cache_gzipped_to_clients_that_accept_it(
    client: FlaskClient,
) -> None:
    url = "/authorities/?nation=Wales"
    drawn = client.get(url)
    assert "Accept-Encoding" in varies(drawn)
    zipped = client.get(url, headers={"Accept-Encoding": "gzip, br"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == drawn.data
    assert len(zipped.data) < len(drawn.data) / 3
    # Another encoding of the same data: the same tag, weak (RFC 9110 section 8.8.3.3).
    assert zipped.headers["ETag"] == drawn.headers["ETag"] and drawn.headers["ETag"][:2] == "W/"
    assert "Accept-Encoding" in varies(zipped)
    assert "Content-Encoding" not in client.get(url).headers  # identity when not asked
    same = {"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]}
    unchanged = client.get(url, headers=same)
    assert unchanged.status_code == 304 and unchanged.headers["ETag"] == zipped.headers["ETag"]
    refused = client.get(url, headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in refused.headers and refused.data == drawn.data


def test_small_answers_are_not_gzipped(app: Flask, client: FlaskClient) -> None:
    url = "/api/v1/pledges?limit=1"
    assert client.get(url).status_code == 200  # kept: only a whole answer is
    with counted_queries(app) as statements:
        again = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert statements == []  # from the cache, where a large answer would have been gzipped
    assert len(again.data) < 1024 and "Content-Encoding" not in again.headers


@pytest.fixture
def by_versions(app: Flask, db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep pages by their versions alone, as production does, read in the test's transaction.

    The db fixture empties the cache on every flush, since a test's writes are never
    committed where `committed_versions` would see them; that hides which versions a write
    bumps. Here the cache is never emptied, and the versions are read where the test wrote.
    """
    monkeypatch.setattr(app.extensions["tracker.page_cache"], "clear", lambda: None)

    def versions(_database: object, rows: list[int]) -> tuple[int, ...]:
        stmt = select(SiteState.id, SiteState.data_version).where(col(SiteState.id).in_(rows))
        found = dict(db.exec(stmt).all())
        return tuple(found.get(row, 0) for row in rows)

    monkeypatch.setattr(page_cache, "committed_versions", versions)


def drawn_again(app: Flask, client: FlaskClient, url: str) -> bool:
    """Return whether asking for the page ran the view again, rather than coming from memory."""
    with counted_queries(app) as statements:
        assert client.get(url).status_code == 200
    return any("FROM sitestate" not in statement for statement in statements)  # not versions


def test_an_update_of_one_pledge_redraws_only_the_pages_showing_it(
    app: Flask, client: FlaskClient, db: Session, by_versions: None
) -> None:
    """A change to the internal note alone is an UPDATE with no event: it still counts."""
    council = fictional_council(db)
    edited, other = (candidate(db, name, council=council) for name in ("Edited One", "Other One"))
    pledge = record(db, pledge_of(db, "pathways-to-support", person=edited))
    db.commit()
    edited_url, other_url = (f"/api/v1/pledges?candidate={person.id}" for person in (edited, other))
    before = client.get(edited_url).get_json()
    other_page = f"/candidates/{other.id}-{other.slug}"  # scoped by its address, not a filter
    for url in (other_url, other_page):
        client.get(url)
    assert not drawn_again(app, client, edited_url)
    change = PledgeChange(
        PledgeStatus.PLEDGED,
        quote=pledge.quote,
        evidence_url=pledge.evidence_url,
        private_note="Chase in May.",
    )
    subject = Subject(person_id=edited.id)
    save_pledge(db, subject, pledge.recommendation_id, change, expected_version=pledge.version)
    db.commit()
    after = client.get(edited_url).get_json()
    assert after != before and str(pledge.version) in json.dumps(after)
    assert not drawn_again(app, client, other_url)
    assert not drawn_again(app, client, other_page)


def test_a_write_to_anything_but_pledges_redraws_every_page(
    app: Flask, client: FlaskClient, db: Session, by_versions: None
) -> None:
    council = fictional_council(db)
    db.commit()
    url = f"/authorities/{council.slug}"
    client.get(url)
    council.name = "Renamed Fictional Council"  # by the ORM
    db.commit()
    assert b"Renamed Fictional Council" in client.get(url).data
    db.exec(update(Authority).where(col(Authority.id) == council.id).values(name="Bulk Renamed"))
    db.commit()
    assert b"Bulk Renamed" in client.get(url).data


def test_using_an_api_token_keeps_every_page(
    app: Flask, client: FlaskClient, db: Session, auth: AuthActions, by_versions: None
) -> None:
    """No public page shows a token, so its last use (written on every API call) is no change."""
    token, _ = create_token(db, auth.user(), "Fictional tool")
    db.commit()
    url = "/authorities/?nation=Wales"
    client.get(url)
    token.last_used_at = datetime.now(UTC)
    db.commit()
    assert not drawn_again(app, client, url)


def test_an_update_is_pinned_to_the_one_pledge_its_where_clause_names() -> None:
    pledge_id, version = col(Pledge.id), col(Pledge.version)
    assert _pinned_pledge(update(Pledge).where(pledge_id == 7, version == 3)) == 7
    assert _pinned_pledge(update(Pledge).where(version == 3, pledge_id == 7)) == 7
    assert _pinned_pledge(update(Pledge).where(pledge_id == 7)) == 7
    assert _pinned_pledge(update(Pledge).where(version == 3)) is None
    assert _pinned_pledge(update(Pledge).where(pledge_id > 7)) is None
    assert _pinned_pledge(update(Pledge).where(col(Pledge.person_id) == 7)) is None
    assert _pinned_pledge(update(Pledge).values(note=None)) is None  # every pledge


def test_pages_go_to_redis_when_it_is_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under a prefix named for the database unless one is set, so sites never share pages."""
    monkeypatch.setattr(freshness, "init_app", lambda _app: None)
    url = "sqlite:///instance/fictional.db"
    extras: list[dict[str, str | None]] = [{}, {"PAGE_CACHE_PREFIX": "site-b"}, {"REDIS_URL": None}]
    apps = [Flask(__name__) for _ in extras]
    for app, extra in zip(apps, extras, strict=True):
        app.config.update({"DATABASE_URL": url, "REDIS_URL": "redis://127.0.0.1:6379/15", **extra})
        page_cache.init_app(app)
    named, chosen, memory = (app.extensions["tracker.page_cache"] for app in apps)
    assert isinstance(named, RedisPageCache) and isinstance(chosen, RedisPageCache)
    assert named.prefix == f"tracker:pages:{hashlib.sha256(url.encode()).hexdigest()[:16]}:"
    assert chosen.prefix == "site-b:"
    # A Redis that stops answering holds a page up a second at most, then it is drawn.
    assert 0 < named.redis.connection_pool.connection_kwargs["socket_timeout"] <= 1
    assert isinstance(memory, PageCache)


def test_a_campaigners_page_is_never_kept_for_the_public(
    app: Flask, client: FlaskClient, auth: AuthActions, db: Session
) -> None:
    council = fictional_council(db)
    db.commit()
    url = f"/authorities/{council.slug}"
    auth.login_as()
    assert b"edit-link" in client.get(url).data
    assert b"edit-link" not in app.test_client().get(url).data


def test_head_requests_and_pledge_histories_come_from_memory(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    council = fictional_council(db)
    pledge = record(db, pledge_of(db, "pathways-to-support", authority_row=council))
    db.commit()
    for url in (f"/authorities/{council.slug}", f"/pledges/{pledge.id}/history"):
        client.get(url)
        with counted_queries(app) as statements:
            assert client.head(url).status_code == 200
            assert client.get(url).status_code == 200
        assert statements == [], url


def test_a_failed_drawing_is_not_kept(
    app: Flask, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A moment's trouble (here a 503) must not be what every visitor sees until a write."""
    about = app.view_functions["pages.about"]
    answers = iter([("Busy, try again (fictional).", 503)])
    monkeypatch.setitem(app.view_functions, "pages.about", lambda: next(answers, None) or about())
    update_wrapper(app.view_functions["pages.about"], about)
    client = app.test_client()
    assert client.get("/about").status_code == 503
    assert client.get("/about").status_code == 200


def test_a_page_from_memory_carries_one_entity_tag(client: FlaskClient) -> None:
    """The kept headers lose the drawn tag: the one sent is chosen for the encoding asked."""
    for url in ("/authorities/?nation=Wales", "/api/v1/recommendations"):
        client.get(url)
        for encoding in ("identity", "gzip"):
            again = client.get(url, headers={"Accept-Encoding": encoding})
            assert again.headers.getlist("ETag") == [again.headers["ETag"]], (url, encoding)


def test_a_strong_tag_turns_weak_on_the_gzipped_copy(client: FlaskClient) -> None:
    """The API's own tag is strong; its gzipped bytes differ, so their tag must be weak."""
    url = "/api/v1/recommendations"
    drawn = client.get(url)
    assert not drawn.headers["ETag"].startswith("W/")
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert zipped.headers["ETag"] == "W/" + drawn.headers["ETag"]
    assert client.get(url).headers["ETag"] == drawn.headers["ETag"]  # identity: still strong


class Chunks:
    """A streamed body in pieces, noting whether the server closed it."""

    def __init__(self, pieces: list[bytes]) -> None:
        self.pieces = pieces
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.pieces)

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize(
    ("sizes", "kept"),
    [([40, 60], True), ([40, 61], False), ([30, 30, 30, 30], False), ([100], True)],
)
def test_a_stream_is_kept_only_up_to_the_largest_body(
    app: Flask, db: Session, monkeypatch: pytest.MonkeyPatch, sizes: list[int], kept: bool
) -> None:
    monkeypatch.setattr(page_cache, "MAX_BODY", 100)
    streams: list[Chunks] = []

    def about() -> Response:
        streams.append(Chunks([b"x" * size for size in sizes]))
        return Response(streams[-1], mimetype="text/plain")

    update_wrapper(about, app.view_functions["pages.about"])
    monkeypatch.setitem(app.view_functions, "pages.about", about)
    client = app.test_client()
    assert [client.get("/about").data for _ in range(2)] == [b"x" * sum(sizes)] * 2
    assert len(streams) == (1 if kept else 2)


@pytest.mark.parametrize(("size", "kept"), [(100, True), (101, False)])
def test_a_page_is_kept_only_up_to_the_largest_body(
    app: Flask, db: Session, monkeypatch: pytest.MonkeyPatch, size: int, kept: bool
) -> None:
    monkeypatch.setattr(page_cache, "MAX_BODY", 100)
    view = AboutThatWrites(lambda: "x" * size, "nothing")
    monkeypatch.setitem(app.view_functions, "pages.about", view)
    client = app.test_client()
    assert client.get("/about").data == client.get("/about").data == b"x" * size
    assert view.drawn == (1 if kept else 2)


def test_a_streamed_answer_to_head_is_closed(
    app: Flask, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HEAD sends no body, so nothing reads the stream: closing it frees its connection."""
    stream = Chunks([b"x" * 10])
    about = app.view_functions["pages.about"]
    monkeypatch.setitem(
        app.view_functions, "pages.about", lambda: Response(stream, mimetype="text/plain")
    )
    update_wrapper(app.view_functions["pages.about"], about)
    app.test_client().head("/about").close()
    assert stream.closed


@pytest.mark.parametrize("old", [None, 1, VERSIONS], ids=["first", "lowest", "highest"])
@pytest.mark.parametrize(
    "drawn",
    [lambda n: 0, lambda n: 1, lambda n: n - 2, lambda n: n - 1],
    ids=["step 1", "step 2", "step -2", "step -1"],
)
def test_a_bump_names_a_new_version_in_range_whatever_the_step(
    db: Session, monkeypatch: pytest.MonkeyPatch, old: int | None, drawn: Callable[[int], int]
) -> None:
    """A version equal to the old one would keep stale pages; one out of range, break reads."""
    monkeypatch.setattr(freshness.secrets, "randbelow", drawn)
    db.exec(delete(SiteState).where(col(SiteState.id) == EVERYTHING))
    if old is not None:
        db.add(SiteState(id=EVERYTHING, data_version=old))
    fictional_council(db)  # a write that is not a pledge's: EVERYTHING is bumped
    db.commit()
    version = data_version(db)
    assert isinstance(version, int) and 1 <= version <= VERSIONS and version != old
