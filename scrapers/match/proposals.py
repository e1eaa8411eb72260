"""What the matcher hands on: a passage proposed as evidence for one recommendation.

The hand-written rules (`scrapers.match.rulescore`) and the learned scorer
(`scrapers.match.scoring`) both propose passages, so they share this one type: a rule's
reading is a proposal scored by the rules alone, which the scorer reads as features.
"""

from __future__ import annotations

from dataclasses import dataclass

from scrapers.passages import Passage


@dataclass(frozen=True, slots=True)
class Proposal:
    """A passage proposed as evidence of a commitment to one recommendation.

    `rule` says why: the rule that fired (if any) and the features that raised the score.
    """

    recommendation: str
    score: float
    text: str
    page: int | None
    start: int
    end: int
    rule: str

    @classmethod
    def of(cls, passage: Passage, *, recommendation: str, score: float, rule: str) -> Proposal:
        """Propose a passage, its score kept to three places (as it is stored and shown)."""
        return cls(
            recommendation=recommendation,
            score=round(score, 3),
            text=passage.text,
            page=passage.page,
            start=passage.start,
            end=passage.end,
            rule=rule,
        )
