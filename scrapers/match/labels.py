"""Human labels of documents against the recommendations, and when a passage shows a quote.

Shared by training (`scrapers.match.training`), the quality benchmark and the corpus tests,
so all three judge a passage the same way. A quote is found in a passage when, after
normalising case, whitespace, curly quotes and hyphenation, the passage contains it; "..."
in a quote marks an elision, and then every piece must appear in the passage, in order.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_HYPHENS = re.compile(r"[-\u2010\u2011\u00ad]\s*")
_DASHES = re.compile(r"[\u2013\u2014]")
_SPACE = re.compile(r"\s+")
LABEL_VALUES = ("Y", "P", "N")


@dataclass(frozen=True, slots=True)
class Label:
    """One human judgement: does `file` commit to `recommendation`, and where it says so."""

    file: str
    recommendation: str
    label: str
    quotes: tuple[str, ...]


def load_labels(path: Path) -> list[Label]:
    """Read a labels.csv (file, recommendation, label, quotes), naming any bad row."""
    labels = []
    with path.open(newline="", encoding="utf-8") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            if row.get("label") not in LABEL_VALUES or not row.get("file"):
                raise ValueError(f"{path.name} row {number}: needs a file and a Y, P or N label")
            labels.append(
                Label(
                    row["file"],
                    row["recommendation"],
                    row["label"],
                    tuple(q.strip() for q in (row["quotes"] or "").split("||") if q.strip()),
                )
            )
    return labels


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


def shows_any_quote(passage: str, label: Label) -> bool:
    """Say whether a passage contains one of a label's quotes."""
    return any(shows_quote(passage, quote) for quote in label.quotes)
