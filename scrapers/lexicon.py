"""The language the matcher recognises, as precompiled patterns over lower-cased text.

Patterns describe how UK councils, partnerships and Police and Crime Commissioners write about
modern slavery in general, not phrases from any one document. They run on lower-cased text
(cheaper than IGNORECASE) and accept both straight and curly apostrophes and all hyphen forms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_APOS = "['\u2019]"
_HY = "[-\u2010\u2011\u2013 ]?"  # hyphen, non-breaking hyphen, en dash, space or nothing
_AND = "(?:and|&)"
_WORDS = "(?: [\\w'\u2019-]+)"


def _compile(pattern: str) -> re.Pattern[str]:
    """Compile a pattern written with {apos}, {hy}, {and} and {words} placeholders.

    ASCII word rules are half again as fast as Unicode ones, and the words matched are English.
    """
    return re.compile(pattern.format(apos=_APOS, hy=_HY, AND=_AND, words=_WORDS), re.ASCII)


def _hyphened(head: str, tail: str) -> tuple[str, ...]:
    """Spell a compound every way {hy} allows: "coproduc", "co-produc", "co produc"..."""
    return tuple(head + joint + tail for joint in ("", "-", "\u2010", "\u2011", "\u2013", " "))


@dataclass(frozen=True, slots=True)
class Concept:
    """A precise pattern, and groups of word stems that every match of it draws on.

    The stems let one Aho-Corasick pass rule out passages before any regex runs, so they must
    be necessary: every match contains, at a word start, a stem from each group. A concept too
    common to be worth prefiltering ("will", "support") has no groups and only its pattern.
    """

    pattern: re.Pattern[str]
    stems: tuple[tuple[str, ...], ...]


def _concept(pattern: str, *stems: str, needs: tuple[str, ...] = ()) -> Concept:
    """Compile a concept; `stems` is one necessary group, `needs` another if given."""
    return Concept(_compile(pattern), tuple(group for group in (stems, needs) if group))


# --- What the document is about -------------------------------------------------------------

# Stems that put a passage in the context of modern slavery, trafficking or exploitation.
MODERN_SLAVERY_STEMS = (
    "slave", "enslav", "traffick", "exploit", "forced labour", "forced labor", "forced marriage",
    "forced criminality", "servitude", "debt bondage", "county lines", "nrm", "national referral",
    "imsa", "icta", "duty to notify",
)  # fmt: skip
# "This crime" in a modern slavery strategy refers to modern slavery.
ANAPHOR = _compile(
    r"\b(?:this|these|such) (?:crimes?|area|issues?|agenda|abuses?|offen[cs]es?|problem"
    r"|threat|harm|exploitation|type of crime)\b"
)

# --- How strongly something is said ----------------------------------------------------------

COMMITMENT = _concept(
    r"\b(?:will|shall|must|we{apos}ll|i{apos}ll|pledge[sd]?|commit(?:s|ted|ment)? to|committed"
    r"|commits? (?:the|our|us|itself|them)|determined to|ensur(?:e|es|ing)|guarantee[sd]?"
    r"|funded|commissioned|to be (?:\w+ed|done|made)|(?:have|has) a duty)\b"
)
PRACTICE = _compile(
    r"\b(?:provides?|provided|providing|delivers?|delivered|runs|leads|led|chairs|chaired"
    r"|hosts|hosted|co{hy}ordinates|works (?:with|closely|in partnership)|conducted|commissions"
    r"|funds|supports|offers|operates|oversees|overseen|(?:is|are) in place"
    r"|(?:is|are) [\w-]+ed (?:by|through|to|with|into)|(?:is|are) (?:offered|given|allocated)"
    r"|(?:has|have|was|were|has been|have been) [\w-]+ed|(?:has|have) set up|(?:we|i) have"
    r"|we (?:also |currently |already |regularly |routinely )?(?:listen|work|use|run|provide"
    r"|fund|commission|support|offer|meet|engage|consult|involve|hold|deliver|lead|chair|host))\b"
)
TENTATIVE = _concept(
    r"\b(?:explor(?:e|es|ed|ing)|aspir\w*|hop(?:e|ing) to|may|might|could|would|pilot\w*"
    r"|suggest\w*|viability|feasibility|where possible|if possible|in the future"
    r"|consideration (?:will|would|could|may) be given|under consideration|to be considered"
    r"|consider(?:ing)? whether)\b",
    *("explor", "aspir", "hope to", "hoping to", "may", "might", "could", "would", "pilot"),
    *("suggest", "viability", "feasibility", "where possible", "if possible", "in the future"),
    "consider",
)
_ACTION_VERBS = (
    "ensure|develop|provide|create|establish|implement|deliver|commission|fund|work|engage"
    "|support|review|monitor|strengthen|promote|maintain|continue|build|embed|secure|arrange"
    "|refer|complete|identify|increase|improve|undertake|use|utilise|make|plan|introduce|set up"
    "|appoint|recruit|listen|involve|consult|co-produce|seek|invest|resource|prioritise"
    "|protect|safeguard|offer|train|share|collaborate|co-?ordinate|lead|chair|adopt|agree"
    "|publish|test|explore"
)
# An action-plan item: "Ensure ...", "To work with ...", "Creating ...", "Police to arrange ...".
LEADING_ACTION = _compile(r"^(?:to )?(?:" + _ACTION_VERBS + r")\b")
LEADING_GERUND = _compile(r"^(?:[a-z-]+ing)\b")
INSTRUCTION = _compile(
    r"^[\w/&'\u2019 -]{{2,60}}? to (?:be \w+ed|work|arrange|refer|complete|provide|contact"
    r"|secure|assess|follow|ensure|support|discuss|attend|review|notify|report|invite)\b"
)
LIST_NUMBER = _compile(r"^\(?(?:\d{{1,2}}(?:\.\d{{1,2}})*|[a-z])[.)]?\s+")
NEGATED = _compile(
    r"\b(?:not(?! only)|no|never|neither|nor|without|lack(?:s|ing)?(?: of)?|unfunded"
    r"|isn{apos}t|aren{apos}t|wasn{apos}t|weren{apos}t|hasn{apos}t|haven{apos}t"
    r"|doesn{apos}t|don{apos}t|cannot|can{apos}t|won{apos}t|unable to)\b[^.;:,!?]*$"
)
NEGATION_WINDOW = 45

# --- Traps: words that look like a recommendation but are not --------------------------------

TRAPS = _concept(
    r"\b(?:in )?priority need\b"  # homelessness law
    r"|\blord advocate\b|\badvocates? general\b|\bdevil{apos}s advocate\b"
    r"|\bfaculty of advocates\b|\bpolicy advocacy\b|\badvocacy campaigns?\b"
    r"|\b(?:we|i|they|you|to|will|would|can|could|should|must|may|might|shall|and|also|who"
    r"|strongly|actively) advocate[sd]?\b|\badvocating\b"
    r"|\bsurvivors? of (?:the |a |an )?(?:[\w'\u2019-]+ ){{0,3}}?(?:fires?|flood\w*|cancer"
    r"|strokes?|disasters?|attacks?|bombings?|accidents?|crash\w*|holocaust|suicide|tsunami"
    r"|earthquakes?|explosions?|tragedy|covid\S*)\b"
    r"|\b(?:fire|flood|grenfell|cancer|stroke|disaster|bombing|holocaust|covid){hy}survivors?\b",
    *("priority need", "advoca", "survivors of", "survivor of", "fire"),
    *("flood", "grenfell", "cancer", "stroke", "disaster", "bombing", "holocaust", "covid"),
)
# Money from Whitehall for national services is not a local partnership being resourced.
NATIONAL_FUNDING = _compile(
    r"\b(?:home office|central government|(?<!welsh )(?<!scottish )government|ministry of "
    r"justice|national){words}{{0,2}} (?:funded|funding|grants?|contracts?)\b"
    r"|\bfunded (?:centrally|nationally|by (?:the )?(?:home office|central government"
    r"|ministry of justice|(?<!welsh )(?<!scottish )government))\b"
)
# A passage about what Whitehall does, with no local actor in it, is not a local commitment.
NATIONAL_ACTOR = _concept(
    r"\b(?:home office|(?<!welsh )(?<!scottish )government|nationally|victim care contract)\b",
    *("home office", "government", "nationally", "victim care contract"),
)
LOCAL_ACTOR = _compile(
    r"\b(?:we|our|us|i|my|local(?:ly)?|council|partnership|partners|board|county|borough|city"
    r"|police|force|commissioner|social (?:services|care)|authority|authorities)\b"
)
SUPPLY_CHAIN = _concept(
    r"\b(?:supply chains?|suppliers?|procurement|sourcing|due diligence|audit\w*|factor(?:y|ies)"
    r"|tier [1-3]|contractors?|tender\w*|section 54|ethical trad\w*|transparency statements?)\b",
    *("supply chain", "supplier", "procurement", "sourcing", "due diligence", "audit", "factor"),
    *("tier ", "contractor", "tender", "section 54", "ethical trad", "transparency statement"),
)

# --- Recommendation concepts -----------------------------------------------------------------

PRIORITY = _concept(
    r"\bpriorit(?:y|ies|ise[sd]?|ize[sd]?|ising|izing)\b|\b(?:on|onto) the{words}{{0,2}} agenda\b"
    r"|\bone of (?:the|our|my|its|their)(?: [\w'\u2019]+){{0,5}} (?:priorities|policies"
    r"|objectives|commitments|pledges|key aims)\b"
    r"|\bkey (?:aim|objective|focus|theme|commitment)s?\b"
    r"|\b(?:objective|aim|commitment|pledge)s? (?:is )?to (?:tackle|prevent|reduce|end"
    r"|eradicate|address|combat|disrupt)\b",
    *("priorit", "agenda", "one of"),
    *(f"key {word}" for word in ("aim", "objective", "focus", "theme", "commitment")),
    *(
        f"{word}{plural} {verb}"
        for word in ("objective", "aim", "commitment", "pledge")
        for plural in ("", "s")
        for verb in ("to", "is to")
    ),
)
# Modern slavery named as the priority: "Modern Slavery Priority Plan", "make modern slavery a
# priority", "Priority 3: tackling exploitation", "prioritise tackling human trafficking".
_MS_TOPIC = r"(?:modern slavery|slavery|human trafficking|trafficking|exploitation)"
NAMED_PRIORITY = _concept(
    r"\b" + _MS_TOPIC + r"(?: and " + _MS_TOPIC + r")? (?:is |as |remains |will be |becomes )?"
    r"(?:a |an |one of (?:our|the|my) )?(?:key |top |strategic |clear |high |local |main )*"
    r"priorit(?:y|ies)\b"
    r"|\bpriorit(?:y|ies)(?: \w+)? ?[:\u2013-] ?(?:tackling |preventing |reducing |addressing )?"
    + _MS_TOPIC
    + r"\b|\bprioriti[sz](?:e|es|ed|ing) (?:tackling |preventing |the fight against "
    r"|action (?:on|against) )?" + _MS_TOPIC + r"\b",
    "priorit",
    needs=("slave", "traffick", "exploit"),
)
_PLAN_OWNERS = (
    "police and crime", "police & crime", "safety", "justice", "police", "strategic", "corporate",
    "council", "housing", "homelessness", "wellbeing", "safeguarding", "social care",
    "public health",
)  # fmt: skip
# The plans the recommendation names: police and crime, community safety, housing, social
# care, safeguarding boards' plans; and an elected official's own plan or priorities.
STRATEGIC_PLAN = _concept(
    r"\bpolice {AND} crime (?:plans?|priorities)\b"
    r"|\b(?:community safety(?: {AND} criminal justice)?|criminal justice|police|strategic"
    r"|corporate|council|housing|homelessness|health {AND} wellbeing|safeguarding|social care"
    r"|public health) (?:plans?|strateg(?:y|ies))\b"
    r"|\bmy (?:plan|priorities|manifesto|pledges?)\b|\bmayor{apos}?s?{words}{{0,3}} "
    r"(?:plan|strategy|priorities)\b",
    *(f"{owner} {kind}" for owner in _PLAN_OWNERS for kind in ("plan", "strateg")),
    *("police and crime priorities", "police & crime priorities", "mayor"),
    *(f"my {thing}" for thing in ("plan", "priorities", "manifesto", "pledge")),
)
# The bodies that own such plans; a priority "for the Safeguarding Board" is a plan priority.
STRATEGIC_BODY = _concept(
    r"\bpolice {AND} crime (?:commissioner\w*|panels?)\b|\bpccs?\b"
    r"|\b(?:(?:adults?|children{apos}?s?)(?: {AND} (?:adults?|children))? )?safeguarding"
    r"(?: (?:adults?|children)(?: {AND} (?:adults?|children))?)? (?:boards?|partnerships?)\b"
    r"|\b(?:health {AND} wellbeing|statutory|community safety) (?:boards?|partnerships?)\b",
    *("police", "pcc", "safeguarding", "health", "statutory", "community"),
)
PARTNERSHIP = _concept(
    r"\bpartnerships?\b|\bmulti{hy}agency\b|\bcross{hy}sector\b|\binter{hy}agency\b"
    r"|\bjoint(?:ly)? (?:working|response|approach)\b|\bwork(?:ing)? together\b|\bnetworks?\b"
    r"|\bforums?\b|\b(?:steering|leadership|working|sub|operational|strategic|delivery|regional"
    r"|anti{hy}slavery|modern slavery|task {AND} finish){hy}groups?\b|\bmarac\b"
    r"|\bco{hy}ordinat(?:ed|ion|e|es|ing) (?:response|action|approach|efforts?|work)\b"
    r"|\bcollaborat\w+",
    *("partnership", "multi", "cross", "inter", "joint", "work together", "working together"),
    *("network", "forum", "group", "subgroup", "marac", "coordinat", "ordinat", "collaborat"),
)
# Money or staff for the work. "Commission" the verb, not the Commissioner: a stem may carry
# the character that ends its word.
RESOURCING = _concept(
    r"\bfund(?:s|ed|ing)?\b|\bresourc(?:e|es|ed|ing)\b|\bbudgets?\b|\bgrants?\b"
    r"|\b(?:commit|invest|allocat|provid|secur|award|contribut|ring{hy}fenc)\w*{words}{{0,2}} "
    r"\u00a3\d"
    r"|\binvest(?:s|ed|ing|ment)\b|\bcommission(?:s|ed|ing)?\b|\bchaired\b|\bfacilitated\b"
    r"|\bsecretariat\b",
    *("fund", "resourc", "budget", "grant", "\u00a3", "invest", "chaired", "facilitated"),
    *("secretariat", "commissions", "commissioned", "commissioning"),
    *(f"commission{end}" for end in " .,;:)"),
)
_POSTS = ("co{hy}ordinators?", "officers?", "leads?", "posts?", "roles?", "managers?", "staff")
# A post created for the work: "appoint a dedicated Modern Slavery Coordinator".
DEDICATED_POST = _concept(
    r"\b(?:appoint\w*|recruit\w*|employ\w*|dedicated|full{hy}time|part{hy}time){words}{{0,4}} "
    r"(?:" + "|".join(_POSTS) + r")\b",
    *("coordinator", "ordinator", "officer", "lead", "post", "role", "manager", "staff"),
    needs=("appoint", "recruit", "employ", "dedicated")
    + _hyphened("full", "time")
    + _hyphened("part", "time"),
)
# Independent advocacy for victims: IMSAs, ICTAs and guardians, advocacy services, advocates
# for victims; not "advocate" the verb, which TRAPS blanks out first.
ADVOCACY = _concept(
    r"\bimsas?\b|\bictas?\b|\bictgs?\b|\bindependent(?: [\w-]+){{0,3}} (?:advoca\w+|guardians?)\b"
    r"|\badvocacy (?:services?|support|workers?|provision)\b|\b(?:victim )?support {AND} advocacy\b"
    r"|\badvocacy {AND} support\b|\b(?:victims?|survivors?|specialist){apos}? advocates?\b"
    r"|\badvocates? (?:for|to) (?:victims|survivors|children|trafficked|exploited)\b"
    r"|\b(?:an?|the|their|dedicated|trained|specialist|named)(?: [\w-]+)? advocates?\b",
    *("imsa", "icta", "ictg", "advoca", "guardian"),
)
# An established route from identification to help: "refer them to local support services".
REFERRAL_ROUTE = _concept(
    r"\brefer(?:s|red|ring|ral|rals)?\b{words}{{0,10}} (?:to|into) (?:the |a |an |local "
    r"|specialist |appropriate |[a-z]+{apos}s )*(?:support|services?|social (?:services|care)"
    r"|children{apos}?s (?:social )?"
    r"(?:services|care)|safeguarding teams?|specialist|providers?|agency|agencies)\b",
    "refer",
    needs=("support", "service", "social", "children", "safeguarding", "specialist", "provider")
    + ("agenc",),
)
_ROUTES = ("response", "support", "care", "recovery", "victim", "survivor", "safeguarding")
_ROUTE_KINDS = ("pathway", "protocol", "agreement", "procedure")
# A written route to support: "referral pathway", "Tactical Response Agreement".
SUPPORT_PROTOCOL = _concept(
    r"\breferral (?:pathways?|routes?|process(?:es)?|protocols?|procedures?)\b"
    r"|\b(?:" + "|".join(_ROUTES) + r") (?:pathways?|protocols?|agreements?|procedures?)\b",
    *(f"referral {kind}" for kind in (*_ROUTE_KINDS, "route", "process")),
    *(f"{route} {kind}" for route in _ROUTES for kind in _ROUTE_KINDS),
)
# The national referral process, which on its own is a duty to notify, not local support.
NRM = _concept(r"\bnrm\b|\bnational referral (?:mechanism|model)\b", "nrm", "national referral")
PATHWAY = _concept(
    r"\b(?:modern slavery|slavery|trafficking|exploitation|victim|survivor|support|referral|care"
    r"|response|recovery) pathways?\b|\bpathways? (?:to|into|for) (?:support|services|victims"
    r"|survivors|accommodation|safety|recovery)\b",
    "pathway",
)
SUPPORT = _concept(
    r"\b(?:victim|survivor)s?{apos}? (?:support|care|services?)\b"
    r"|\bsupport (?:services?|workers?|providers?|packages?|needs)\b"
    r"|\bsupport (?:for|to)(?: potential| suspected| identified| adult| child| all)* "
    r"(?:victims|survivors)\b|\b(?:support|protect)\w*(?: \w+){{0,3}} (?:victims|survivors)\b"
    r"|\bvictim care\b|\brecovery (?:support|services?|needs)\b"
)
# A service that supports victims, as distinct from a passing mention of "support".
SUPPORT_SERVICE = _concept(
    r"\b(?:victim|survivor|specialist|recovery)s?{apos}? (?:support|care) (?:services?|contracts?)"
    r"\b|\bsupport services? (?:for|to)(?: \w+){{0,2}} (?:victims|survivors)\b",
    *("support serv", "care serv", "support contract", "care contract"),
)
SAFE_PLACE = _concept(
    r"\bsafe (?:houses?|accommodation|housing|havens?|environment)\b|\bplaces? of safety\b"
    r"|\b(?:emergency|short{hy}term|move{hy}on|temporary|supported) accommodation\b"
    r"|\breception cent(?:re|er)s?\b|\brefuges?\b|\bshelters?\b",
    *("safe ", "place of safety", "places of safety", "accommodation", "reception"),
    *("refuge", "shelter"),
)
LIVED_EXPERIENCE = _concept(
    r"\blived experience\b|\bexperts? by experience\b|\bco{hy}produc\w+|\bco{hy}design\w*"
    r"|\bvoices? of (?:victims|survivors|those affected|people with lived)\b",
    *("lived experience", "expert", "voice"),
    *_hyphened("co", "produc"),
    *_hyphened("co", "design"),
)
_VOICE = (
    "voices?", "led", "informed", "engagement", "involvement", "panels?", "forums?", "advisory",
    "consultants?", "ambassadors?", "network",
)  # fmt: skip
# Survivors given a voice in the work: "survivor-led", "a survivor advisory panel".
SURVIVOR_VOICE = _concept(
    r"\b(?:survivor|victim)s?{apos}?{hy}(?:" + "|".join(_VOICE) + r")\b",
    "survivor",
    "victim",
    needs=(
        "voice",
        "led",
        "informed",
        "engagement",
        "involvement",
        "panel",
        "forum",
        "advisory",
        "consultant",
        "ambassador",
        "network",
    ),  # fmt: skip
)
SURVIVOR_FEEDBACK = _concept(
    r"\b(?:feedback|views|input|insights?|voices?) (?:from|of)(?: \w+){{0,2}} (?:victims|survivors"
    r"|people (?:who|with) (?:have )?(?:experienced|lived)|those (?:who|with|affected))\b"
    r"|\b(?:listen\w*|consult\w*|involv\w*|learn\w*) (?:to |with |from )?(?:\w+ ){{0,2}}"
    r"(?:victims|survivors|people with lived)\b"
    r"|\b(?:them|victims|survivors) (?:to )?help (?:to )?(?:design|shape|develop"
    r"|improve) (?:the |our |local )?services\b|\b(?:victims|survivors) (?:have )?told us\b",
    *("feedback", "views", "input", "insight", "voice", "listen", "consult", "involv", "learn"),
    *(
        f"help {to}{verb}"
        for to in ("", "to ")
        for verb in ("design", "shape", "develop", "improve")
    ),
    "told us",
    needs=("victim", "survivor", "people", "those", "them"),
)
