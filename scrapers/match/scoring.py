"""Find passages that commit to the five recommendations, ranked for human review.

Matching is pure: passages in, proposals out. Recall first (`scrapers.match.features`
proposes every passage holding a recommendation's vocabulary in a modern slavery context),
then rank: the learned model scores each candidate, overlapping and near-duplicate passages
are merged, and at most `MAX_PER_RECOMMENDATION` proposals per recommendation are kept, best
first, so a reviewer's load is bounded by the document's recommendations, not its length.
Scores of 0.5 and above are worth a reviewer's time.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Sequence

from scrapers.match.features import READ_CHARS, Candidate, candidates
from scrapers.match.model import Model, default_model
from scrapers.match.proposals import Proposal
from scrapers.passages import ExtractedDocument, Passage

# Below this a candidate is not proposed at all.
MIN_SCORE = 0.3
# Two per recommendation, the second only when it is nearly sure: on the corpus held out
# (bench.match_quality) a third proposal, or a second from 0.5, found no further quote in
# five of six cases and added a fifth to the passages a reviewer reads.
MAX_PER_RECOMMENDATION = 2
# Each further proposal for a recommendation must score at least this (the first, then the
# second): a reviewer sees one weak candidate, never several.
LATER_SCORES = (MIN_SCORE, 0.8)
# Passages sharing this share of all their words say the same thing: only the best is shown.
NEAR_DUPLICATE = 0.8
# Candidates kept per recommendation before near-duplicates are merged.
SHORTLIST = 25
_WORD = re.compile(r"\w+")


def match_document(doc: ExtractedDocument, model: Model | None = None) -> list[Proposal]:
    """Propose, best first, the passages of an extracted document."""
    return match_passages(doc.passages, model)


def match_passages(passages: Sequence[Passage], model: Model | None = None) -> list[Proposal]:
    """Propose, best first, the passages that commit to each recommendation."""
    return rank(passages, candidates(passages), model or default_model())


def rank(passages: Sequence[Passage], found: Iterable[Candidate], model: Model) -> list[Proposal]:
    """Score candidates and keep the best few distinct passages per recommendation."""
    kept: dict[str, list[tuple[float, Candidate, set[str]]]] = {}
    for score, candidate in _shortlist(passages, found, model):
        chosen = kept.setdefault(candidate.recommendation, [])
        if len(chosen) >= MAX_PER_RECOMMENDATION or score < LATER_SCORES[len(chosen)]:
            continue
        words = set(_WORD.findall(candidate.passage.text[:READ_CHARS].lower()))
        if not any(
            _overlap(candidate, other) or _similar(words, other_words)
            for _, other, other_words in chosen
        ):
            chosen.append((score, candidate, words))
    proposals = [
        _proposal(c.passage, c, score, model) for chosen in kept.values() for score, c, _ in chosen
    ]
    proposals.sort(key=lambda p: (-p.score, p.start))
    return proposals


def _shortlist(
    passages: Sequence[Passage], found: Iterable[Candidate], model: Model
) -> list[tuple[float, Candidate]]:
    """Return the best `SHORTLIST` candidates per recommendation, best first.

    Candidates are scored as they come and only a shortlist is kept, so memory does not
    grow with the document however many of its passages are candidates.
    """
    heaps: dict[str, list[tuple[float, int, int, Candidate]]] = {}
    for count, candidate in enumerate(found):
        score = model.score(candidate.features)
        if score < MIN_SCORE:
            continue
        heap = heaps.setdefault(candidate.recommendation, [])
        item = (score, -candidate.passage.start, count, candidate)
        if len(heap) < SHORTLIST:
            heapq.heappush(heap, item)
        elif item[:3] > heap[0][:3]:
            heapq.heapreplace(heap, item)
    best = [item for heap in heaps.values() for item in heap]
    best.sort(key=lambda item: item[:3], reverse=True)
    return [(score, candidate) for score, _, _, candidate in best]


def _overlap(candidate: Candidate, other: Candidate) -> bool:
    """Say whether two candidates' passages share text (a list's lead-in and an item)."""
    return (
        candidate.passage.start < other.passage.end and other.passage.start < candidate.passage.end
    )


def _similar(words: set[str], other: set[str]) -> bool:
    """Say whether two passages share most of their words (one repeats the other)."""
    if not words or not other:
        return words == other
    return len(words & other) / len(words | other) >= NEAR_DUPLICATE


def _proposal(passage: Passage, candidate: Candidate, score: float, model: Model) -> Proposal:
    """Propose a passage, saying which features scored it."""
    return Proposal.of(
        passage,
        recommendation=candidate.recommendation,
        score=score,
        rule=explain(candidate, model),
    )


def explain(candidate: Candidate, model: Model, limit: int = 100) -> str:
    """Name the features that raised a candidate's score, most first, within `limit` chars."""
    names = [name for name, _ in model.reasons(candidate.features, count=8)]
    text = ""
    for name in names:
        longer = f"{text}, {name}" if text else name
        if len(longer) > limit:
            break
        text = longer
    return text or "vocabulary"
