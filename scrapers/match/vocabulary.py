"""Each recommendation's vocabulary, the generous net that proposes candidate passages.

The rules in `scrapers.match.rules` need particular words in a particular order; real
documents say the same things in many other ways. So recall starts from single word stems
drawn from what each recommendation asks (see `shared/seed/recommendations.md`), matched at
the start of a word, and the learned scorer decides which candidates are commitments.
The stems describe the language of UK councils, partnerships and Police and Crime
Commissioners in general, never the phrases of one document.
"""

from __future__ import annotations

from scrapers.match.anchors import StemIndex
from scrapers.match.rules import (
    ADVOCACY,
    LIVED_EXPERIENCE,
    PATHWAYS,
    PRIORITY_IN_PLANS,
    RECOMMENDATIONS,
    RESOURCED_PARTNERSHIP,
)

VOCABULARY: dict[str, tuple[str, ...]] = {
    PRIORITY_IN_PLANS: (
        *("priorit", "agenda", "strategic plan", "strategic objective", "police and crime"),
        *("police & crime", "corporate plan", "council plan", "community safety plan"),
        *("business plan", "delivery plan", "action plan", "key aim", "key objective"),
        *("objective", "commitment", "pledge", "strategy", "strategies", "focus on"),
        *("policies", "theme", "plan "),
    ),
    RESOURCED_PARTNERSHIP: (
        *("partnership", "multi-agency", "multi agency", "multiagency", "board", "network"),
        *("coordinator", "co-ordinator", "co ordinator", "coordinat", "co-ordinat", "fund"),
        *("resourc", "budget", "grant", "post ", "lead officer", "steering", "forum", "panel"),
        *("marac", "task force", "taskforce", "sub-group", "subgroup", "working group"),
        *("invest", "dedicated", "chair", "secretariat", "cross-sector", "pooled"),
    ),
    ADVOCACY: (
        *("advoca", "safeguard", "victim-centred", "victim centred", "victim-centric"),
        *("victim-led", "survivor-centred", "survivor centred", "trauma", "rights"),
        *("wellbeing", "well-being", "imsa", "icta", "independent", "empower", "casework"),
        *("caseworker", "at the heart", "best interest", "person-centred", "human rights"),
    ),
    PATHWAYS: (
        *("pathway", "referr", "refer ", "refers", "nrm", "national referral", "signpost"),
        *("support service", "victim support", "support for victims", "safe house"),
        *("accommodation", "place of safety", "places of safety", "reception centre"),
        *("first responder", "protocol", "recovery", "reintegrat", "move-on", "move on"),
        *("aftercare", "after care", "housing", "duty to notify", "support provider"),
        *("care contract", "outreach", "helpline", "hub"),
    ),
    LIVED_EXPERIENCE: (
        *("lived experience", "lived-experience", "survivor", "voice", "feedback", "consult"),
        *("co-produc", "coproduc", "co produc", "listen", "engag", "involv", "experiences"),
        *("hear from", "heard from", "service user", "user-led", "participat", "design"),
        *("shape", "learn from", "learning from", "insight", "panel"),
    ),
}
if tuple(VOCABULARY) != RECOMMENDATIONS:
    raise ValueError("every recommendation needs a vocabulary, in the recommendations' order")

INDEX = StemIndex(VOCABULARY)
BITS = {recommendation: INDEX.mask(recommendation) for recommendation in RECOMMENDATIONS}
# Short names for feature names, so a stored explanation fits in 100 characters.
SHORT = {
    PRIORITY_IN_PLANS: "priority",
    RESOURCED_PARTNERSHIP: "partnership",
    ADVOCACY: "advocacy",
    PATHWAYS: "pathways",
    LIVED_EXPERIENCE: "lived",
}


def _concepts(stems: tuple[str, ...]) -> dict[str, str]:
    """Name each stem by its concept: the shortest spelling it extends, hyphens and spaces
    left out ("co-ordinator", "co ordinator" and "coordinator" are all "coordinat").

    One feature per concept, so the fit pools the evidence of every spelling instead of
    learning one weight per document's house style.
    """
    bare = {stem: stem.replace("-", "").replace(" ", "") for stem in stems}
    return {
        stem.strip(): min((b for b in bare.values() if key.startswith(b)), key=len)
        for stem, key in bare.items()
    }


CONCEPTS = {recommendation: _concepts(VOCABULARY[recommendation]) for recommendation in VOCABULARY}


def stems_at(text: str, recommendation: str) -> dict[str, int]:
    """Return the concepts of the recommendation's stems found at a word start in
    lower-cased text, and where the first of each was found."""
    found: dict[str, int] = {}
    concepts = CONCEPTS[recommendation]
    for stem in VOCABULARY[recommendation]:
        at = text.find(stem)
        while at > 0 and text[at - 1].isalnum():
            at = text.find(stem, at + 1)
        if at >= 0:
            concept = concepts[stem.strip()]
            found[concept] = min(at, found.get(concept, at))
    return found
