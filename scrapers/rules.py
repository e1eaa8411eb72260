"""The rules that recognise a commitment to each of the five recommendations.

A rule fires when a passage contains the rule's key concept (not negated) together with any
companion concepts, so it recognises what the recommendation asks for ("a partnership" AND
"resourcing") rather than a keyword. How far the match is trusted is decided by the scorer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from scrapers import lexicon as lx
from scrapers.anchors import StemIndex
from scrapers.lexicon import Concept

PRIORITY_IN_PLANS = "priority-in-strategic-plans"
RESOURCED_PARTNERSHIP = "resourced-multi-agency-partnership"
ADVOCACY = "safeguarding-and-independent-advocacy"
PATHWAYS = "pathways-to-support"
LIVED_EXPERIENCE = "listen-to-lived-experience"
RECOMMENDATIONS = (
    PRIORITY_IN_PLANS,
    RESOURCED_PARTNERSHIP,
    ADVOCACY,
    PATHWAYS,
    LIVED_EXPERIENCE,
)

# A firm commitment in a passage that names modern slavery scores this; below 1 so that the
# same concept merely described (x DESCRIBED) falls under the 0.5 review threshold.
BASE = 0.9
# Context weights: how sure we are that a passage is about modern slavery.
IN_PASSAGE = 1.0
BY_REFERENCE = 0.95  # "this crime" in a modern slavery document
IN_HEADING = 0.9
IN_DOCUMENT = 0.75
# Manner weights: a pledge counts more than a report of practice, which beats description.
COMMITTED = 1.0
IN_PRACTICE = 0.8
DESCRIBED = 0.55
TENTATIVE = 0.55
# Trap weights.
SUPPLY_CHAIN = 0.4
NATIONAL_ONLY = 0.5


@dataclass(frozen=True, slots=True)
class Rule:
    """One way a passage can show a commitment to a recommendation."""

    name: str
    recommendation: str
    key: Concept
    also: tuple[Concept, ...] = ()
    # The key phrase is itself commitment language ("X is one of our priorities").
    asserts: bool = False
    # Spans removed before the key is looked for (national money is not local resourcing).
    masks: tuple[re.Pattern[str], ...] = ()
    # Weight when only the document as a whole is about modern slavery. Naming modern slavery
    # as a priority has to happen where the priority is stated, so those rules ask for more.
    in_document: float = IN_DOCUMENT


_PRIORITY_IN_DOCUMENT = 0.5
# Strongest first within each recommendation (rules that assert before the rest): the
# matcher stops at the first rule that fires for a recommendation.
RULES: tuple[Rule, ...] = (
    Rule(
        "modern-slavery-priority",
        PRIORITY_IN_PLANS,
        lx.NAMED_PRIORITY,
        asserts=True,
        in_document=_PRIORITY_IN_DOCUMENT,
    ),
    Rule(
        "priority+plan",
        PRIORITY_IN_PLANS,
        lx.PRIORITY,
        (lx.STRATEGIC_PLAN,),
        asserts=True,
        in_document=_PRIORITY_IN_DOCUMENT,
    ),
    Rule(
        "priority+board",
        PRIORITY_IN_PLANS,
        lx.PRIORITY,
        (lx.STRATEGIC_BODY,),
        asserts=True,
        in_document=_PRIORITY_IN_DOCUMENT,
    ),
    Rule(
        "plan+commitment",
        PRIORITY_IN_PLANS,
        lx.STRATEGIC_PLAN,
        (lx.COMMITMENT,),
        in_document=_PRIORITY_IN_DOCUMENT,
    ),
    Rule(
        "partnership+resourcing",
        RESOURCED_PARTNERSHIP,
        lx.RESOURCING,
        (lx.PARTNERSHIP,),
        masks=(lx.NATIONAL_FUNDING,),
    ),
    Rule("partnership+dedicated-post", RESOURCED_PARTNERSHIP, lx.DEDICATED_POST, (lx.PARTNERSHIP,)),
    Rule("independent-advocacy", ADVOCACY, lx.ADVOCACY),
    Rule("support-pathway", PATHWAYS, lx.PATHWAY),
    Rule("referral-route", PATHWAYS, lx.REFERRAL_ROUTE),
    Rule("support-protocol", PATHWAYS, lx.SUPPORT_PROTOCOL),
    Rule("nrm+support", PATHWAYS, lx.NRM, (lx.SUPPORT,)),
    Rule("safe-accommodation", PATHWAYS, lx.SAFE_PLACE),
    Rule("support-service", PATHWAYS, lx.SUPPORT_SERVICE),
    Rule("lived-experience", LIVED_EXPERIENCE, lx.LIVED_EXPERIENCE),
    Rule("survivor-voice", LIVED_EXPERIENCE, lx.SURVIVOR_VOICE),
    Rule("survivor-feedback", LIVED_EXPERIENCE, lx.SURVIVOR_FEEDBACK),
)

_MODERN_SLAVERY = "modern-slavery"
# Stems that say when a cheap check can be skipped: no trap, no hedge, no supply chain...
_FLAGS = {
    "traps": lx.TRAPS,
    "tentative": lx.TENTATIVE,
    "supply-chain": lx.SUPPLY_CHAIN,
    "national": lx.NATIONAL_ACTOR,
}


def _stem_groups() -> dict[str, tuple[str, ...]]:
    """Name the stem groups: modern slavery context, the flags, and each group a rule needs."""
    groups: dict[str, tuple[str, ...]] = {_MODERN_SLAVERY: lx.MODERN_SLAVERY_STEMS}
    groups.update({name: concept.stems[0] for name, concept in _FLAGS.items()})
    for rule in RULES:
        for index, stems in enumerate(_rule_stems(rule)):
            groups[f"{rule.name}/{index}"] = stems
    return groups


def _rule_stems(rule: Rule) -> list[tuple[str, ...]]:
    """List the stem groups a passage must all hold for a rule to have a chance."""
    return [group for concept in (rule.key, *rule.also) for group in concept.stems]


STEMS = StemIndex(_stem_groups())
MODERN_SLAVERY_BIT = STEMS.mask(_MODERN_SLAVERY)
TRAPS_BIT = STEMS.mask("traps")
TENTATIVE_BIT = STEMS.mask("tentative")
SUPPLY_CHAIN_BIT = STEMS.mask("supply-chain")
NATIONAL_BIT = STEMS.mask("national")
# A rule can only fire in a passage holding a stem of each of its concepts.
GATES = tuple(
    STEMS.mask(*(f"{rule.name}/{i}" for i in range(len(_rule_stems(rule))))) for rule in RULES
)
RULE_BITS = ~STEMS.mask(_MODERN_SLAVERY, *_FLAGS)


@lru_cache(maxsize=4096)
def rules_for(bits: int) -> tuple[Rule, ...]:
    """Return the rules whose stems a passage holds (a few stem sets recur, so cached)."""
    return tuple([rule for rule, gate in zip(RULES, GATES, strict=True) if bits & gate == gate])
