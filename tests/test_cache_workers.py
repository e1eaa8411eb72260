"""Caches that hold across workers: two apps on one committed database, as two workers are.

The suite's usual fixture never commits, so it cannot show what one worker learns of
another's write; these tests commit for real, on a database of their own.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlmodel import Session, select

from tests.databases import fresh_database, suite_backend
from tests.factories import SHEFFIELD, authority, candidate, pledge_of, record
from tests.sql import counted_queries
from tracker import create_app, migrate
from tracker.db import EXTENSION, Database
from tracker.imports.authorities import import_authorities
from tracker.models import Party, Person, PledgeStatus
from tracker.page_store import Entry, RedisPageCache

KENT = "E10000016"
# Not the jobs tests' database 15, which they empty; each test has a prefix of its own.
REDIS_URL = "redis://127.0.0.1:6379/14"
PAGES = "tracker.page_cache"
GZIP = {"Accept-Encoding": "gzip"}
IDENTITY: dict[str, str] = {}


@pytest.fixture(scope="module")
def shared_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database with the real authorities, committed, for this module alone."""
    database = fresh_database(suite_backend(), "cache_workers", tmp_path_factory.mktemp("cw"))
    url = next(database)
    migrate.upgrade(url)
    setup = Database(url)
    with setup.session() as session:
        import_authorities(session)
        session.commit()
    setup.engine.dispose()
    yield url
    next(database, None)


def _worker(url: str, redis_prefix: str | None = None) -> Flask:
    """Build one app on `url`, as one gunicorn worker: pages in its memory, or in Redis."""
    settings = {"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test", "REDIS_URL": None}
    if redis_prefix is not None:
        settings |= {"REDIS_URL": REDIS_URL, "PAGE_CACHE_PREFIX": redis_prefix}
    return create_app(settings)


@pytest.fixture(params=["memory", "redis"])
def workers(request: pytest.FixtureRequest, shared_url: str) -> Iterator[tuple[Flask, Flask]]:
    """Two apps on the shared database, keeping pages in memory each or in one Redis."""
    prefix = f"test-pages-{uuid.uuid4().hex}" if request.param == "redis" else None
    apps = (_worker(shared_url, prefix), _worker(shared_url, prefix))
    yield apps
    apps[0].extensions[PAGES].clear()
    for app in apps:
        app.extensions[EXTENSION].engine.dispose()


def _commit_pledge(app: Flask, name: str, status: PledgeStatus) -> None:
    """Record a fictional candidate's answer through `app`'s own sessions, and commit."""
    session: Session = app.extensions[EXTENSION].session()
    with session:
        person = candidate(session, name)
        record(session, pledge_of(session, "pathways-to-support", person=person), status)
        session.commit()


def _tag(client: FlaskClient, url: str) -> str:
    """GET `url` in full (a download is kept once it has all been sent); return its ETag."""
    response = client.get(url)
    assert response.status_code == 200 and response.data
    return response.headers["ETag"]


def _poll(client: FlaskClient, url: str, headers: dict[str, str], etag: str) -> int:
    """Return the status of a conditional GET sending `etag`."""
    return client.get(url, headers={**headers, "If-None-Match": etag}).status_code


def test_a_feed_polled_with_any_tag_it_was_given_answers_304_from_either_worker(
    workers: tuple[Flask, Flask],
) -> None:
    first, second = workers
    _commit_pledge(first, "Polly Feedreader (fictional)", PledgeStatus.PLEDGED)
    url = "/feeds/updates.rss"
    one, two = first.test_client(), second.test_client()
    given = []
    # Cold and warm, identity and gzip: every way a reader can first meet the feed.
    for client, headers in ((one, IDENTITY), (one, GZIP), (two, GZIP), (two, IDENTITY)):
        response = client.get(url, headers=headers)
        assert response.status_code == 200
        given.append((response.headers["ETag"], response.headers.get("Content-Encoding")))
    tag = given[0][0]
    assert tag[:1] == '"'  # the feed's own tag, strong, for the bytes as drawn
    assert ("W/" + tag, "gzip") in given  # from a warm cache
    assert all(etag == ("W/" + tag if gzipped else tag) for etag, gzipped in given)
    for etag in (tag, "W/" + tag):
        for client in (one, two):
            assert _poll(client, url, IDENTITY, etag) == 304
            assert _poll(client, url, GZIP, etag) == 304

    _commit_pledge(second, "Polly Feedreader (fictional)", PledgeStatus.PARTIAL)
    for etag in (tag, "W/" + tag):
        for client in (one, two):  # each worker sees the other's write: never stale
            assert _poll(client, url, IDENTITY, etag) == 200
            assert _poll(client, url, GZIP, etag) == 200


def test_a_page_has_one_tag_whichever_worker_draws_it(workers: tuple[Flask, Flask]) -> None:
    first, second = workers
    url = "/authorities/?nation=Wales"
    drawn = first.test_client().get(url)
    from_cache = first.test_client().get(url, headers=GZIP)
    elsewhere = second.test_client().get(url)
    assert from_cache.headers["Content-Encoding"] == "gzip"
    assert drawn.headers["ETag"] == from_cache.headers["ETag"] == elsewhere.headers["ETag"]
    assert drawn.headers["ETag"].startswith('W/"')


def _stand(app: Flask, name: str, gss_code: str, party: str) -> tuple[Person, str, str]:
    """Commit a fictional candidate standing for a party; return them, the party's and
    the authority's slugs."""
    session: Session = app.extensions[EXTENSION].session()
    with session:
        person = candidate(
            session, name, gss_code=gss_code, party=(f"fictional-party:{party}", party)
        )
        session.commit()
        party_slug = session.exec(select(Party.slug).where(Party.name == party)).one()
        return person, party_slug, authority(session, gss_code).slug


def _record(app: Flask, person: Person, status: PledgeStatus) -> None:
    """Commit an answer of `person` on one recommendation, through `app`'s sessions."""
    session: Session = app.extensions[EXTENSION].session()
    with session:
        record(session, pledge_of(session, "pathways-to-support", person=person), status)
        session.commit()


@pytest.mark.parametrize("changed", [False, True], ids=["first answer", "changed answer"])
def test_a_sheffield_answer_makes_stale_only_the_pages_that_show_it(
    workers: tuple[Flask, Flask], changed: bool
) -> None:
    """A first answer is an INSERT of the ORM; a change is the version-checked UPDATE."""
    first, second = workers
    near, near_party, sheffield = _stand(
        first, "Sheila Steel (fictional)", SHEFFIELD, "Forge Party (fictional)"
    )
    if changed:
        _record(second, near, PledgeStatus.DECLINED)
    far, far_party, kent = _stand(first, "Kit Hop (fictional)", KENT, "Oast Party (fictional)")
    showing_it = [
        f"/candidates/{near.id}-{near.slug}",
        f"/authorities/{sheffield}",
        f"/parties/{near_party}",
        f"/candidates/?authority={sheffield}",  # its wards' candidates, listed
        f"/pledges.csv?authority={SHEFFIELD}",  # named by its GSS code
        f"/api/v1/pledges?party={near_party}",
        "/recommendations/pathways-to-support",
        "/",
        "/feeds/updates.atom",
        f"/feeds/candidates/{near.id}.atom",
    ]
    not_showing_it = [
        f"/candidates/{far.id}-{far.slug}",
        f"/authorities/{kent}",
        f"/parties/{far_party}",
        f"/feeds/authorities/{kent}.atom",
        f"/badges/{far.id}.svg",
        f"/pledges.csv?authority={KENT}",
        f"/candidates/?party={far_party}",
    ]
    reader = first.test_client()
    tags = {url: _tag(reader, url) for url in showing_it + not_showing_it}

    _record(second, near, PledgeStatus.PLEDGED)  # written through the other worker

    stale = [url for url in tags if _poll(reader, url, IDENTITY, tags[url]) == 200]
    assert stale == showing_it
    page = reader.get(showing_it[0])
    assert b"We will make this a priority." in page.data  # drawn afresh, never stale


def test_a_write_the_cache_cannot_place_makes_every_page_stale(
    workers: tuple[Flask, Flask],
) -> None:
    first, second = workers
    far, _, kent = _stand(first, "Kay Weald (fictional)", KENT, "Weald Party (fictional)")
    reader = first.test_client()
    urls = [f"/candidates/{far.id}-{far.slug}", f"/authorities/{kent}"]
    tags = {url: _tag(reader, url) for url in urls}
    _stand(second, "Sam Other (fictional)", SHEFFIELD, "Forge Party (fictional)")
    assert [_poll(reader, url, IDENTITY, tags[url]) for url in urls] == [200, 200]


def test_with_redis_a_page_is_drawn_once_for_every_worker(shared_url: str) -> None:
    prefix = f"test-pages-{uuid.uuid4().hex}"
    first, second = _worker(shared_url, prefix), _worker(shared_url, prefix)
    try:
        person, _, _ = _stand(first, "Dee Rawn (fictional)", KENT, "Oast Party (fictional)")
        url = f"/candidates/{person.id}-{person.slug}"
        drawn = first.test_client().get(url)
        with counted_queries(second) as statements:
            shared = second.test_client().get(url)
        assert statements == []  # not drawn again: only the versions' raw read
        assert shared.data == drawn.data and shared.headers["ETag"] == drawn.headers["ETag"]
        _record(first, person, PledgeStatus.DECLINED)
        after = second.test_client().get(url)
        assert after.data != drawn.data and b"Declined" in after.data  # never stale
    finally:
        first.extensions[PAGES].clear()
        for app in (first, second):
            app.extensions[EXTENSION].engine.dispose()


def test_a_worker_waits_for_the_drawing_another_has_claimed() -> None:
    prefix = f"test-pages-{uuid.uuid4().hex}:"
    drawer, waiter = (RedisPageCache(Redis.from_url(REDIS_URL), prefix) for _ in range(2))
    version = (7, 8)
    assert drawer.claim("page", version, wait_s=1.0) is None  # first: draw it
    found: list[Entry | None] = []
    waiting = threading.Thread(target=lambda: found.append(waiter.claim("page", version, wait_s=5)))
    waiting.start()
    time.sleep(0.3)  # the waiter finds the claim taken, and waits
    drawer.put("page", Entry(version, b"drawn once", 200, [("X-Test", "1")], "tag"))
    waiting.join(timeout=10)
    assert found and found[0] is not None and found[0].body == b"drawn once"
    assert waiter.claim("page", (7, 9), wait_s=1.0) is None  # another state: draw that too
    drawer.clear()


def test_pages_are_drawn_when_redis_is_down(
    shared_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = _worker(shared_url, "test-pages-unreachable")
    app.extensions[PAGES].redis = Redis.from_url("redis://127.0.0.1:1/0", socket_timeout=0.5)
    try:
        assert app.test_client().get("/authorities/?nation=Wales").status_code == 200
        assert "Redis unavailable" in caplog.text
    finally:
        app.extensions[EXTENSION].engine.dispose()
