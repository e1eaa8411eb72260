"""How well the matcher agrees with the corpus's human labels, document by document.

For each labelled (document, recommendation) pair it prints the label, the best score the
matcher gave, and whether that is right: a Y pair needs a match scoring at least 0.5 that
shows one of the labelled quotes; an N pair must have no match at 0.5 or above; P pairs are
shown but not judged. Run: `python -m bench.match_quality`.
"""

from __future__ import annotations

import sys

from bench.labels import CORPUS, THRESHOLD, best_score, found_quote, load_labels
from bench.output import say
from scrapers.extract.dispatch import extract
from scrapers.match.scoring import Proposal, match_document


def main() -> int:
    """Print the per-pair table and the Y-found and N-matched totals."""
    labels = load_labels()
    matches: dict[str, list[Proposal]] = {}
    y_found = y_total = n_matched = n_total = 0
    say(f"{'document':<44} {'recommendation':<38} {'label':>5} {'best':>5}  verdict")
    for label in labels:
        if label.file not in matches:
            matches[label.file] = match_document(extract((CORPUS / label.file).read_bytes()))
        found = matches[label.file]
        best = best_score(found, label.recommendation)
        verdict = ""
        if label.label == "Y":
            y_total += 1
            hit = found_quote(found, label)
            y_found += hit
            verdict = "found" if hit else "MISSED"
        elif label.label == "N":
            n_total += 1
            wrong = best >= THRESHOLD
            n_matched += wrong
            verdict = "FALSE MATCH" if wrong else "clear"
        name = label.file[:44]
        say(f"{name:<44} {label.recommendation:<38} {label.label:>5} {best:5.2f}  {verdict}")
    say()
    say(f"Y found: {y_found}/{y_total}")
    say(f"N pairs matched at >= {THRESHOLD}: {n_matched}/{n_total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
