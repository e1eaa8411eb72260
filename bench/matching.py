"""MB/s of extracted text through all five recommendations' rules, against one regex.

The baseline is the simplest matcher there is: one compiled, case-insensitive regex finding
every "modern slavery" in the same text (`findall`, so it reads all of it, as the matcher
must). Both sides work on the corpus documents already extracted, so only matching is timed.

Both run in this process, in alternating blocks of rounds (the matcher's, the baseline's,
the matcher's again...), and each is credited with its fastest round: the fastest is the
least disturbed, and alternating gives both sides the same spells of a busy machine or a
slower clock instead of only whichever happened to be running.
Run: `python -m bench.matching`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence

from bench.labels import CORPUS
from bench.output import say
from bench.timing import best_time
from scrapers.extract.dispatch import extract
from scrapers.match.scoring import match_document
from scrapers.passages import ExtractedDocument

TARGET = 0.25
BLOCKS = 10
ROUNDS = 30  # per block
BASELINE = re.compile(r"modern slavery", re.IGNORECASE)


def main() -> int:
    """Time the matcher and the baseline over the corpus and print a table with their ratio."""
    docs = _corpus()
    megabytes = sum(len(doc.text) for doc in docs) / 1e6
    ours, theirs = _fastest_rounds(
        (
            lambda: [match_document(doc) for doc in docs],
            lambda: [BASELINE.findall(doc.text) for doc in docs],
        ),
    )
    rounds = BLOCKS * ROUNDS
    say(f"{len(docs)} documents, {megabytes:.3f} MB of extracted text, best of {rounds} rounds")
    say(f"{'matcher':<40} {'ms':>8} {'MB/s':>8}")
    _row("scrapers.match.scoring (five recommendations)", ours, megabytes)
    _row("re findall 'modern slavery' IGNORECASE", theirs, megabytes)
    ratio = theirs / ours
    say(f"ratio: {ratio:.3f} ({'meets' if ratio >= TARGET else 'misses'} the {TARGET} target)")
    return 0


def _fastest_rounds(jobs: Sequence[Callable[[], object]]) -> list[float]:
    """Run the jobs in alternating blocks of rounds; return each one's fastest round, in s."""
    best = [float("inf")] * len(jobs)
    for _ in range(BLOCKS):
        for index, job in enumerate(jobs):
            job()  # a first run in a block pays for caches the other job has cooled
            best[index] = min(best[index], best_time(job, ROUNDS))
    return best


def _row(name: str, seconds: float, megabytes: float) -> None:
    """Print one timing row."""
    say(f"{name:<40} {seconds * 1e3:8.2f} {megabytes / seconds:8.1f}")


def _corpus() -> list[ExtractedDocument]:
    """Extract every corpus document once."""
    paths = sorted(
        p
        for p in CORPUS.iterdir()
        if p.is_file() and p.suffix in {".pdf", ".docx", ".html", ".txt"}
    )
    return [extract(path.read_bytes()) for path in paths]


if __name__ == "__main__":
    sys.exit(main())
