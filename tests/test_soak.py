"""The soak, short: every public URL under load while a campaigner writes through the API.

`make soak` runs `bench.soak` for 30 s without writes and 30 s with one write a second,
at 64 connections on the national-scale dataset; here the same checks run for 4 s each on
a small fictional dataset, on the database this run of the suite uses: gunicorn with two
workers keeping pages in Redis, wrk walking every page type, feed and download, one
writer recording and changing fictional candidates' answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.fiction import Scale
from bench.make_dataset import build
from bench.soak import soak
from tests.databases import fresh_database, suite_backend

REDIS_URL = "redis://127.0.0.1:6379/14"  # not the jobs tests' database 15, which they empty
SMALL = Scale(
    candidates=300,
    ballots=60,
    pledges=900,
    events=2_000,
    documents=40,
    matches=200,
    fictional_authorities=5,
    unanswered=10,
)


@pytest.fixture
def soak_url(tmp_path: Path) -> Iterator[str]:
    """A small fictional dataset in a database of its own."""
    database = fresh_database(suite_backend(), "soak", tmp_path)
    url = next(database)
    build(url, scale=SMALL, seed=1)
    yield url
    next(database, None)


def test_under_load_every_answer_succeeds_and_no_write_is_lost(soak_url: str) -> None:
    outcome = soak(soak_url, seconds=4, connections=16, workers=2, redis_url=REDIS_URL)

    # The invariants; the read rate with writes against RATIO_GOAL is `make soak`'s to judge
    # on the national dataset (a few seconds on two shared cores cannot measure it fairly).
    assert outcome.problems(ratio_goal=0.0) == []
    assert outcome.requests > 100 and outcome.quiet_requests > 100 and outcome.ratio > 0
    assert outcome.acknowledged >= 2  # one a second at most; fewer when the queue is long
    assert (outcome.server_errors, outcome.other_errors, outcome.lost) == (0, 0, [])
    assert outcome.stale == []  # each write showed at once on the candidate's page and feed
    assert outcome.memory_mb, "the server's memory was sampled"
    assert outcome.memory_flat
