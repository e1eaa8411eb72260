"""Pages per second extracting the corpus PDFs: our sandboxed extractor against pdftotext.

Our side runs `extract_isolated`, exactly as the scraper does (fork, memory cap, JSON back to
the parent), so the figure includes the isolation overhead. pdftotext (poppler) runs as a
process per file, which is how a scraper would use it. Run: `python -m bench.extraction`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from bench.labels import CORPUS
from bench.output import say
from bench.timing import best_time
from scrapers.extract.dispatch import extract_isolated

TARGET = 0.5
ROUNDS = 5


def main() -> int:
    """Time both extractors over the corpus PDFs and print a table with their ratio."""
    files = sorted(CORPUS.glob("*.pdf"))
    bodies = [path.read_bytes() for path in files]
    pages = sum(extract_isolated(body).page_count or 0 for body in bodies)
    ours = best_time(lambda: [extract_isolated(body, "application/pdf") for body in bodies], ROUNDS)
    pdftotext = shutil.which("pdftotext")
    theirs = best_time(lambda: _run_pdftotext(pdftotext, files), ROUNDS) if pdftotext else None
    say(f"{len(files)} PDFs, {pages} pages, best of {ROUNDS} rounds")
    say(f"{'extractor':<30} {'seconds':>8} {'pages/s':>9}")
    say(f"{'scrapers (extract_isolated)':<30} {ours:8.3f} {pages / ours:9.1f}")
    if theirs is None:
        say("pdftotext is not installed (apt-get install poppler-utils); no ratio")
        return 1
    say(f"{'poppler pdftotext':<30} {theirs:8.3f} {pages / theirs:9.1f}")
    ratio = theirs / ours
    verdict = "meets" if ratio >= TARGET else "misses"
    say(f"ratio ours/pdftotext: {ratio:.2f} ({verdict} the {TARGET} target)")
    return 0


def _run_pdftotext(executable: str, files: list[Path]) -> None:
    """Extract every file with pdftotext, discarding the text."""
    for path in files:
        subprocess.run(  # noqa: S603 - a fixed local tool on corpus files
            [executable, "-q", str(path), "-"], check=True, stdout=subprocess.DEVNULL
        )


if __name__ == "__main__":
    sys.exit(main())
