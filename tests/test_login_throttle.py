"""Both failure stores count, forget and clear alike: Redis (real, on loopback) and SQLite."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tracker.login_throttle import (
    Failures,
    FailureStore,
    LoginThrottle,
    Policy,
    RedisFailureStore,
    SqliteFailureStore,
    parse_limit,
)

REDIS = "redis://127.0.0.1:6379/0"
POLICY = Policy(
    free_failures=2,
    delay_max=8.0,
    forget_after=3600.0,
    address_limit=(50, 900.0),
    account_limit=(50, 3600.0),
)


@pytest.fixture(params=["sqlite", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FailureStore]:
    if request.param == "sqlite":
        yield SqliteFailureStore(tmp_path / "failures.db")
        return
    redis_store = RedisFailureStore(REDIS)
    redis_store.PREFIX = f"test:{uuid.uuid4().hex}:"  # this test's own keys only
    yield redis_store
    redis_store.clear_all()


def test_failures_are_counted_forgotten_and_cleared(store: FailureStore) -> None:
    now = time.time()
    store.add("a", now, 60)
    store.add("a", now + 1, 60)
    assert store.get("a") == Failures(2, now + 1)
    store.add("brief", now, 1)
    time.sleep(1.2)
    assert store.get("brief") is None  # forgotten a second after its last failure
    again = time.time()
    store.add("brief", again, 60)
    assert store.get("brief") == Failures(1, again)
    store.clear("a")
    assert store.get("a") is None and store.get("brief") is not None
    store.clear_all()
    assert store.get("brief") is None


def test_the_delay_doubles_up_to_its_cap(store: FailureStore) -> None:
    throttle = LoginThrottle(store, POLICY)
    now = time.time()
    waits = []
    for n in range(7):
        throttle.failed("x@example.org", "192.0.2.5", now + n)
        waits.append(throttle.wait("x@example.org", "192.0.2.5", now + n))
    assert waits == [0.0, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert throttle.wait("x@example.org", "192.0.2.6", now) == 0.0


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("20 per 15 minutes", (20, 900.0)), ("100/hour", (100, 3600.0)), ("5 per day", (5, 86400.0))],
)
def test_limits_are_read_as_written(text: str, parsed: tuple[int, float]) -> None:
    assert parse_limit(text) == parsed


def test_an_unreadable_limit_says_so() -> None:
    with pytest.raises(ValueError, match="'twenty a minute' is not a limit"):
        parse_limit("twenty a minute")
