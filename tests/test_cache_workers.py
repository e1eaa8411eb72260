"""Caches that hold across workers: two apps on one committed database, as two workers are.

The suite's usual fixture never commits, so it cannot show what one worker learns of
another's write; these tests commit for real, on a database of their own.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session

from tests.databases import fresh_database, suite_backend
from tests.factories import candidate, pledge_of, record
from tracker import create_app, migrate
from tracker.db import EXTENSION, Database
from tracker.imports.authorities import import_authorities
from tracker.models import PledgeStatus

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


def _worker(url: str) -> Flask:
    """Build one app on `url`, with its own page cache, as one gunicorn worker has."""
    return create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test"})


@pytest.fixture
def workers(shared_url: str) -> Iterator[tuple[Flask, Flask]]:
    """Two apps on the shared database; their connections close afterwards."""
    apps = (_worker(shared_url), _worker(shared_url))
    yield apps
    for app in apps:
        app.extensions[EXTENSION].engine.dispose()


def _commit_pledge(app: Flask, name: str, status: PledgeStatus) -> None:
    """Record a fictional candidate's answer through `app`'s own sessions, and commit."""
    session: Session = app.extensions[EXTENSION].session()
    with session:
        person = candidate(session, name)
        record(session, pledge_of(session, "pathways-to-support", person=person), status)
        session.commit()


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
    assert given == [(tag, None), ("W/" + tag, "gzip"), (tag, None), (tag, None)]
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
