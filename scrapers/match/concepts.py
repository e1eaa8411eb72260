"""The concepts of each recommendation, as precompiled patterns over lower-cased text.

Like `scrapers.match.lexicon` (the shared language of context, commitment and traps), these
describe how UK councils, partnerships and Police and Crime Commissioners write in general,
not phrases from any one document.
"""

from __future__ import annotations

from scrapers.match.patterns import concept, each, hyphened, one_of, words

# --- Recommendation concepts -----------------------------------------------------------------

PRIORITY = concept(
    words(
        "priorit(?:y|ies|ise[sd]?|ize[sd]?|ising|izing)",
        *each(("on", "onto"), " the{words}{{0,2}} agenda"),
        r"one of (?:the|our|my|its|their)(?: [\w'\u2019]++){{0,5}} (?:priorities|policies"
        r"|objectives|commitments|pledges|key aims)",
        "key (?:aim|objective|focus|theme|commitment)s?",
        *each(
            ("objective", "aim", "commitment", "pledge"),
            "s? (?:is )?to (?:tackle|prevent|reduce|end|eradicate|address|combat|disrupt)",
        ),
    ),
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
_MS_TOPICS = ("modern slavery", "slavery", "human trafficking", "trafficking", "exploitation")
_MS_TOPIC = "(?:" + "|".join(_MS_TOPICS) + ")"
NAMED_PRIORITY = concept(
    words(
        *each(
            _MS_TOPICS,
            r"(?: and " + _MS_TOPIC + r")? (?:is |as |remains |will be |becomes )?"
            r"(?:a |an |one of (?:our|the|my) )?(?:key |top |strategic |clear |high |local |main )*"
            r"priorit(?:y|ies)",
        ),
        r"priorit(?:y|ies)(?: \w+)? ?[:\u2013-] ?(?:tackling |preventing |reducing |addressing )?"
        + _MS_TOPIC,
        "prioriti[sz](?:e|es|ed|ing) (?:tackling |preventing |the fight against "
        "|action (?:on|against) )?" + _MS_TOPIC,
    ),
    "priorit",
    needs=("slave", "traffick", "exploit"),
)
_PLAN_OWNERS = (
    *("police and crime", "police & crime", "safety", "justice", "police", "strategic"),
    *("corporate", "council", "housing", "homelessness", "wellbeing", "safeguarding"),
    *("social care", "public health"),
)
# The plans the recommendation names: police and crime, community safety, housing, social
# care, safeguarding boards' plans; and an elected official's own plan or priorities.
STRATEGIC_PLAN = concept(
    words(
        "police {AND} crime (?:plans?|priorities)",
        *each(
            (
                *("community safety {AND} criminal justice", "community safety"),
                *("criminal justice", "police", "strategic", "corporate", "council", "housing"),
                *("homelessness", "health {AND} wellbeing", "safeguarding", "social care"),
                "public health",
            ),
            " (?:plans?|strateg(?:y|ies))",
        ),
        "my (?:plan|priorities|manifesto|pledges?)",
        "mayor{apos}?s?{words}{{0,3}} (?:plan|strategy|priorities)",
    ),
    *(f"{owner} {kind}" for owner in _PLAN_OWNERS for kind in ("plan", "strateg")),
    *("police and crime priorities", "police & crime priorities", "mayor"),
    *(f"my {thing}" for thing in ("plan", "priorities", "manifesto", "pledge")),
)
# The bodies that own such plans; a priority "for the Safeguarding Board" is a plan priority.
_WHOM = "(?: {AND} (?:adults?|children))?"
_BOARD = " (?:boards?|partnerships?)"
STRATEGIC_BODY = concept(
    words(
        r"police {AND} crime (?:commissioner\w*+|panels?)",
        "pccs?",
        *each(
            ("adults?" + _WHOM + " ", "children{apos}?s?" + _WHOM + " ", ""),
            "safeguarding(?: (?:adults?|children)" + _WHOM + ")?" + _BOARD,
        ),
        *each(("health {AND} wellbeing", "statutory", "community safety"), _BOARD),
    ),
    *("police", "pcc", "safeguarding", "health", "statutory", "community"),
)
PARTNERSHIP = concept(
    r"\b(?:"
    + one_of(
        *(r"partnerships?\b", r"multi{hy}agency\b", r"cross{hy}sector\b", r"inter{hy}agency\b"),
        *(r"joint(?:ly)? (?:working|response|approach)\b", r"work(?:ing)? together\b"),
        *(r"networks?\b", r"forums?\b"),
        *each(
            (
                *("steering", "leadership", "working", "sub", "operational", "strategic"),
                *("delivery", "regional", "anti{hy}slavery", "modern slavery"),
                "task {AND} finish",
            ),
            r"{hy}groups?\b",
        ),
        r"marac\b",
        r"co{hy}ordinat(?:ed|ion|e|es|ing) (?:response|action|approach|efforts?|work)\b",
        r"collaborat\w+",
    )
    + ")",
    *("partnership", "multi", "cross", "inter", "joint", "work together", "working together"),
    *("network", "forum", "group", "subgroup", "marac", "coordinat", "ordinat", "collaborat"),
)
# Money or staff for the work. "Commission" the verb, not the Commissioner: a stem may carry
# the character that ends its word.
RESOURCING = concept(
    r"\b(?:"
    + one_of(
        *(r"fund(?:s|ed|ing)?\b", r"resourc(?:e|es|ed|ing)\b", r"budgets?\b", r"grants?\b"),
        *each(
            (
                *("commit", "invest", "allocat", "provid", "secur", "award", "contribut"),
                "ring{hy}fenc",
            ),
            r"\w*+{words}{{0,2}} \u00a3\d",
        ),
        *(r"invest(?:s|ed|ing|ment)\b", r"commission(?:s|ed|ing)?\b", r"chaired\b"),
        *(r"facilitated\b", r"secretariat\b"),
    )
    + ")",
    *("fund", "resourc", "budget", "grant", "\u00a3", "invest", "chaired", "facilitated"),
    *("secretariat", "commissions", "commissioned", "commissioning"),
    *(f"commission{end}" for end in " .,;:)"),
)
_POSTS = ("co{hy}ordinators?", "officers?", "leads?", "posts?", "roles?", "managers?", "staff")
# A post created for the work: "appoint a dedicated Modern Slavery Coordinator".
DEDICATED_POST = concept(
    r"\b(?:"
    + one_of(
        *(r"appoint\w*+", r"recruit\w*+", r"employ\w*+", "dedicated", "full{hy}time"),
        "part{hy}time",
    )
    + "){words}{{0,4}} (?:"
    + one_of(*_POSTS)
    + r")\b",
    *("appoint", "recruit", "employ", "dedicated"),
    *hyphened("full", "time"),
    *hyphened("part", "time"),
    needs=("coordinator", "ordinator", "officer", "lead", "post", "role", "manager", "staff"),
)
# Independent advocacy for victims: IMSAs, ICTAs and guardians, advocacy services, advocates
# for victims; not "advocate" the verb, which TRAPS blanks out first.
ADVOCACY = concept(
    words(
        *("imsas?", "ictas?", "ictgs?"),
        r"independent(?: [\w-]++){{0,3}} (?:advoca\w++|guardians?)",
        *("advocacy (?:services?|support|workers?|provision)", "victim support {AND} advocacy"),
        *("support {AND} advocacy", "advocacy {AND} support"),
        *each(("victims?", "survivors?", "specialist"), "{apos}? advocates?"),
        "advocates? (?:for|to) (?:victims|survivors|children|trafficked|exploited)",
        *each(
            ("an?", "the", "their", "dedicated", "trained", "specialist", "named"),
            r"(?: [\w-]++)? advocates?",
        ),
    ),
    *("imsa", "icta", "ictg", "advoca", "guardian"),
)
# An established route from identification to help: "refer them to local support services".
REFERRAL_ROUTE = concept(
    r"\brefer(?:s|red|ring|ral|rals)?\b{words}{{0,10}} (?:to|into) (?:the |a |an |local "
    r"|specialist |appropriate |[a-z]+{apos}s )*(?:"
    + one_of(
        *("support", "services?", "social (?:services|care)"),
        *("children{apos}?s (?:social )?(?:services|care)", "safeguarding teams?", "specialist"),
        *("providers?", "agency", "agencies"),
    )
    + r")\b",
    "refer",
    needs=("support", "service", "social", "children", "safeguarding", "specialist", "provider")
    + ("agenc",),
)
_ROUTES = ("response", "support", "care", "recovery", "victim", "survivor", "safeguarding")
_ROUTE_KINDS = ("pathway", "protocol", "agreement", "procedure")
# A written route to support: "referral pathway", "Tactical Response Agreement".
SUPPORT_PROTOCOL = concept(
    words(
        "referral (?:pathways?|routes?|process(?:es)?|protocols?|procedures?)",
        *each(_ROUTES, " (?:pathways?|protocols?|agreements?|procedures?)"),
    ),
    *(f"referral {kind}" for kind in (*_ROUTE_KINDS, "route", "process")),
    *(f"{route} {kind}" for route in _ROUTES for kind in _ROUTE_KINDS),
)
# The national referral process, which on its own is a duty to notify, not local support.
NRM = concept(words("nrm", "national referral (?:mechanism|model)"), "nrm", "national referral")
PATHWAY = concept(
    words(
        *each(
            (
                *("modern slavery", "slavery", "trafficking", "exploitation", "victim"),
                *("survivor", "support", "referral", "care", "response", "recovery"),
            ),
            " pathways?",
        ),
        "pathways? (?:to|into|for) (?:support|services|victims|survivors|accommodation|safety"
        "|recovery)",
    ),
    "pathway",
)
SUPPORT = concept(
    words(
        *each(("victim", "survivor"), "s?{apos}? (?:support|care|services?)"),
        "support (?:services?|workers?|providers?|packages?|needs)",
        "support (?:for|to)(?: potential| suspected| identified| adult| child| all)* "
        "(?:victims|survivors)",
        *each(("support", "protect"), r"\w*+(?: \w++){{0,3}} (?:victims|survivors)"),
        *("victim care", "recovery (?:support|services?|needs)"),
    )
)
# A service that supports victims, as distinct from a passing mention of "support".
SUPPORT_SERVICE = concept(
    words(
        *each(
            ("victim", "survivor", "specialist", "recovery"),
            "s?{apos}? (?:support|care) (?:services?|contracts?)",
        ),
        r"support services? (?:for|to)(?: \w++){{0,2}} (?:victims|survivors)",
    ),
    *("support serv", "care serv", "support contract", "care contract"),
)
SAFE_PLACE = concept(
    words(
        *("safe (?:houses?|accommodation|housing|havens?|environment)", "places? of safety"),
        *each(
            ("emergency", "short{hy}term", "move{hy}on", "temporary", "supported"),
            " accommodation",
        ),
        *("reception cent(?:re|er)s?", "refuges?", "shelters?"),
    ),
    *("safe ", "place of safety", "places of safety", "accommodation", "reception"),
    *("refuge", "shelter"),
)
LIVED_EXPERIENCE = concept(
    r"\b(?:"
    + one_of(
        *(r"lived experience\b", r"experts? by experience\b", r"co{hy}produc\w++"),
        *(
            r"co{hy}design\w*+",
            r"voices? of (?:victims|survivors|those affected|people with lived)\b",
        ),
    )
    + ")",
    *("lived experience", "expert", "voice"),
    *hyphened("co", "produc"),
    *hyphened("co", "design"),
)
_VOICE = (
    *("voices?", "led", "informed", "engagement", "involvement", "panels?", "forums?"),
    *("advisory", "consultants?", "ambassadors?", "network"),
)
# Survivors given a voice in the work: "survivor-led", "a survivor advisory panel".
SURVIVOR_VOICE = concept(
    r"\b(?:survivor|victim)s?{apos}?{hy}(?:" + one_of(*_VOICE) + r")\b",
    *("voice", "led", "informed", "engagement", "involvement", "panel", "forum", "advisory"),
    *("consultant", "ambassador", "network"),
    needs=("survivor", "victim"),
)
SURVIVOR_FEEDBACK = concept(
    words(
        *each(
            ("feedback", "views", "input", "insights?", "voices?"),
            r" (?:from|of)(?: \w++){{0,2}} (?:victims|survivors"
            r"|people (?:who|with) (?:have )?(?:experienced|lived)|those (?:who|with|affected))",
        ),
        *each(
            (r"listen\w*+", r"consult\w*+", r"involv\w*+", r"learn\w*+"),
            r" (?:to |with |from )?(?:\w++ ){{0,2}}(?:victims|survivors|people with lived)",
        ),
        *each(
            ("them", "victims", "survivors"),
            r" (?:to )?help (?:to )?(?:design|shape|develop|improve) (?:the |our |local )?services",
        ),
        *each(("victims", "survivors"), " (?:have )?told us"),
    ),
    *("feedback", "views", "input", "insight", "voice", "listen", "consult", "involv", "learn"),
    *(
        f"help {to}{verb}"
        for to in ("", "to ")
        for verb in ("design", "shape", "develop", "improve")
    ),
    "told us",
    needs=("victim", "survivor", "people", "those", "them"),
)
