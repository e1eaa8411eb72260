"""The hand-written rules' reading of a document: which rule fires where, and how firmly.

The learned scorer (`scrapers.match.scoring`) uses these readings as features beside the
passage's words, so the rules' precision is kept while their brittleness is not.
Matching is pure: passages in, the rules' proposals out. A score multiplies how clearly the
passage is about modern slavery (the passage itself, its heading, or the document as a whole)
by how firmly it is said (a pledge, a report of practice, a description, something explored);
known traps lower a score or stop a rule from firing. Scores of 0.5 and above are worth a
reviewer's time.

Regular expressions are the costly part, so they run only where they can match: a pass over
the document for each rule's anchor stems picks the passages worth reading, a second pass over
those finds every stem group, and a rule or check runs only in passages holding its stems.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from scrapers.match import lexicon as lx
from scrapers.match.anchors import Haystack
from scrapers.match.patterns import Concept
from scrapers.match.proposals import Proposal
from scrapers.match.rules import (
    ANCHORS,
    BASE,
    BY_REFERENCE,
    COMMITTED,
    CONCEPT_GATES,
    DESCRIBED,
    IN_DOCUMENT,
    IN_HEADING,
    IN_PASSAGE,
    IN_PRACTICE,
    MENTIONS,
    MODERN_SLAVERY_BIT,
    NATIONAL_ONLY,
    RULE_BITS,
    STEMS,
    SUPPLY_CHAIN,
    SUPPLY_CHAIN_BIT,
    TENTATIVE,
    TENTATIVE_BIT,
    TRAPS_BIT,
    Rule,
    rules_for,
)
from scrapers.passages import Passage

_SENTENCE_END = re.compile(r"[.;!?](?=\s)")
# Matches below this are noise, not candidates.
MIN_SCORE = 0.2
# A document is about modern slavery if it opens with it or keeps coming back to it; a footer
# link or a menu item is one short passage among many and makes nothing about it.
_OPENING_PASSAGES = 2
_SUBJECT_SHARE = 0.2
_SUBJECT_MIN_PASSAGES = 3


def rule_matches(passages: Sequence[Passage]) -> list[Proposal]:
    """Return, best first, the passages where some rule fires for a recommendation."""
    haystack = Haystack.of([passage.text for passage in passages])
    # Only a passage holding some rule's anchor can match, so only those are read further.
    anchored = ANCHORS.where(haystack)
    indexes = list(anchored)
    found = STEMS.scan(haystack.part(anchored.values()))
    scorer = _Scorer(passages, haystack)
    matches: list[Proposal] = []
    for position, bits in found.items():
        rules = rules_for(bits & RULE_BITS)
        if rules:
            matches.extend(scorer.score(passages[indexes[position]], bits, rules))
    matches.sort(key=lambda m: (-m.score, m.start))
    return matches


def _is_subject(passages: Sequence[Passage], haystack: Haystack) -> bool:
    """Say whether the document as a whole is about modern slavery, from where it is named."""
    if MENTIONS.scan(haystack.head(_OPENING_PASSAGES)):
        return True
    mentions = len(MENTIONS.scan(haystack))
    return mentions >= max(_SUBJECT_MIN_PASSAGES, _SUBJECT_SHARE * len(passages))


class _Reading:
    """A candidate passage as the rules read it, remembering what has been looked for.

    Several rules share a concept (two ask for a priority, two for a partnership) and the
    weighing asks again for commitment language, so each search runs once per passage.
    """

    __slots__ = ("text", "bits", "_live", "_found")

    def __init__(self, text: str, bits: int) -> None:
        self.text = text
        self.bits = bits
        self._live: dict[Concept, int] = {}
        self._found: dict[Concept, bool] = {}

    def live(self, concept: Concept) -> int:
        """Return the start of a rule key's first un-negated occurrence, or -1.

        Only asked of the keys of rules whose stems the passage holds, so the search runs.
        """
        position = self._live.get(concept)
        if position is None:
            position = self._live[concept] = _live_start(concept.pattern, self.text)
        return position

    def has(self, concept: Concept) -> bool:
        """Say whether the concept occurs at all, negated or not."""
        found = self._found.get(concept)
        if found is None:
            found = self.may_hold(concept) and concept.pattern.search(self.text) is not None
            self._found[concept] = found
        return found

    def may_hold(self, concept: Concept) -> bool:
        """Say whether the passage holds the concept's stems, without which it cannot occur."""
        gate = CONCEPT_GATES.get(concept, 0)
        return self.bits & gate == gate


class _Scorer:
    """Score the rules that could fire in a passage, remembering what each heading says."""

    def __init__(self, passages: Sequence[Passage], haystack: Haystack) -> None:
        self._passages = passages
        self._haystack = haystack
        self._subject: bool | None = None
        self._mentions: dict[str | None, bool] = {}
        self._commits: dict[str | None, bool] = {}

    def score(self, passage: Passage, bits: int, rules: tuple[Rule, ...]) -> list[Proposal]:
        """Keep the best firing rule per recommendation, if it scores at least MIN_SCORE.

        `bits` are the stem groups found in the passage, which say which of the weighing
        checks can be skipped.
        """
        heading = passage.heading
        mentioned = bool(bits & MODERN_SLAVERY_BIT)
        if not (mentioned or self._is_subject() or self._heading_mentions(heading)):
            return []  # nothing ties this passage to modern slavery: no rule can count
        text = passage.text.lower()
        if bits & TRAPS_BIT:
            text = _mask(text, lx.TRAPS.pattern)
        reading = _Reading(text, bits)
        fired = _fired(rules, reading)
        if not fired:
            return []
        context = self._context(text, mentioned, heading)
        # A rule whose key is itself a pledge needs no weighing of how firmly it is said.
        asserts = all(rule.asserts for rule, _ in fired)
        firmness = COMMITTED if asserts else self._firmness(reading, heading)
        national = _national_weight(reading)
        matches = []
        for rule, position in fired:
            where = rule.in_document if context == IN_DOCUMENT else context
            weight = national * _sentence_weight(text, position, bits)
            score = BASE * (COMMITTED if rule.asserts else firmness) * where * weight
            if score >= MIN_SCORE:
                matches.append(_match(passage, rule, score))
        return matches

    def _is_subject(self) -> bool:
        """Say whether the document is about modern slavery (asked only where a passage is not)."""
        if self._subject is None:
            self._subject = _is_subject(self._passages, self._haystack)
        return self._subject

    def _heading_mentions(self, heading: str | None) -> bool:
        """Say whether a heading names modern slavery (asked only where the passage does not)."""
        found = self._mentions.get(heading)
        if found is None:
            found = self._mentions[heading] = bool(MENTIONS.groups_in(heading or ""))
        return found

    def _heading_commits(self, heading: str | None) -> bool:
        """Say whether a heading makes a commitment ("We will support victims by:")."""
        found = self._commits.get(heading)
        if found is None:
            lowered = (heading or "").lower()
            found = self._commits[heading] = lx.COMMITMENT.pattern.search(lowered) is not None
        return found

    def _context(self, text: str, mentioned: bool, heading: str | None) -> float:
        """Weigh how clearly a passage known to have some context is about modern slavery."""
        if mentioned:
            return IN_PASSAGE
        if self._is_subject() and lx.ANAPHOR.search(text):
            return BY_REFERENCE
        return IN_HEADING if self._heading_mentions(heading) else IN_DOCUMENT

    def _firmness(self, reading: _Reading, heading: str | None) -> float:
        """Weigh how firmly a passage is said: a pledge, a report of practice, or description.

        Action-plan items ("Ensure ...", "To work with ...", "Police to arrange ...") are
        pledges; a list of "-ing" items is practice, or a pledge under a heading such as
        "We will ... by:".
        """
        text = reading.text
        number = lx.LIST_NUMBER.match(text)
        item = text[number.end() :] if number else text
        if (
            reading.has(lx.COMMITMENT)
            or lx.LEADING_ACTION.match(item)
            or lx.INSTRUCTION.match(item)
        ):
            return COMMITTED
        if lx.LEADING_GERUND.match(item):
            return COMMITTED if self._heading_commits(heading) else IN_PRACTICE
        return IN_PRACTICE if lx.PRACTICE.search(text) else DESCRIBED


def _fired(rules: tuple[Rule, ...], reading: _Reading) -> list[tuple[Rule, int]]:
    """Return the first rule to fire for each recommendation, with where its key was found.

    Rules are listed strongest first, and the first to fire speaks for its recommendation,
    so the rest need not be tried.
    """
    fired: dict[str, tuple[Rule, int]] = {}
    for rule in rules:
        if rule.recommendation not in fired:
            position = _fires(rule, reading)
            if position >= 0:
                fired[rule.recommendation] = (rule, position)
    return list(fired.values())


def _fires(rule: Rule, reading: _Reading) -> int:
    """Return where a rule's key occurs un-negated beside its companion concepts, or -1."""
    position = reading.live(rule.key)
    if position < 0:
        return -1
    masks = [mask for mask in rule.masks if reading.may_hold(mask)] if rule.masks else ()
    if masks:  # masks only remove matches: apply them once the key is known to be live
        text = reading.text
        for mask in masks:
            text = _mask(text, mask.pattern)
        if text is not reading.text:
            reading = _Reading(text, reading.bits)
            position = reading.live(rule.key)
    return position if position >= 0 and all(reading.has(c) for c in rule.also) else -1


def _live_start(pattern: re.Pattern[str], text: str) -> int:
    """Return the start of a pattern's first un-negated occurrence, or -1."""
    found = pattern.search(text)
    while found is not None:
        start = found.start()
        if not lx.NEGATED.search(text, max(0, start - lx.NEGATION_WINDOW), start):
            return start
        found = pattern.search(text, found.end())
    return -1


def _match(passage: Passage, rule: Rule, score: float) -> Proposal:
    """Propose a passage for the rule's recommendation."""
    return Proposal.of(passage, recommendation=rule.recommendation, score=score, rule=rule.name)


def _national_weight(reading: _Reading) -> float:
    """Weigh down a passage about national provision with no local actor anywhere in it."""
    if reading.has(lx.NATIONAL_ACTOR):
        return 1.0 if lx.LOCAL_ACTOR.search(reading.text) else NATIONAL_ONLY
    return 1.0


def _sentence_weight(text: str, position: int, bits: int) -> float:
    """Weigh down a match whose own sentence is about supply chains or only explores an idea.

    Judged on the sentence, not the passage: "We will review procurement. We will refer
    victims to support services." commits to the second whatever the first is about.
    """
    if not bits & (SUPPLY_CHAIN_BIT | TENTATIVE_BIT):
        return 1.0
    sentence = _sentence(text, position)
    weight = 1.0
    if bits & SUPPLY_CHAIN_BIT and lx.SUPPLY_CHAIN.pattern.search(sentence):
        weight *= SUPPLY_CHAIN
    if bits & TENTATIVE_BIT and lx.TENTATIVE.pattern.search(sentence):
        weight *= TENTATIVE
    return weight


def _sentence(text: str, position: int) -> str:
    """Return the sentence (or clause ended by a semicolon) around a position."""
    start = 0
    for end in _SENTENCE_END.finditer(text, 0, position):
        start = end.end()
    stop = _SENTENCE_END.search(text, position)
    return text[start : stop.start() if stop else len(text)]


def _mask(text: str, pattern: re.Pattern[str]) -> str:
    """Blank out a pattern's matches, keeping offsets, so trap phrases cannot match a rule.

    Return `text` itself when nothing matched, so callers can tell that nothing changed.
    """
    masked, count = pattern.subn(_blank, text)
    return masked if count else text


def _blank(found: re.Match[str]) -> str:
    """Return as many spaces as the match is long."""
    return " " * (found.end() - found.start())
