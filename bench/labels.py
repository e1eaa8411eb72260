"""The corpus's human labels, and the rule for deciding that a match shows a labelled quote.

Shared by the quality benchmark and the corpus test so both judge the matcher the same way.
A quote is found in a passage when, after normalising case, whitespace, curly quotes and
hyphenation, the passage contains it; "..." in a quote marks an elision, and then every piece
must appear in the passage, in order.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from scrapers.match.scoring import Proposal

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus"
LABELS = CORPUS / "labels.csv"
THRESHOLD = 0.5
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_HYPHENS = re.compile(r"[-\u2010\u2011\u00ad]\s*")
_DASHES = re.compile(r"[\u2013\u2014]")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Label:
    """One human judgement: does `file` commit to `recommendation`, and where it says so."""

    file: str
    recommendation: str
    label: str
    quotes: tuple[str, ...]


def load_labels(path: Path = LABELS) -> list[Label]:
    """Read labels.csv."""
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            Label(
                row["file"],
                row["recommendation"],
                row["label"],
                tuple(q.strip() for q in row["quotes"].split("||") if q.strip()),
            )
            for row in csv.DictReader(handle)
        ]


def normalise(text: str) -> str:
    """Fold case, quotes, hyphenation and whitespace so a quote matches however it was laid out."""
    text = _DASHES.sub(" ", text.translate(_QUOTES).lower())
    return _SPACE.sub(" ", _HYPHENS.sub("", text)).strip()


def shows_quote(passage: str, quote: str) -> bool:
    """Say whether a passage contains a quote (every elided piece, in order)."""
    haystack = normalise(passage)
    position = 0
    for piece in (normalise(p) for p in quote.split("...")):
        if not piece:
            continue
        found = haystack.find(piece, position)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def found_quote(matches: Iterable[Proposal], label: Label, threshold: float = THRESHOLD) -> bool:
    """Say whether a match at or above the threshold shows one of the label's quotes."""
    return any(
        m.recommendation == label.recommendation
        and m.score >= threshold
        and any(shows_quote(m.text, q) for q in label.quotes)
        for m in matches
    )


def best_score(matches: Iterable[Proposal], recommendation: str) -> float:
    """Return the best score the matcher gave a recommendation in one document (0 if none)."""
    return max((m.score for m in matches if m.recommendation == recommendation), default=0.0)
