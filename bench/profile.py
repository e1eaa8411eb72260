"""Where each public URL spends its time on the national dataset: SQL, by statement, or Python.

For every URL of the load benchmark it times a few requests through the app (after one
warm-up request), splits the time between SQL statements and everything else (templates,
feed building, serialisation), and names the slowest statement. "SQL" is the time spent in
the driver's execute: on SQLite that covers computing an aggregate or a sort, but rows
fetched afterwards (and turned into objects) count as "other". With `--pyinstrument` it
also prints a call-tree profile of the slowest URLs. Not part of `python -m bench`; run it
after changing a page: `python -m bench.profile [--pyinstrument 3]`.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from flask import Flask
from sqlalchemy import event

from bench import make_dataset
from bench.output import say
from bench.pages import Target, pick_subjects, public_targets
from tracker import create_app
from tracker.db import EXTENSION

REQUESTS = 5


class SqlClock:
    """Time every statement the engine runs, keyed by its text."""

    def __init__(self, app: Flask) -> None:
        self.engine = app.extensions[EXTENSION].engine
        self.seconds: dict[str, float] = defaultdict(float)
        self._started: list[float] = []
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)

    def _before(self, *_: Any) -> None:
        self._started.append(time.perf_counter())

    def _after(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.seconds[statement] += time.perf_counter() - self._started.pop()

    def reset(self) -> None:
        """Forget the statements timed so far."""
        self.seconds.clear()


def main(argv: Sequence[str] | None = None) -> int:
    """Print the time split of every public URL, and optionally their call trees."""
    parser = argparse.ArgumentParser(description="profile the public URLs")
    parser.add_argument("--database-url", default=make_dataset.default_url())
    parser.add_argument("--pyinstrument", type=int, default=0, metavar="N")
    args = parser.parse_args(argv)
    make_dataset.ensure(args.database_url)
    app = create_app({"DATABASE_URL": args.database_url, "SECRET_KEY": "benchmark-only-secret"})
    clock = SqlClock(app)
    client = app.test_client()
    timings = []
    say(f"{'URL type':<26} {'ms/req':>7} {'SQL ms':>7} {'other':>7}  slowest statement (ms/req)")
    for target in public_targets(pick_subjects(args.database_url)):
        headers = _headers(client, target)
        clock.reset()
        started = time.perf_counter()
        for _ in range(REQUESTS):
            client.get(target.path, headers=headers).get_data()
        total = (time.perf_counter() - started) / REQUESTS * 1e3
        sql = sum(clock.seconds.values()) / REQUESTS * 1e3
        slowest = max(clock.seconds.items(), key=lambda item: item[1], default=("", 0.0))
        say(
            f"{target.name:<26} {total:7.1f} {sql:7.1f} {total - sql:7.1f}  "
            f"{slowest[1] / REQUESTS * 1e3:6.1f}  {_shorten(slowest[0])}"
        )
        timings.append((total, target, headers))
    for _, target, headers in sorted(timings, key=lambda t: -t[0])[: args.pyinstrument]:
        _call_tree(client, target, headers)
    return 0


def _headers(client: Any, target: Target) -> dict[str, str]:
    """Warm the URL up; for a conditional one, return the If-None-Match to send."""
    first = client.get(target.path)
    first.get_data()
    return {"If-None-Match": first.headers.get("ETag", "")} if target.conditional else {}


def _shorten(statement: str) -> str:
    """Return a statement on one line, cut to a readable length."""
    return re.sub(r"\s+", " ", statement)[:160]


def _call_tree(client: Any, target: Target, headers: dict[str, str]) -> None:
    """Print pyinstrument's call tree for a few requests of one URL."""
    from pyinstrument import Profiler  # noqa: PLC0415 - an optional extra for this script

    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(REQUESTS):
        client.get(target.path, headers=headers).get_data()
    profiler.stop()
    say()
    say(f"== {target.name}: {target.path}")
    say(profiler.output_text(unicode=False, color=False, show_all=False))


if __name__ == "__main__":
    sys.exit(main())
