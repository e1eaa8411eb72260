"""The rules that recognise a commitment to each of the five recommendations.

A rule fires when a passage contains the rule's key concept (not negated) together with any
companion concepts, so it recognises what the recommendation asks for ("a partnership" AND
"resourcing") rather than a keyword. How far the match is trusted is decided by the scorer.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache, reduce
from operator import or_

from scrapers.match import concepts as cx
from scrapers.match import lexicon as lx
from scrapers.match.anchors import StemIndex
from scrapers.match.patterns import Concept

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
    masks: tuple[Concept, ...] = ()
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
        cx.NAMED_PRIORITY,
        asserts=True,
        in_document=_PRIORITY_IN_DOCUMENT,
    ),
    Rule(
        "priority+plan",
        PRIORITY_IN_PLANS,
        cx.PRIORITY,
        (cx.STRATEGIC_PLAN,),
        asserts=True,
        in_document=_PRIORITY_IN_DOCUMENT,
    ),
    Rule(
        "priority+board",
        PRIORITY_IN_PLANS,
        cx.PRIORITY,
        (cx.STRATEGIC_BODY,),
        asserts=True,
        in_document=_PRIORITY_IN_DOCUMENT,
    ),
    Rule(
        "plan+commitment",
        PRIORITY_IN_PLANS,
        cx.STRATEGIC_PLAN,
        (lx.COMMITMENT,),
        in_document=_PRIORITY_IN_DOCUMENT,
    ),
    Rule(
        "partnership+resourcing",
        RESOURCED_PARTNERSHIP,
        cx.RESOURCING,
        (cx.PARTNERSHIP,),
        masks=(lx.NATIONAL_FUNDING,),
    ),
    Rule("partnership+dedicated-post", RESOURCED_PARTNERSHIP, cx.DEDICATED_POST, (cx.PARTNERSHIP,)),
    Rule("independent-advocacy", ADVOCACY, cx.ADVOCACY),
    Rule("support-pathway", PATHWAYS, cx.PATHWAY),
    Rule("referral-route", PATHWAYS, cx.REFERRAL_ROUTE),
    Rule("support-protocol", PATHWAYS, cx.SUPPORT_PROTOCOL),
    Rule("nrm+support", PATHWAYS, cx.NRM, (cx.SUPPORT,)),
    Rule("safe-accommodation", PATHWAYS, cx.SAFE_PLACE),
    Rule("support-service", PATHWAYS, cx.SUPPORT_SERVICE),
    Rule("lived-experience", LIVED_EXPERIENCE, cx.LIVED_EXPERIENCE),
    Rule("survivor-voice", LIVED_EXPERIENCE, cx.SURVIVOR_VOICE),
    Rule("survivor-feedback", LIVED_EXPERIENCE, cx.SURVIVOR_FEEDBACK),
)

_MODERN_SLAVERY = "modern-slavery"
# Concepts looked for by the weighing, not by a rule: their stems say when a check can be
# skipped (no trap, no hedge, no supply chain, no commitment language...).
_WEIGHING = (lx.TRAPS, lx.TENTATIVE, lx.SUPPLY_CHAIN, lx.NATIONAL_ACTOR, lx.COMMITMENT)


def _concepts() -> dict[Concept, str]:
    """Name every concept with stems that a rule or the weighing looks for, as defined."""
    names = {
        value: name
        for module in (lx, cx)
        for name, value in vars(module).items()
        if isinstance(value, Concept)
    }
    used = [c for rule in RULES for c in (rule.key, *rule.also, *rule.masks)] + [*_WEIGHING]
    return {concept: names[concept] for concept in used if concept.stems}


def _anchors() -> dict[str, tuple[str, ...]]:
    """Name each rule's anchor: the first stem group of its key, which every firing needs."""
    anchors = {}
    for rule in RULES:
        if not rule.key.stems:
            raise ValueError(f"rule {rule.name} has a key with no stems to look for")
        anchors[rule.name] = rule.key.stems[0]
    return anchors


_NAMES = _concepts()
# Stems are found in up to three passes. ANCHORS runs over the whole document: a passage
# without a rule's anchor cannot fire that rule. STEMS runs only over the passages holding an
# anchor and finds every concept's groups there. MENTIONS runs over the whole document only if
# some passage needs to know whether the document as a whole is about modern slavery.
ANCHORS = StemIndex(_anchors())
STEMS = StemIndex(
    {_MODERN_SLAVERY: lx.MODERN_SLAVERY_STEMS}
    | {
        f"{name}/{index}": group
        for concept, name in _NAMES.items()
        for index, group in enumerate(concept.stems)
    }
)
MENTIONS = StemIndex({_MODERN_SLAVERY: lx.MODERN_SLAVERY_STEMS})
MODERN_SLAVERY_BIT = STEMS.mask(_MODERN_SLAVERY)
# A concept can only occur in a passage holding a stem of each of its groups.
CONCEPT_GATES = {
    concept: STEMS.mask(*(f"{name}/{index}" for index in range(len(concept.stems))))
    for concept, name in _NAMES.items()
}
TRAPS_BIT = CONCEPT_GATES[lx.TRAPS]
TENTATIVE_BIT = CONCEPT_GATES[lx.TENTATIVE]
SUPPLY_CHAIN_BIT = CONCEPT_GATES[lx.SUPPLY_CHAIN]
# A rule can only fire in a passage holding the stems of its key and companion concepts.
GATES = tuple(
    reduce(or_, (CONCEPT_GATES.get(concept, 0) for concept in (rule.key, *rule.also)))
    for rule in RULES
)
RULE_BITS = reduce(or_, GATES)


@lru_cache(maxsize=4096)
def rules_for(bits: int) -> tuple[Rule, ...]:
    """Return the rules whose stems a passage holds (a few stem sets recur, so cached)."""
    return tuple([rule for rule, gate in zip(RULES, GATES, strict=True) if bits & gate == gate])
