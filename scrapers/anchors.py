"""Find which groups of literal word stems occur in which passages, in one pass per document.

The matcher's regular expressions are precise but cost a scan each. Every rule therefore
names stems that any match of it must contain; one Aho-Corasick pass over the document finds
all stems at once, and the regexes only run on the few passages whose stems allow a match.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from itertools import accumulate, repeat
from operator import add

import ahocorasick_rs

_SEPARATOR = "\n"


class StemIndex:
    """An automaton over named groups of stems; a stem matches only at the start of a word."""

    def __init__(self, groups: Mapping[str, Iterable[str]]) -> None:
        self.bits = {name: 1 << i for i, name in enumerate(groups)}
        masks: dict[str, int] = {}
        for name, stems in groups.items():
            for stem in stems:
                masks[stem] = masks.get(stem, 0) | self.bits[name]
        self._stems = list(masks)
        self._masks = [masks[stem] for stem in self._stems]
        self._automaton = ahocorasick_rs.AhoCorasick(
            self._stems, implementation=ahocorasick_rs.Implementation.DFA
        )

    def scan(self, texts: Sequence[str]) -> dict[int, int]:
        """Map the index of each (lower-cased) text holding a stem to the groups found in it."""
        found: dict[int, int] = {}
        # Leading separator: every stem has a character before it to test for a word start.
        joined = _SEPARATOR + _SEPARATOR.join(texts)
        starts = list(accumulate(map(add, map(len, texts), repeat(len(_SEPARATOR))), initial=1))
        masks = self._masks
        for index, start, _ in self._automaton.find_matches_as_indexes(joined, overlapping=True):
            if not joined[start - 1].isalnum():  # "dictate" does not contain "icta"
                text = bisect_right(starts, start) - 1
                found[text] = found.get(text, 0) | masks[index]
        return found

    def groups_in(self, text: str) -> int:
        """Return the groups found in one (lower-cased) text: `scan` for a single string."""
        found = 0
        for index, start, _ in self._automaton.find_matches_as_indexes(text, overlapping=True):
            if not start or not text[start - 1].isalnum():
                found |= self._masks[index]
        return found

    def mask(self, *names: str) -> int:
        """Return the bits for the named groups."""
        result = 0
        for name in names:
            result |= self.bits[name]
        return result
