"""Find passages that commit to the five recommendations, scored for human review.

Matching is pure: passages in, candidate matches out. A score multiplies how clearly the
passage is about modern slavery (the passage itself, its heading, or the document as a whole)
by how firmly it is said (a pledge, a report of practice, a description, something explored);
known traps lower a score or stop a rule from firing. Scores of 0.5 and above are worth a
reviewer's time.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from scrapers import lexicon as lx
from scrapers.extract import extract_isolated
from scrapers.passages import ExtractedDocument, Passage
from scrapers.rules import (
    BASE,
    BY_REFERENCE,
    COMMITTED,
    DESCRIBED,
    IN_DOCUMENT,
    IN_HEADING,
    IN_PASSAGE,
    IN_PRACTICE,
    MODERN_SLAVERY_BIT,
    NATIONAL_BIT,
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

_SENTENCE_END = re.compile(r"[.;!?](?=\s)")
# Matches below this are noise, not candidates.
MIN_SCORE = 0.2
# A document is about modern slavery if it opens with it or keeps coming back to it; a footer
# link or a menu item is one short passage among many and makes nothing about it.
_OPENING_PASSAGES = 2
_SUBJECT_SHARE = 0.2
_SUBJECT_MIN_PASSAGES = 3


@dataclass(frozen=True, slots=True)
class Match:
    """A passage proposed as evidence of a commitment to one recommendation."""

    recommendation: str
    score: float
    text: str
    page: int | None
    start: int
    end: int
    rule: str


def match_document(doc: ExtractedDocument) -> list[Match]:
    """Match an extracted document's passages, best first."""
    return match_passages(doc.passages)


def match_file(path: Path) -> list[Match]:
    """Extract a local file (sandboxed, as for fetched documents) and match it, best first."""
    content_type, _ = mimetypes.guess_type(path.name)
    return match_document(extract_isolated(path.read_bytes(), content_type))


def match_passages(passages: Sequence[Passage]) -> list[Match]:
    """Propose, best first, the passages that commit to each recommendation."""
    texts = [p.text.lower() for p in passages]
    found = STEMS.scan(texts)
    mentions = {index for index, bits in found.items() if bits & MODERN_SLAVERY_BIT}
    scorer = _Scorer(_is_subject(mentions, len(passages)))
    matches: list[Match] = []
    for index, bits in found.items():
        rules = rules_for(bits & RULE_BITS) if bits & RULE_BITS else ()
        if rules:
            text = texts[index]
            masked = _mask(text, lx.TRAPS.pattern) if bits & TRAPS_BIT else text
            matches.extend(scorer.score(passages[index], masked, bits, index in mentions, rules))
    matches.sort(key=lambda m: (-m.score, m.start))
    return matches


def _is_subject(mentions: set[int], passage_count: int) -> bool:
    """Say whether the document as a whole is about modern slavery, from where it is named."""
    if any(index < _OPENING_PASSAGES for index in mentions):
        return True
    return len(mentions) >= max(_SUBJECT_MIN_PASSAGES, _SUBJECT_SHARE * passage_count)


class _Scorer:
    """Score the rules that could fire in a passage, remembering what each heading says."""

    def __init__(self, is_subject: bool) -> None:
        self._is_subject = is_subject
        self._headings: dict[str, tuple[bool, bool]] = {}

    def score(
        self, passage: Passage, masked: str, bits: int, mentioned: bool, rules: tuple[Rule, ...]
    ) -> list[Match]:
        """Keep the best firing rule per recommendation, if it scores at least MIN_SCORE.

        `masked` is the lower-cased passage with trap phrases blanked out; `bits` are the stem
        groups found in it, which say which of the weighing checks can be skipped.
        """
        heading_mentions, heading_commits = self._heading(passage.heading)
        if not (mentioned or heading_mentions or self._is_subject):
            return []  # nothing ties this passage to modern slavery: no rule can count
        fired = _fired(rules, masked)
        if not fired:
            return []
        context = self._context(masked, mentioned, heading_mentions)
        firmness = _firmness(masked, heading_commits)
        national = _national_weight(masked, bits)
        matches = []
        for rule, position in fired:
            where = rule.in_document if context == IN_DOCUMENT else context
            weight = national * _sentence_weight(_sentence(masked, position), bits)
            score = BASE * (COMMITTED if rule.asserts else firmness) * where * weight
            if score >= MIN_SCORE:
                matches.append(_match(passage, rule, score))
        return matches

    def _heading(self, heading: str | None) -> tuple[bool, bool]:
        """Say whether a heading names modern slavery and whether it makes a commitment."""
        key = heading or ""
        if key not in self._headings:
            lowered = key.lower()
            self._headings[key] = (
                bool(STEMS.groups_in(lowered) & MODERN_SLAVERY_BIT),
                lx.COMMITMENT.pattern.search(lowered) is not None,
            )
        return self._headings[key]

    def _context(self, text: str, mentioned: bool, heading_mentions: bool) -> float:
        """Weigh how clearly a passage known to have some context is about modern slavery."""
        if mentioned:
            return IN_PASSAGE
        if self._is_subject and lx.ANAPHOR.search(text):
            return BY_REFERENCE
        return IN_HEADING if heading_mentions else IN_DOCUMENT


def _fired(rules: tuple[Rule, ...], text: str) -> list[tuple[Rule, int]]:
    """Return the first rule to fire for each recommendation, with where its key was found.

    Rules are listed strongest first, and the first to fire speaks for its recommendation,
    so the rest need not be tried.
    """
    fired: dict[str, tuple[Rule, int]] = {}
    for rule in rules:
        if rule.recommendation not in fired:
            position = _fires(rule, text)
            if position >= 0:
                fired[rule.recommendation] = (rule, position)
    return list(fired.values())


def _fires(rule: Rule, text: str) -> int:
    """Return where a rule's key occurs un-negated beside its companion concepts, or -1."""
    position = _live_key(rule, text)
    if position >= 0 and rule.masks:  # masks only remove matches: apply them to a live key
        for mask in rule.masks:
            text = _mask(text, mask)
        position = _live_key(rule, text)
    return position if position >= 0 and all(c.pattern.search(text) for c in rule.also) else -1


def _live_key(rule: Rule, text: str) -> int:
    """Return the start of the rule's key concept's first un-negated occurrence, or -1."""
    found = rule.key.pattern.search(text)
    while found is not None:
        start = found.start()
        if not lx.NEGATED.search(text, max(0, start - lx.NEGATION_WINDOW), start):
            return start
        found = rule.key.pattern.search(text, found.end())
    return -1


def _match(passage: Passage, rule: Rule, score: float) -> Match:
    """Propose a passage for the rule's recommendation."""
    return Match(
        recommendation=rule.recommendation,
        score=round(score, 3),
        text=passage.text,
        page=passage.page,
        start=passage.start,
        end=passage.end,
        rule=rule.name,
    )


def _firmness(text: str, heading_commits: bool) -> float:
    """Weigh how firmly a passage is said: a pledge, a report of practice, or description.

    Action-plan items ("Ensure ...", "To work with ...", "Police to arrange ...") are pledges;
    a list of "-ing" items is practice, or a pledge under a heading such as "We will ... by:".
    """
    item = lx.LIST_NUMBER.sub("", text, count=1)
    if (
        lx.COMMITMENT.pattern.search(text)
        or lx.LEADING_ACTION.match(item)
        or lx.INSTRUCTION.match(item)
    ):
        return COMMITTED
    if lx.LEADING_GERUND.match(item):
        return COMMITTED if heading_commits else IN_PRACTICE
    return IN_PRACTICE if lx.PRACTICE.search(text) else DESCRIBED


def _national_weight(text: str, bits: int) -> float:
    """Weigh down a passage about national provision with no local actor anywhere in it."""
    if bits & NATIONAL_BIT and lx.NATIONAL_ACTOR.pattern.search(text):
        return 1.0 if lx.LOCAL_ACTOR.search(text) else NATIONAL_ONLY
    return 1.0


def _sentence_weight(sentence: str, bits: int) -> float:
    """Weigh down a match whose own sentence is about supply chains or only explores an idea.

    Judged on the sentence, not the passage: "We will review procurement. We will refer
    victims to support services." commits to the second whatever the first is about.
    """
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
    """Blank out a pattern's matches, keeping offsets, so trap phrases cannot match a rule."""
    return pattern.sub(_blank, text)


def _blank(found: re.Match[str]) -> str:
    """Return as many spaces as the match is long."""
    return " " * (found.end() - found.start())
