"""How well the matcher agrees with the corpus's human labels, in sample and held out.

For each labelled (document, recommendation) pair it prints the label and the best score
given by the hand-written rules alone, by the learned matcher fitted on every document (in
sample) and by the learned matcher fitted without that document (leave one document out:
every weight fitted without the document being scored). A Y pair is found when a proposal
scores at least 0.5, and found with its quote when such a proposal shows a labelled quote;
an N pair is matched (wrongly) when a proposal scores 0.5 or more; P pairs are counted, not
judged. Documents that cannot be read are listed and count as misses.

It then measures learning from reviews: the documents are split in three, a model fitted
on one third proposes passages in the second, whose proposals are "reviewed" from the
labels (accepted if they show a Y quote, rejected otherwise); the model refitted with those
verdicts is compared with the first on the last third, by precision at the same recall.
Run: `python -m bench.match_quality`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from bench.labels import CORPUS, THRESHOLD, Label
from bench.output import say
from scrapers.extract.dispatch import extract
from scrapers.match.labels import shows_any_quote
from scrapers.match.model import Model
from scrapers.match.proposals import Proposal
from scrapers.match.rulescore import rule_matches
from scrapers.match.scoring import rank
from scrapers.match.training import (
    Example,
    LabelledDocument,
    Settings,
    corpus_examples,
    fit,
    read_corpus,
)

SETTINGS = Settings()
ROTATIONS = 3


class Scored(Protocol):
    """What the benchmark reads of a proposal (the rules' matches have the same fields)."""

    @property
    def recommendation(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def text(self) -> str: ...


@dataclass
class Tally:
    """The totals of one way of matching over the corpus."""

    y_found: int = 0
    y_quoted: int = 0
    y_total: int = 0
    n_matched: int = 0
    n_total: int = 0
    p_matched: int = 0
    p_total: int = 0
    proposals: int = 0
    reviewable: int = 0

    def add(self, label: Label, found: Sequence[Scored]) -> str:
        """Count one labelled pair and return its verdict."""
        best = _best(found, label.recommendation)
        if label.label == "Y":
            self.y_total += 1
            self.y_found += best >= THRESHOLD
            quoted = _quoted(found, label)
            self.y_quoted += quoted
            return (
                "found" if quoted else ("found, other passage" if best >= THRESHOLD else "MISSED")
            )
        if label.label == "N":
            self.n_total += 1
            self.n_matched += best >= THRESHOLD
            return "FALSE MATCH" if best >= THRESHOLD else "clear"
        self.p_total += 1
        self.p_matched += best >= THRESHOLD
        return ""

    def count(self, found: Sequence[Scored]) -> None:
        """Count one document's proposals."""
        self.proposals += len(found)
        self.reviewable += sum(p.score >= THRESHOLD for p in found)

    def line(self, name: str) -> str:
        """Return the totals as one table row."""
        return (
            f"{name:<34} {self.y_found:>3}/{self.y_total:<3} {self.y_quoted:>3}/{self.y_total:<3}"
            f" {self.n_matched:>3}/{self.n_total:<3} {self.p_matched:>3}/{self.p_total:<3}"
            f" {self.proposals:>9} {self.reviewable:>10}"
        )


def main() -> int:
    """Print the per-pair table, the totals of each method and the review-learning figure."""
    docs, unread = read_corpus(CORPUS, extract)
    examples = {doc.name: corpus_examples(doc, SETTINGS) for doc in docs}
    everything = fit(_pooled(examples), SETTINGS, {})
    methods: dict[str, Callable[[LabelledDocument], Sequence[Scored]]] = {
        "rules alone (no fitted numbers)": lambda doc: rule_matches(doc.passages),
        "learned, in sample": lambda doc: _propose(doc, everything),
        "learned, leave one document out": lambda doc: _propose(
            doc, fit(_pooled(examples, without=doc.name), SETTINGS, {})
        ),
    }
    tallies = {name: Tally() for name in methods}
    say(f"{'document':<40} {'recommendation':<36} {'label':>5} {'rules':>5} {'in':>5} {'loo':>5}")
    for doc in docs:
        found = {name: method(doc) for name, method in methods.items()}
        for name, tally in tallies.items():
            tally.count(found[name])
        for label in doc.labels.values():
            verdicts = [tallies[name].add(label, found[name]) for name in methods]
            bests = " ".join(f"{_best(found[n], label.recommendation):5.2f}" for n in methods)
            say(
                f"{doc.name[:40]:<40} {label.recommendation[:36]:<36} {label.label:>5} {bests}"
                f"  {verdicts[-1]}"
            )
    _unread(unread)
    say()
    say(f"{'':<34} {'Y found':>7} {'w/quote':>7} {'N match':>7} {'P match':>7} proposals >=0.5")
    for name, tally in tallies.items():
        say(tally.line(name))
    say()
    _review_learning(docs)
    return 0


def _pooled(examples: dict[str, list[Example]], without: str | None = None) -> list[Example]:
    """Return every document's examples but one's."""
    return [e for name, found in examples.items() if name != without for e in found]


def _propose(doc: LabelledDocument, model: Model) -> list[Proposal]:
    """Rank a corpus document's candidates with a model."""
    return rank(doc.passages, doc.candidates, model)


def _best(found: Sequence[Scored], recommendation: str) -> float:
    """Return the best score given to a recommendation (0 if none)."""
    return max((p.score for p in found if p.recommendation == recommendation), default=0.0)


def _quoted(found: Sequence[Scored], label: Label, threshold: float = THRESHOLD) -> bool:
    """Say whether a proposal at or above the threshold shows one of the label's quotes."""
    return any(
        p.recommendation == label.recommendation
        and p.score >= threshold
        and shows_any_quote(p.text, label)
        for p in found
    )


def _unread(unread: dict[str, str]) -> None:
    """List the documents that could not be read (their pairs are not in the tables)."""
    if unread:
        say()
        say(f"{len(unread)} documents not read (their pairs are left out of the tables):")
        for name, reason in unread.items():
            say(f"  {name}: {reason}")


def _review_learning(docs: Sequence[LabelledDocument]) -> None:
    """Print the other documents' precision at the same recall, before and after reviews."""
    say("Learning from reviews: fitted on a third of the documents; a second third's")
    say("proposals reviewed from the labels and added; precision on the last third at the")
    say("recall the first model reaches at 0.5 (three rotations pooled)")
    before: list[tuple[float, bool, str]] = []
    after: list[tuple[float, bool, str]] = []
    targets: set[str] = set()
    for rotation in range(ROTATIONS):
        thirds = [list(docs[(rotation + k) % ROTATIONS :: ROTATIONS]) for k in range(3)]
        base, reviewed, held = thirds
        base_examples = [e for d in base for e in corpus_examples(d, SETTINGS)]
        first = fit(base_examples, SETTINGS, {})
        verdicts = [e for d in reviewed for e in _verdicts(d, first)]
        second = fit(base_examples + verdicts, SETTINGS, {})
        for doc in held:
            before += _judged(doc, first)
            after += _judged(doc, second)
            targets.update(
                f"{doc.name}/{r}" for r, label in doc.labels.items() if label.label == "Y"
            )
    recall = _recall(before, THRESHOLD, len(targets))
    say(f"  {'model':<28} {'recall':>7} {'precision':>10} {'threshold':>10}")
    for name, judged in (("corpus third only", before), ("plus reviewed verdicts", after)):
        threshold = _threshold_for(judged, recall, len(targets))
        precision = _precision(judged, threshold)
        reached = _recall(judged, threshold, len(targets))
        say(f"  {name:<28} {reached:7.3f} {precision:10.3f} {threshold:10.3f}")


def _verdicts(doc: LabelledDocument, model: Model) -> list[Example]:
    """Review the passages a model proposes for review in a document, from its labels."""
    proposed = {(p.recommendation, p.start) for p in _propose(doc, model) if p.score >= THRESHOLD}
    verdicts = []
    for candidate in doc.candidates:
        passage = candidate.passage
        if (candidate.recommendation, passage.start) in proposed:
            label = doc.labels.get(candidate.recommendation)
            accept = bool(label and label.label == "Y" and shows_any_quote(passage.text, label))
            verdicts.append(Example(candidate.features, int(accept), 1.0, f"review:{doc.name}"))
    return verdicts


def _judged(doc: LabelledDocument, model: Model) -> list[tuple[float, bool, str]]:
    """Return a document's proposals as (score, shows a Y quote, which Y pair)."""
    judged = []
    for proposal in _propose(doc, model):
        label = doc.labels.get(proposal.recommendation)
        good = bool(label and label.label == "Y" and shows_any_quote(proposal.text, label))
        judged.append((proposal.score, good, f"{doc.name}/{proposal.recommendation}"))
    return judged


def _recall(judged: Sequence[tuple[float, bool, str]], threshold: float, total: int) -> float:
    """Return the share of Y pairs with a quote-holding proposal at the threshold."""
    return len({pair for score, good, pair in judged if good and score >= threshold}) / total


def _precision(judged: Sequence[tuple[float, bool, str]], threshold: float) -> float:
    """Return the share of proposals at the threshold that show a Y quote."""
    shown = [good for score, good, _ in judged if score >= threshold]
    return sum(shown) / len(shown) if shown else 0.0


def _threshold_for(judged: Sequence[tuple[float, bool, str]], recall: float, total: int) -> float:
    """Return the highest threshold at which the proposals reach a recall."""
    for score in sorted({score for score, _, _ in judged}, reverse=True):
        if _recall(judged, score, total) >= recall:
            return score
    return 0.0


if __name__ == "__main__":
    sys.exit(main())
