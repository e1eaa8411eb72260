"""Slow down password guessing without letting anyone lock a campaigner out.

Three counts of failed sign-ins are kept, each forgotten a while after its last failure:

- per account *and* address: after `LOGIN_FREE_FAILURES` failures, each further attempt
  from that address at that account waits twice as long as the last (1 s, 2 s, 4 s, …, up
  to `LOGIN_DELAY_MAX`). A stranger's failures never delay the campaigner's own address.
- per address (`LOGIN_LIMIT_ADDRESS`): a flood from one address gets 429 for a while.
- per account (`LOGIN_LIMIT_ACCOUNT`): a flood at one account from many addresses gets 429.
  Its default is high, because it is the one count a stranger can use against a campaigner.

Every refusal is a 429 with `Retry-After`, decided before the password is checked. The counts
live where every worker sees them: in Redis when `REDIS_URL` is set (several machines), else
in a SQLite file in the instance folder (several workers on one machine). Per-process memory
would multiply every limit by the number of workers.
"""

from __future__ import annotations

import math
import re
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from redis import Redis

from tracker.db import create_private

_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_LIMIT = re.compile(r"^\s*(\d+)\s*(?:/|per)\s*(\d+)?\s*(second|minute|hour|day)s?\s*$")


@dataclass(frozen=True)
class Failures:
    """How many failures a key has had, and when the last one was (epoch seconds)."""

    count: int
    last: float


class FailureStore(Protocol):
    """Where failure counts live; every worker must see the same store."""

    def get(self, key: str) -> Failures | None:
        """Return the key's failures, or None once they are forgotten."""
        ...

    def add(self, key: str, now: float, forget_after: float) -> None:
        """Count one more failure, forgotten `forget_after` seconds after this one."""
        ...

    def clear(self, key: str) -> None:
        """Forget a key's failures."""
        ...

    def clear_all(self) -> None:
        """Forget every failure."""
        ...


class SqliteFailureStore:
    """Failure counts in a SQLite file: shared by every worker on this machine.

    Each call opens its own short connection, so a worker never holds a lock between calls.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        create_private(path)  # it holds email addresses
        with self._connect() as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS failure (key TEXT PRIMARY KEY, "
                "count INTEGER NOT NULL, last REAL NOT NULL, expires REAL NOT NULL)"
            )

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=5, isolation_level="IMMEDIATE")

    def get(self, key: str) -> Failures | None:
        """Return the key's failures, or None once they are forgotten."""
        conn = self._connect()
        try:
            row = conn.execute(
                "SELECT count, last FROM failure WHERE key = ? AND expires > ?",
                (key, time.time()),
            ).fetchone()
        finally:
            conn.close()
        return Failures(int(row[0]), float(row[1])) if row else None

    def add(self, key: str, now: float, forget_after: float) -> None:
        """Count one more failure, starting again from one if the old ones are forgotten."""
        conn = self._connect()
        try:
            with conn:
                conn.execute(
                    "INSERT INTO failure (key, count, last, expires) VALUES (?, 1, ?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET "
                    "count = CASE WHEN expires > excluded.last THEN count + 1 ELSE 1 END, "
                    "last = excluded.last, expires = excluded.expires",
                    (key, now, now + forget_after),
                )
                conn.execute("DELETE FROM failure WHERE expires <= ?", (now,))
        finally:
            conn.close()

    def clear(self, key: str) -> None:
        """Forget a key's failures."""
        self._delete("DELETE FROM failure WHERE key = ?", (key,))

    def clear_all(self) -> None:
        """Forget every failure."""
        self._delete("DELETE FROM failure", ())

    def _delete(self, sql: str, params: tuple[str, ...]) -> None:
        conn = self._connect()
        try:
            with conn:
                conn.execute(sql, params)
        finally:
            conn.close()


class RedisFailureStore:
    """Failure counts in Redis: shared by every worker on every machine."""

    PREFIX = "tracker:login-failures:"

    def __init__(self, url: str) -> None:
        self.redis = Redis.from_url(url)

    def get(self, key: str) -> Failures | None:
        """Return the key's failures, or None once Redis has expired them."""
        found = self.redis.hgetall(self.PREFIX + key)
        if not found:
            return None
        return Failures(int(found[b"count"]), float(found[b"last"]))

    def add(self, key: str, now: float, forget_after: float) -> None:
        """Count one more failure in one atomic step, expiring with the newest."""
        name = self.PREFIX + key
        with self.redis.pipeline() as pipe:  # MULTI/EXEC
            pipe.hincrby(name, "count", 1)
            pipe.hset(name, "last", repr(now))
            pipe.expire(name, math.ceil(forget_after))
            pipe.execute()

    def clear(self, key: str) -> None:
        """Forget a key's failures."""
        self.redis.delete(self.PREFIX + key)

    def clear_all(self) -> None:
        """Forget every failure."""
        for name in self.redis.scan_iter(match=self.PREFIX + "*"):
            self.redis.delete(name)


def parse_limit(text: str) -> tuple[int, float]:
    """Read "20 per 15 minutes" (or "100/hour") as (count, seconds)."""
    found = _LIMIT.match(text)
    if found is None:
        raise ValueError(f"{text!r} is not a limit like '20 per 15 minutes'")
    count, amount, unit = found.groups()
    return int(count), int(amount or 1) * float(_UNITS[unit])


@dataclass(frozen=True)
class Policy:
    """The limits, read from the app's settings."""

    free_failures: int
    delay_max: float
    forget_after: float
    address_limit: tuple[int, float]
    account_limit: tuple[int, float]

    @classmethod
    def from_config(cls, config: dict[str, object]) -> Policy:
        """Read the policy from LOGIN_* settings."""
        return cls(
            free_failures=int(str(config["LOGIN_FREE_FAILURES"])),
            delay_max=float(str(config["LOGIN_DELAY_MAX"])),
            forget_after=float(str(config["LOGIN_FORGET_AFTER"])),
            address_limit=parse_limit(str(config["LOGIN_LIMIT_ADDRESS"])),
            account_limit=parse_limit(str(config["LOGIN_LIMIT_ACCOUNT"])),
        )


class LoginThrottle:
    """Decide whether a sign-in may be tried now, and count the ones that fail."""

    def __init__(self, store: FailureStore, policy: Policy) -> None:
        self.store = store
        self.policy = policy

    def wait(self, account: str, address: str, now: float | None = None) -> float:
        """Return the seconds this address must wait before trying this account (0: now)."""
        now = time.time() if now is None else now
        waits = [0.0]
        pair = self.store.get(_pair(account, address))
        if pair is not None and pair.count >= self.policy.free_failures:
            waits.append(pair.last + self._delay(pair.count) - now)
        for key, (limit, window) in (
            (_address(address), self.policy.address_limit),
            (_account(account), self.policy.account_limit),
        ):
            flood = self.store.get(key)
            if flood is not None and flood.count >= limit:
                waits.append(flood.last + window - now)
        return max(waits)

    def failed(self, account: str, address: str, now: float | None = None) -> None:
        """Count a failed sign-in against the pair, the address and the account."""
        now = time.time() if now is None else now
        pair_memory = max(self.policy.forget_after, self.policy.delay_max)
        self.store.add(_pair(account, address), now, pair_memory)
        self.store.add(_address(address), now, self.policy.address_limit[1])
        self.store.add(_account(account), now, self.policy.account_limit[1])

    def succeeded(self, account: str, address: str) -> None:
        """Forget the pair's failures: the campaigner has shown they know the password."""
        self.store.clear(_pair(account, address))

    def _delay(self, count: int) -> float:
        """Return the wait after `count` failures: doubling from 1 s, capped."""
        doublings = min(count - self.policy.free_failures, 32)
        return float(min(2.0**doublings, self.policy.delay_max))


def _pair(account: str, address: str) -> str:
    return f"pair:{account}|{address}"


def _address(address: str) -> str:
    return f"address:{address}"


def _account(account: str) -> str:
    return f"account:{account}"


def spend(
    store: FailureStore, key: str, limit: tuple[int, float], now: float | None = None
) -> float:
    """Count one use of a limited action; return the seconds to wait (0: allowed, counted).

    For other actions one client must not flood (answers given through a pledge link),
    kept in the same shared store as sign-in failures, so every worker sees one count.
    """
    now = time.time() if now is None else now
    count, window = limit
    used = store.get(key)
    if used is not None and used.count >= count:
        return max(used.last + window - now, 1.0)
    store.add(key, now, window)
    return 0.0


def build_store(redis_url: str | None, instance: Path) -> FailureStore:
    """Return the store every worker of this deployment shares."""
    if redis_url:
        return RedisFailureStore(redis_url)
    return SqliteFailureStore(instance / "login-failures.db")
