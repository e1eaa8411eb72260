"""The language the matcher recognises, as precompiled patterns over lower-cased text.

Patterns describe how UK councils, partnerships and Police and Crime Commissioners write about
modern slavery in general, not phrases from any one document. They run on lower-cased text
(cheaper than IGNORECASE) and accept both straight and curly apostrophes and all hyphen forms.

They are also written for the speed of Python's re engine, which tries a pattern at every
position of a passage and its alternatives one after another: alternatives are grouped by
their first letter (`_one_of`), a lookbehind follows the word it qualifies, and a run of word
characters that can only end at a space or a word boundary is possessive (`\\w*+`), so a
failed attempt does not give characters back one at a time. None of this changes what a
pattern matches.
"""

from __future__ import annotations

from scrapers.match.patterns import (
    compile_pattern,
    concept,
    each,
    one_of,
    words,
)

# --- What the document is about -------------------------------------------------------------

# Stems that put a passage in the context of modern slavery, trafficking or exploitation.
MODERN_SLAVERY_STEMS = (
    *("slave", "enslav", "traffick", "exploit", "forced labour", "forced labor"),
    *("forced marriage", "forced criminality", "servitude", "debt bondage", "county lines"),
    *("nrm", "national referral", "imsa", "icta", "duty to notify"),
)
# "This crime" in a modern slavery strategy refers to modern slavery.
ANAPHOR = compile_pattern(
    r"\b(?:this|these|such) (?:"
    + one_of(
        *("crimes?", "area", "issues?", "agenda", "abuses?", "offen[cs]es?", "problem"),
        *("threat", "harm", "exploitation", "type of crime"),
    )
    + r")\b"
)

# --- How strongly something is said ----------------------------------------------------------

COMMITMENT = concept(
    words(
        *("will", "shall", "must", "we{apos}ll", "i{apos}ll", "pledge[sd]?"),
        *("commit(?:s|ted|ment)? to", "committed", "commits? (?:the|our|us|itself|them)"),
        *("determined to", "ensur(?:e|es|ing)", "guarantee[sd]?", "funded", "commissioned"),
        *(r"to be (?:\w+ed|done|made)", "have a duty", "has a duty"),
    ),
    *("will", "shall", "must", "we'll", "we\u2019ll", "i'll", "i\u2019ll", "pledge", "commit"),
    *("determined to", "ensur", "guarantee", "funded", "commissioned", "to be "),
    *("have a duty", "has a duty"),
)
PRACTICE = compile_pattern(
    words(
        *("provides?", "provided", "providing", "delivers?", "delivered", "runs", "leads", "led"),
        *("chairs", "chaired", "hosts", "hosted", "co{hy}ordinates"),
        *("works (?:with|closely|in partnership)", "conducted", "commissions", "funds"),
        *("supports", "offers", "operates", "oversees", "overseen"),
        *each(("is", "are"), " in place"),
        *each(("is", "are"), r" [\w-]+ed (?:by|through|to|with|into)"),
        *each(("is", "are"), " (?:offered|given|allocated)"),
        *each(("has", "have", "was", "were", "has been", "have been"), r" [\w-]+ed"),
        *each(("has", "have"), " set up"),
        *each(("we", "i"), " have"),
        "we (?:also |currently |already |regularly |routinely )?(?:"
        + one_of(
            *("listen", "work", "use", "run", "provide", "fund", "commission", "support"),
            *("offer", "meet", "engage", "consult", "involve", "hold", "deliver", "lead"),
            *("chair", "host"),
        )
        + ")",
    )
)
TENTATIVE = concept(
    words(
        *("explor(?:e|es|ed|ing)", r"aspir\w*+", "hop(?:e|ing) to", "may", "might", "could"),
        *("would", r"pilot\w*+", r"suggest\w*+", "viability", "feasibility", "where possible"),
        *("if possible", "in the future", "consideration (?:will|would|could|may) be given"),
        *("under consideration", "to be considered", "consider(?:ing)? whether"),
    ),
    *("explor", "aspir", "hope to", "hoping to", "may", "might", "could", "would", "pilot"),
    *("suggest", "viability", "feasibility", "where possible", "if possible", "in the future"),
    "consider",
)
_ACTION_VERBS = (
    *("ensure", "develop", "provide", "create", "establish", "implement", "deliver"),
    *("commission", "fund", "work", "engage", "support", "review", "monitor", "strengthen"),
    *("promote", "maintain", "continue", "build", "embed", "secure", "arrange", "refer"),
    *("complete", "identify", "increase", "improve", "undertake", "use", "utilise", "make"),
    *("plan", "introduce", "set up", "appoint", "recruit", "listen", "involve", "consult"),
    *("co-produce", "seek", "invest", "resource", "prioritise", "protect", "safeguard"),
    *("offer", "train", "share", "collaborate", "co-?ordinate", "lead", "chair", "adopt"),
    *("agree", "publish", "test", "explore"),
)
# An action-plan item: "Ensure ...", "To work with ...", "Creating ...", "Police to arrange ...".
LEADING_ACTION = compile_pattern(r"^(?:to )?(?:" + one_of(*_ACTION_VERBS) + r")\b")
LEADING_GERUND = compile_pattern(r"^(?:[a-z-]+ing)\b")
INSTRUCTION = compile_pattern(
    r"^[\w/&'\u2019 -]{{2,60}}? to (?:"
    + one_of(
        *(r"be \w+ed", "work", "arrange", "refer", "complete", "provide", "contact", "secure"),
        *("assess", "follow", "ensure", "support", "discuss", "attend", "review", "notify"),
        *("report", "invite"),
    )
    + r")\b"
)
LIST_NUMBER = compile_pattern(r"^\(?(?:\d{{1,2}}(?:\.\d{{1,2}})*|[a-z])[.)]?\s+")
NEGATED = compile_pattern(
    r"\b(?:"
    + one_of(
        *("not(?! only)", "no", "never", "neither", "nor", "without", "lack(?:s|ing)?(?: of)?"),
        *("unfunded", "isn{apos}t", "aren{apos}t", "wasn{apos}t", "weren{apos}t"),
        *("hasn{apos}t", "haven{apos}t", "doesn{apos}t", "don{apos}t", "cannot", "can{apos}t"),
        *("won{apos}t", "unable to"),
    )
    + r")\b[^.;:,!?]*$"
)
NEGATION_WINDOW = 45

# --- Traps: words that look like a recommendation but are not --------------------------------

_ADVOCATES = (
    *("we", "i", "they", "you", "to", "will", "would", "can", "could", "should", "must", "may"),
    *("might", "shall", "and", "also", "who", "strongly", "actively"),
)
_DISASTERS = ("fire", "flood", "grenfell", "cancer", "stroke", "disaster", "bombing", "holocaust")
_HARMS = (
    *("fires?", r"flood\w*+", "cancer", "strokes?", "disasters?", "attacks?", "bombings?"),
    *("accidents?", r"crash\w*+", "holocaust", "suicide", "tsunami", "earthquakes?"),
    *("explosions?", "tragedy", r"covid\S*"),
)
TRAPS = concept(
    words(
        *("in priority need", "priority need"),  # homelessness law
        *("lord advocate", "advocates? general", "devil{apos}s advocate", "faculty of advocates"),
        *("policy advocacy", "advocacy campaigns?"),
        *each(_ADVOCATES, " advocate[sd]?"),
        "advocating",
        r"survivors? of (?:the |a |an )?(?:[\w'\u2019-]+ ){{0,3}}?(?:" + "|".join(_HARMS) + ")",
        *each((*_DISASTERS, "covid"), "{hy}survivors?"),
    ),
    *("priority need", "advoca", "survivors of", "survivor of", "fire"),
    *("flood", "grenfell", "cancer", "stroke", "disaster", "bombing", "holocaust", "covid"),
)
# Whitehall, not the devolved governments (the lookbehinds follow the word they qualify).
_GOVERNMENT = "government(?<!welsh government)(?<!scottish government)"
_WHITEHALL = ("home office", "central government", _GOVERNMENT, "ministry of justice")
# Money from Whitehall for national services is not a local partnership being resourced.
NATIONAL_FUNDING = concept(
    words(
        *each((*_WHITEHALL, "national"), "{words}{{0,2}} (?:funded|funding|grants?|contracts?)"),
        "funded (?:centrally|nationally|by (?:the )?(?:" + one_of(*_WHITEHALL) + "))",
    ),
    *("home office", "government", "ministry of justice", "national", "funded centrally"),
)
# A passage about what Whitehall does, with no local actor in it, is not a local commitment.
NATIONAL_ACTOR = concept(
    words("home office", _GOVERNMENT, "nationally", "victim care contract"),
    *("home office", "government", "nationally", "victim care contract"),
)
LOCAL_ACTOR = compile_pattern(
    words(
        *("we", "our", "us", "i", "my", "local(?:ly)?", "council", "partnership", "partners"),
        *("board", "county", "borough", "city", "police", "force", "commissioner"),
        *("social (?:services|care)", "authority", "authorities"),
    )
)
SUPPLY_CHAIN = concept(
    words(
        *("supply chains?", "suppliers?", "procurement", "sourcing", "due diligence", r"audit\w*+"),
        *("factor(?:y|ies)", "tier [1-3]", "contractors?", r"tender\w*+", "section 54"),
        *(r"ethical trad\w*+", "transparency statements?"),
    ),
    *("supply chain", "supplier", "procurement", "sourcing", "due diligence", "audit", "factor"),
    *("tier ", "contractor", "tender", "section 54", "ethical trad", "transparency statement"),
)
