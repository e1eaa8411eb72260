"""The corpus's human labels, as the quality benchmark and the corpus tests judge them.

The label reading and the quote rule live in `scrapers.match.labels`, which training shares.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from scrapers.match.labels import Label, load_labels, shows_any_quote, shows_quote
from scrapers.match.proposals import Proposal

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus"
LABELS = CORPUS / "labels.csv"
THRESHOLD = 0.5

__all__ = ["CORPUS", "LABELS", "THRESHOLD", "Label", "best_score", "corpus_labels"]
__all__ += ["found_quote", "shows_quote"]


def corpus_labels() -> list[Label]:
    """Read the corpus's labels.csv."""
    return load_labels(LABELS)


def found_quote(matches: Iterable[Proposal], label: Label, threshold: float = THRESHOLD) -> bool:
    """Say whether a match at or above the threshold shows one of the label's quotes."""
    return any(
        m.recommendation == label.recommendation
        and m.score >= threshold
        and shows_any_quote(m.text, label)
        for m in matches
    )


def best_score(matches: Iterable[Proposal], recommendation: str) -> float:
    """Return the best score the matcher gave a recommendation in one document (0 if none)."""
    return max((m.score for m in matches if m.recommendation == recommendation), default=0.0)
