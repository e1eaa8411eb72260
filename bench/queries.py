"""How many SQL queries each public URL runs on the national dataset, and the N+1 test.

The test (`tests/test_query_counts.py`) proves on a handful of rows that no page's query
count grows with the rows it shows; this prints the counts at national scale, where a
page shows 50 rows of 12,000, so the two can be compared: they should be the same.
Run: `python -m bench.queries`.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence

from bench import make_dataset
from bench.output import say
from bench.pages import pick_subjects, public_targets
from bench.servers import ROOT
from tests.sql import counted_queries
from tracker import create_app
from tracker.db import EXTENSION


def main(argv: Sequence[str] | None = None) -> int:
    """Print each URL's query count on the national dataset, then run the N+1 test."""
    url = (list(argv or sys.argv[1:]) or [make_dataset.default_url()])[0]
    make_dataset.ensure(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "benchmark-only-secret"})
    client = app.test_client()
    say(f"{'URL type':<26} {'SELECTs':>7}  URL")
    for target in public_targets(pick_subjects(url)):
        headers = {}
        if target.conditional:
            headers["If-None-Match"] = client.get(target.path).headers.get("ETag", "")
        with counted_queries(app) as statements:
            response = client.get(target.path, headers=headers)
            response.get_data()
        say(f"{target.name:<26} {len(statements):>7}  {target.path} ({response.status_code})")
    app.extensions[EXTENSION].engine.dispose()
    say()
    test = subprocess.run(  # noqa: S603 - our own test suite
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_query_counts.py",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    last = test.stdout.strip().splitlines()[-1:] or ["(no output)"]
    say(f"tests/test_query_counts.py (N vs 3N rows, bounded): {last[0]}")
    return test.returncode


if __name__ == "__main__":
    sys.exit(main())
