"""Run every benchmark in turn and print all their tables: `python -m bench` (`make bench`).

1. pages under load against /healthz, with the edit-shows-at-once check (`bench.pages`)
2. our candidate list against Datasette on the same file (`bench.peer`)
3. SQL queries per page at national scale, and the N+1 test (`bench.queries`)
4. PDF extraction against pdftotext (`bench.extraction`)
5. matching against a single regex (`bench.matching`)
6. a 2,000-document crawl against the politeness bound (`bench.crawl`)

The national-scale dataset is built first unless it is already there (`bench.make_dataset`).
A target missed is reported, not fatal; the exit status is non-zero only when a benchmark
could not run or a correctness check failed. The whole run takes about ten minutes on two cores.
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Callable

from bench import crawl, extraction, make_dataset, matching, pages, peer, queries
from bench.output import say

SECTIONS: list[tuple[str, Callable[[], int]]] = [
    ("1. Pages under load", lambda: pages.main([])),
    ("2. Against a peer: Datasette", lambda: peer.main([])),
    ("3. Query counts", lambda: queries.main([])),
    ("4. Extraction", extraction.main),
    ("5. Matching", matching.main),
    ("6. Crawl", lambda: crawl.main([])),
]


def main() -> int:
    """Build or reuse the dataset, then run each section, timing it."""
    started = time.perf_counter()
    _heading("0. National-scale dataset")
    url = make_dataset.default_url()
    make_dataset.say_counts(url, make_dataset.ensure(url))
    failed = []
    for title, run in SECTIONS:
        _heading(title)
        section_started = time.perf_counter()
        try:
            status = run()
        except Exception:  # noqa: BLE001 - one broken benchmark must not hide the others
            say(traceback.format_exc())
            status = 1
        say(f"({time.perf_counter() - section_started:.0f} s)")
        if status:
            failed.append(title)
    say()
    say(f"all benchmarks: {time.perf_counter() - started:.0f} s")
    if failed:
        say(f"did not complete cleanly: {', '.join(failed)}")
    return 1 if failed else 0


def _heading(title: str) -> None:
    """Print a section heading, flushing what came before so the order stays right."""
    say()
    say(f"== {title}")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
