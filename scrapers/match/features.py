"""Propose candidate passages generously and describe each by explainable features.

Recall comes first: a passage is a candidate for a recommendation when it holds a stem of
that recommendation's vocabulary and something ties it to modern slavery (the passage, its
heading, a neighbouring passage, or a document that is about modern slavery). A passage
that introduces a list ("The project will provide:") is read, and proposed, together with
its items: the commitment is in the lead-in, the topic often only in a bullet. Each candidate
is then described by named features a reviewer can read: which rule fired and its score,
where the modern slavery context comes from, how firmly it is said, which traps it holds,
which of the recommendation's stems it holds, and its words and two-word phrases (also
crossed with the recommendation, so "referral" can count for pathways and not for
priorities), with names left out. Traps lower a score through their learned weights; none is a veto.

The cost is linear in the text: two Aho-Corasick passes over the document, the rules
(which prefilter the same way), and per candidate a read of at most `READ_CHARS`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from scrapers.match import lexicon as lx
from scrapers.match import vocabulary as vocab
from scrapers.match.anchors import Haystack, StemIndex
from scrapers.match.proposals import Proposal
from scrapers.match.rules import MENTIONS, RECOMMENDATIONS
from scrapers.match.rulescore import rule_matches
from scrapers.passages import PASSAGE_SEPARATOR, Passage

# Only so much of a passage is read for its words: a run-on "passage" of a badly laid out
# PDF must not make one candidate cost more than a page.
READ_CHARS = 3000
# A document is about modern slavery if it opens with it or mentions it this often.
_OPENING_PASSAGES = 2
_SUBJECT_SHARE = 0.05
_SHORT_WORDS = 6
# Words count for less than the rules' features: a word's value is its weight's scale, so
# this is a stronger prior that a word alone says little (a third of the corpus's words
# are in one document only, and would otherwise describe that document).
WORD_VALUE = 0.1
_RULE_SCORE_CAP = 0.99
# Words and phrases are read with names replaced: a place, a body or a person describes one
# document, and the matcher is for documents that name other councils.
NAME = "NAME"
_CASED_TOKEN = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*[A-Za-z]|[A-Za-z]")
_SENTENCE_ENDS = frozenset(".!?:;\u00b7\u2022-")
# A list's items follow a lead-in ending in a colon: bulleted or numbered passages, or short
# ones (a bullet's marker is often lost in extraction), at most this many and this long.
_LIST_ITEMS = 8
_ITEM_WORDS = 25
_BULLET = re.compile(
    r"(?:[\u00b7\u2022\u25aa\u25cf\u25e6\u2023\u2013\u2014*-]|o\s|\(?\w{1,3}[.)]\s)"
)
_TOKEN = re.compile(r"[a-z][a-z'\u2019-]*[a-z]|[a-z]")
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "and",
        "or",
        "in",
        "on",
        "at",
        "to",
        "for",
        "by",
        "with",
        "from",
        "as",
        "is",
        "are",
        "be",
        "been",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "which",
        "who",
        "whom",
        "their",
        "there",
        "they",
        "them",
        "he",
        "she",
        "his",
        "her",
        "was",
        "were",
        "has",
        "have",
        "had",
        "do",
        "does",
        "into",
        "than",
        "then",
        "so",
        "such",
        "also",
        "any",
        "all",
        "each",
        "other",
    ]
)
_NOT_PRIORITY = re.compile(r"\bnot\b[^.;:]{0,30}\bpriorit")
_GUIDANCE = re.compile(r"\b(?:should|could|can|may|might|consider|e\.g\.|for example)\b")
_INDICATOR = re.compile(r"\b(?:number of|proportion of|percentage of|% of)\b")
_FIRST_PERSON = re.compile(r"\b(?:we|our|us|i|my)\b")
_VICTIM = re.compile(r"\b(?:victims?|survivors?|potential victims?|pvs?|people affected)\b")
# Document-level traps: a company's supply-chain statement names modern slavery on every
# line and commits to nothing local; guidance to others says what councils "should" do.
_SUPPLY = StemIndex({"supply": lx.SUPPLY_CHAIN.stems[0]})
_PAST = re.compile(r"\b(?:has been|have been|was|were|achieved|established|launched)\b")


# Every trap feature, so the model can weigh down one the corpus seldom or never shows.
TRAP_FEATURES = (
    *("trap:negated", "trap:only_in_trap_phrase", "trap:wording", "trap:not_priority"),
    *("trap:national_funding", "trap:national_only", "trap:supply_chain"),
)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A passage proposed for one recommendation, before the scorer has weighed it."""

    recommendation: str
    index: int
    features: dict[str, float]
    passage: Passage  # as proposed: a list's lead-in runs to the end of its items


def candidates(passages: Sequence[Passage]) -> Iterator[Candidate]:
    """Yield every (passage, recommendation) worth scoring, with its features.

    A generator, so a document's candidates need not all be held at once.
    """
    if not passages:
        return
    haystack = Haystack.of([passage.text for passage in passages])
    mentioned = set(MENTIONS.scan(haystack))
    topical = vocab.INDEX.scan(haystack)
    lists = _lists(passages)
    for lead, last in lists.items():
        items = range(lead, last + 1)
        topical[lead] = _union(topical.get(index, 0) for index in items)
        if any(index in mentioned for index in items):
            mentioned.add(lead)
    read = [_with_items(passages, index, lists.get(index)) for index in range(len(passages))]
    subject = _subject_share(mentioned, len(passages))
    is_subject = subject >= _SUBJECT_SHARE or bool(mentioned & set(range(_OPENING_PASSAGES)))
    document = {
        "subject": subject,
        "doc:supply_chain": len(_SUPPLY.scan(haystack)) / len(passages),
        "doc:guidance": _share(passages, _GUIDANCE),
    }
    rules = {(m.start, m.recommendation): m for m in rule_matches(_heads(passages))}
    headings = _headings(passages)
    heading_mentions: dict[str | None, bool] = {}
    names = _names(read[index].text[:READ_CHARS] for index in topical)
    for index, bits in sorted(topical.items()):
        if not bits:
            continue
        passage = read[index]
        context = _context(index, passage, mentioned, heading_mentions, is_subject)
        if context is None:
            continue
        reading = _Reading(passage, index in headings, document, context, names)
        for recommendation in RECOMMENDATIONS:
            if bits & vocab.BITS[recommendation]:
                rule = rules.get((passage.start, recommendation))
                features = reading.features(recommendation, rule)
                yield Candidate(recommendation, index, features, passage)


def _lists(passages: Sequence[Passage]) -> dict[int, int]:
    """Map each passage that introduces a list to the index of the list's last item."""
    lists = {}
    for index, passage in enumerate(passages[:-1]):
        if not passage.text.rstrip().endswith(":"):
            continue
        last, bulleted = index, _BULLET.match(passages[index + 1].text) is not None
        for item in passages[index + 1 : index + 1 + _LIST_ITEMS]:
            if item.text.rstrip().endswith(":") or not _is_item(item.text, bulleted):
                break
            last += 1
        if last > index:
            lists[index] = last
    return lists


def _is_item(text: str, bulleted: bool) -> bool:
    """Say whether a passage reads as an item of a list whose first item is (not) bulleted."""
    if bulleted:
        return _BULLET.match(text) is not None
    return text.count(" ") < _ITEM_WORDS


def _union(bits: Iterator[int]) -> int:
    """Return the union of groups' bits."""
    result = 0
    for found in bits:
        result |= found
    return result


def _with_items(passages: Sequence[Passage], index: int, last: int | None) -> Passage:
    """Return a passage, or a list's lead-in joined with its items up to `last`.

    They are joined as the document's text lays them out, so the proposal still points
    back into it (`text[start:end]`).
    """
    passage = passages[index]
    if last is None:
        return passage
    text = PASSAGE_SEPARATOR.join(p.text for p in passages[index : last + 1])
    return Passage(text, passage.heading, passage.page, passage.start, passages[last].end)


def _heads(passages: Sequence[Passage]) -> list[Passage]:
    """Return the passages cut to READ_CHARS, so the rules read no more than the features."""
    return [
        p
        if len(p.text) <= READ_CHARS
        else Passage(p.text[:READ_CHARS], p.heading, p.page, p.start, p.end)
        for p in passages
    ]


def _share(passages: Sequence[Passage], pattern: re.Pattern[str]) -> float:
    """Return the share of passages (read up to READ_CHARS) where a pattern occurs."""
    hits = sum(pattern.search(p.text[:READ_CHARS].lower()) is not None for p in passages)
    return hits / len(passages)


def _subject_share(mentioned: set[int], count: int) -> float:
    """Return the share of passages that mention modern slavery."""
    return len(mentioned) / count


def _headings(passages: Sequence[Passage]) -> set[int]:
    """Return the indexes of passages that are the heading of the passage after them."""
    return {
        index
        for index in range(len(passages) - 1)
        if passages[index + 1].heading == passages[index].text
    }


def _context(
    index: int,
    passage: Passage,
    mentioned: set[int],
    heading_mentions: dict[str | None, bool],
    is_subject: bool,
) -> str | None:
    """Say where a passage's modern slavery context comes from, nearest first, or None."""
    if index in mentioned:
        return "passage"
    heading = passage.heading
    if heading not in heading_mentions:
        heading_mentions[heading] = bool(heading and MENTIONS.groups_in(heading))
    if heading_mentions[heading]:
        return "heading"
    if index - 1 in mentioned or index + 1 in mentioned:
        return "neighbour"
    return "document" if is_subject else None


class _Reading:
    """One passage read once for the features every recommendation's candidate shares."""

    def __init__(
        self,
        passage: Passage,
        is_heading: bool,
        document: dict[str, float],
        context: str,
        names: frozenset[str],
    ) -> None:
        text = passage.text[:READ_CHARS].lower()
        # A trap phrase ("Lord Advocate", "priority need", "Home Office funded") holds a
        # recommendation's stem without meaning it: it does not count as vocabulary.
        self.text = _masked(_masked(text, lx.TRAPS.pattern), lx.NATIONAL_FUNDING.pattern)
        tokens = _TOKEN.findall(text)
        self.grams = _grams(_common_words(text, names))
        self.shared = _shared_features(text, tokens, is_heading, context) | document

    def features(self, recommendation: str, rule: Proposal | None) -> dict[str, float]:
        """Return this passage's features as a candidate for one recommendation."""
        short = vocab.SHORT[recommendation]
        stems = vocab.stems_at(self.text, recommendation)
        features = dict(self.shared)
        if not stems:  # every stem was inside a trap phrase: "priority need" alone
            features["trap:only_in_trap_phrase"] = 1.0
        elif all(_is_negated(self.text, at) for at in stems.values()):
            features["trap:negated"] = 1.0
        features[f"{short}|stems"] = math.log1p(len(stems))
        for stem in stems:
            features[f"{short}|v:{stem}"] = 1.0
        for gram in self.grams:
            features[f"w:{gram}"] = WORD_VALUE
            features[f"{short}|w:{gram}"] = WORD_VALUE
        if rule is not None:
            features[f"rule:{rule.rule}"] = 1.0
            features["rule_logit"] = _logit(rule.score)
        return features


def _is_negated(text: str, at: int) -> bool:
    """Say whether a negation comes shortly before a position, in the same clause."""
    return lx.NEGATED.search(text, max(0, at - lx.NEGATION_WINDOW), at) is not None


def _masked(text: str, pattern: re.Pattern[str]) -> str:
    """Blank out a pattern's matches, keeping the text's length."""
    return pattern.sub(lambda found: " " * (found.end() - found.start()), text)


def _logit(score: float) -> float:
    """Return the log-odds of the rules' score, which the model weighs linearly."""
    score = min(score, _RULE_SCORE_CAP)
    return math.log(score / (1.0 - score))


def _names(texts: Iterable[str]) -> frozenset[str]:
    """Return, in lower case, the words a document writes only capitalised and at least
    once inside a sentence: its places, bodies and people ("Derbyshire", "Thames Valley").
    """
    capitalised, lower = set(), set()
    for text in texts:
        for found in _CASED_TOKEN.finditer(text):
            word = found.group()
            if not word[0].isupper():
                lower.add(word)
            elif (
                found.start()
                and text[max(0, found.start() - 2) : found.start()].strip()[-1:]
                not in _SENTENCE_ENDS
            ):
                capitalised.add(word.lower())
    return frozenset(capitalised - lower)


def _common_words(text: str, names: frozenset[str]) -> list[str]:
    """Return a passage's words in lower case, each of the document's names as `NAME`."""
    return [NAME if word in names else word for word in _TOKEN.findall(text.lower())]


def _grams(tokens: list[str]) -> set[str]:
    """Return a passage's content words and its two-word phrases (stopwords kept in those)."""
    grams = {t for t in tokens if t not in _STOPWORDS and len(t) > 2 and t != NAME}
    grams.update(f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False))
    return grams


def _shared_features(
    text: str, tokens: list[str], is_heading: bool, context: str
) -> dict[str, float]:
    """Return the features of a passage that do not depend on the recommendation."""
    features = {f"ctx:{context}": 1.0, "length": math.log1p(len(tokens))}
    flags = {
        "short": len(tokens) < _SHORT_WORDS,
        "is_heading": is_heading,
        "commit": lx.COMMITMENT.pattern.search(text) is not None,
        "practice": lx.PRACTICE.search(text) is not None,
        "tentative": lx.TENTATIVE.pattern.search(text) is not None,
        "action_item": _is_action_item(text),
        "victim": _VICTIM.search(text) is not None,
        "first_person": _FIRST_PERSON.search(text) is not None,
        "past": _PAST.search(text) is not None,
        "guidance": _GUIDANCE.search(text) is not None,
        "indicator": _INDICATOR.search(text) is not None,
        "question": "?" in text,
        "trap:wording": lx.TRAPS.pattern.search(text) is not None,
        "trap:not_priority": _NOT_PRIORITY.search(text) is not None,
        "trap:national_funding": lx.NATIONAL_FUNDING.pattern.search(text) is not None,
        "trap:national_only": _is_national_only(text),
        "trap:supply_chain": lx.SUPPLY_CHAIN.pattern.search(text) is not None,
    }
    features.update((name, 1.0) for name, on in flags.items() if on)
    return features


def _is_action_item(text: str) -> bool:
    """Say whether a passage reads as an action-plan item ("Ensure ...", "Police to ...")."""
    number = lx.LIST_NUMBER.match(text)
    item = text[number.end() :] if number else text
    return bool(lx.LEADING_ACTION.match(item) or lx.INSTRUCTION.match(item))


def _is_national_only(text: str) -> bool:
    """Say whether a passage is about national provision with no local actor in it."""
    return lx.NATIONAL_ACTOR.pattern.search(text) is not None and not lx.LOCAL_ACTOR.search(text)
