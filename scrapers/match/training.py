"""Fit the learned scorer on labelled documents and on reviewers' verdicts.

Each candidate passage is an example. Of a document's candidates for a recommendation
labelled `Y`, those showing a labelled quote are commitments; the others are weak
negatives (the labeller quoted what carries the judgement, not every sentence near it).
Candidates for `P` pairs are negatives of half weight (partial is not a commitment, but
is close to one), and for `N` pairs full negatives. Reviewers' accepts and rejects are
examples of full weight. A feature is kept only if candidates of at least `min_groups`
documents have it, so no weight can describe one document alone; a trap's feature is kept
however rare, at `TRAP_WEIGHT` or lower, so a trap the corpus shows once still lowers a score.

scikit-learn is needed only here; the fitted model is plain JSON (`scrapers.match.model`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrapers.match.features import TRAP_FEATURES, Candidate, candidates
from scrapers.match.labels import Label, load_labels, shows_any_quote
from scrapers.match.model import Model
from scrapers.passages import PASSAGE_SEPARATOR, ExtractedDocument, ExtractionError, Passage

TRAP = "trap:"
TRAP_WEIGHT = -2.0
# Raised whenever the features or the fitting change, so a model says which code made it.
MODEL_VERSION = 2


@dataclass(frozen=True, slots=True)
class Settings:
    """The fitting's tunable numbers, chosen on the leave-one-document-out figures.

    A grid over c (0.2, 0.3, 0.5), positive_share (1, 1.5, 2) and unquoted_weight (0.3, 1),
    with two proposals per recommendation (`scrapers.match.scoring`): positive_share 2
    finds 26 of 26 held-out Y pairs (25 at 1) for 3 of 84 N pairs matched (1 at 1) and 70
    proposals of 0.5 or more (60): the issue puts recall first and bounds N at 5%.
    c 0.5 (weaker regularising), unquoted_weight 1, full-weight partials or min_groups 4 each lost
    a Y pair or quote held out.
    """

    c: float = 0.3
    positive_share: float = 2.0  # positives' total weight as a share of negatives'
    unquoted_weight: float = 0.3
    partial_weight: float = 0.5
    min_groups: int = 3


@dataclass(frozen=True, slots=True)
class Example:
    """One candidate's features, whether it is a commitment, its weight and its document."""

    features: dict[str, float]
    label: int
    weight: float
    group: str


@dataclass(frozen=True, slots=True)
class LabelledDocument:
    """A corpus document's passages, its candidates and its labels by recommendation."""

    name: str
    passages: tuple[Passage, ...]
    candidates: tuple[Candidate, ...]
    labels: dict[str, Label]


def read_corpus(
    folder: Path, extract: Callable[[bytes], ExtractedDocument]
) -> tuple[list[LabelledDocument], dict[str, str]]:
    """Read every labelled document of a corpus folder; also say which could not be read."""
    by_file: dict[str, dict[str, Label]] = defaultdict(dict)
    for label in load_labels(folder / "labels.csv"):
        by_file[label.file][label.recommendation] = label
    documents, unread = [], {}
    for name, labels in by_file.items():
        try:
            doc = extract((folder / name).read_bytes())
        except (ExtractionError, OSError) as exc:
            unread[name] = str(exc)
            continue
        if doc.status != "ok":
            unread[name] = doc.message or doc.status
            continue
        found = tuple(candidates(doc.passages))
        documents.append(LabelledDocument(name, doc.passages, found, labels))
    return documents, unread


def corpus_examples(doc: LabelledDocument, settings: Settings) -> list[Example]:
    """Label each of a document's candidates from the document's labels."""
    examples = []
    for candidate in doc.candidates:
        label = doc.labels.get(candidate.recommendation)
        if label is None:
            continue
        text = candidate.passage.text
        if label.label == "Y":
            quoted = shows_any_quote(text, label)
            weight = 1.0 if quoted else settings.unquoted_weight
            examples.append(Example(candidate.features, int(quoted), weight, doc.name))
        else:
            weight = settings.partial_weight if label.label == "P" else 1.0
            examples.append(Example(candidate.features, 0, weight, doc.name))
    return examples


def fit(examples: Sequence[Example], settings: Settings, about: dict[str, Any]) -> Model:
    """Fit a logistic regression on the examples and return it as a JSON-ready model."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    if not any(e.label for e in examples) or all(e.label for e in examples):
        raise ValueError("training needs both commitments and non-commitments")
    kept = _common_features(examples, settings.min_groups)
    rows = [{k: v for k, v in e.features.items() if k in kept} for e in examples]
    vectoriser = DictVectorizer()
    matrix = vectoriser.fit_transform(rows)
    negative = sum(e.weight for e in examples if not e.label)
    positive = sum(e.weight for e in examples if e.label)
    boost = settings.positive_share * negative / positive
    weights = [e.weight * (boost if e.label else 1.0) for e in examples]
    model = LogisticRegression(C=settings.c, max_iter=2000, solver="lbfgs")
    model.fit(matrix, [e.label for e in examples], sample_weight=weights)
    names = vectoriser.get_feature_names_out()
    coefficients = {
        str(name): _prior(str(name), float(w))
        for name, w in zip(names, model.coef_[0], strict=True)
        if abs(w) > 1e-4 or str(name).startswith(TRAP)
    }
    for name in TRAP_FEATURES:
        coefficients.setdefault(name, TRAP_WEIGHT)
    details = {
        "model_version": MODEL_VERSION,
        "examples": len(examples),
        "commitments": sum(e.label for e in examples),
        "documents": len({e.group for e in examples}),
        "settings": {k: getattr(settings, k) for k in Settings.__slots__},
    }
    return Model(float(model.intercept_[0]), coefficients, {**about, **details})


def _prior(name: str, weight: float) -> float:
    """Hold a trap's weight at `TRAP_WEIGHT` or lower: a trap may only lower a score.

    The corpus holds few examples of each trap, too few for the fit alone to learn how much
    "Lord Advocate" or "not yet a priority" should count; the fit may lower them further.
    """
    return min(weight, TRAP_WEIGHT) if name.startswith(TRAP) else weight


def _common_features(examples: Iterable[Example], min_groups: int) -> set[str]:
    """Return the features that candidates of at least `min_groups` documents have."""
    groups: dict[str, set[str]] = defaultdict(set)
    for example in examples:
        for name in example.features:
            groups[name].add(example.group)
    return {
        name for name, seen in groups.items() if len(seen) >= min_groups or name.startswith(TRAP)
    }


@dataclass(frozen=True, slots=True)
class Verdict:
    """A reviewer's accept or reject of a passage proposed for a recommendation."""

    recommendation: str
    start: int
    accepted: bool


def passages_of_text(text: str) -> list[Passage]:
    """Rebuild the passages of a stored document text (headings are not stored, so none).

    Extractors lay passages out with `PASSAGE_SEPARATOR` between them and collapse the
    whitespace inside each, so the separator alone marks where each passage starts.
    """
    passages, start = [], 0
    for piece in text.split(PASSAGE_SEPARATOR):
        if piece:
            passages.append(Passage(piece, None, None, start, start + len(piece)))
        start += len(piece) + len(PASSAGE_SEPARATOR)
    return passages


def review_examples(text: str, verdicts: Iterable[Verdict], group: str) -> list[Example]:
    """Turn the verdicts on one stored document's passages into examples of full weight.

    A verdict whose passage is no longer a candidate (the vocabulary changed since) is
    left out: there are no features to learn from.
    """
    passages = passages_of_text(text)
    found = {(c.recommendation, c.passage.start): c for c in candidates(passages)}
    examples = []
    for verdict in verdicts:
        candidate = found.get((verdict.recommendation, verdict.start))
        if candidate is not None:
            examples.append(Example(candidate.features, int(verdict.accepted), 1.0, group))
    return examples
