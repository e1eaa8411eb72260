"""Find which groups of literal word stems occur in which passages, a pass or two per document.

The matcher's regular expressions are precise but cost a scan each. Every rule therefore
names stems that any match of it must contain; Aho-Corasick passes find them all at once,
and the regexes only run on the few passages whose stems allow a match.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import chain

import ahocorasick_rs

# Texts are separated by a byte that UTF-8 never uses, so a text may hold any character.
_END = 0xFF
_END_BYTES = bytes([_END])
_EDGE = (b"",)  # joined before the first text and after the last, to put _END there too
# The only characters whose lower case holds an ASCII letter ("\u0130".lower() is "i\u0307"),
# as UTF-8 bytes: text holding them is lower-cased as a whole before its bytes are folded.
_ODD_CASES = ("\u0130".encode(), "\u212a".encode())
# Their last bytes, which few characters use: a one-byte search for these is far quicker.
_ODD_ENDS = tuple(odd[-1] for odd in _ODD_CASES)
# The characters that the patterns' \b (in ASCII mode) counts as word characters. A stem
# starts a word when the byte before it is none of them, so wherever a pattern opening with
# \b can match, the stems it names are found.
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


class Haystack:
    """Texts laid end to end as UTF-8 bytes between _END bytes, with ASCII in lower case.

    Bytes rather than a lower-cased copy of every text: folding ASCII bytes costs a tenth as
    much, and the automaton need not map every byte offset back to a character offset. Every
    stem is ASCII or caseless, so folding finds what lower-casing would, except around the
    two characters whose lower case is an ASCII letter; text holding either is lower-cased.
    """

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data

    @classmethod
    def of(cls, texts: Sequence[str]) -> Haystack:
        """Lay out texts, folding their case."""
        try:
            data = _END_BYTES.join(chain(_EDGE, map(str.encode, texts), _EDGE))
        except UnicodeEncodeError:  # a lone surrogate, as a broken PDF can give: keep its bytes
            encoded = (text.encode("utf-8", "surrogatepass") for text in texts)
            data = _END_BYTES.join(chain(_EDGE, encoded, _EDGE))
        if any(end in data for end in _ODD_ENDS) and any(odd in data for odd in _ODD_CASES):
            return cls.of([text.lower() for text in texts])
        return cls(data.lower())

    def head(self, count: int) -> Haystack:
        """Lay out again only the first `count` texts."""
        end = 0
        for _ in range(count):
            end = self.data.find(_END, end + 1)
            if end < 0:
                return self
        return Haystack(self.data[: end + 1])

    def part(self, spans: Iterable[tuple[int, int]]) -> Haystack:
        """Lay out again only the texts at these byte spans (see `StemIndex.where`), in order."""
        data = self.data
        return Haystack(_END_BYTES.join(chain(_EDGE, (data[a:b] for a, b in spans), _EDGE)))


class StemIndex:
    """An automaton over named groups of stems; a stem matches only at the start of a word."""

    def __init__(self, groups: Mapping[str, Iterable[str]]) -> None:
        self.bits = {name: 1 << i for i, name in enumerate(groups)}
        masks: dict[str, int] = {}
        for name, stems in groups.items():
            for stem in stems:
                masks[stem] = masks.get(stem, 0) | self.bits[name]
        self._masks = list(masks.values())
        self._automaton = ahocorasick_rs.BytesAhoCorasick(
            [stem.encode() for stem in masks], implementation=ahocorasick_rs.Implementation.DFA
        )

    def scan(self, haystack: Haystack) -> dict[int, int]:
        """Map the index of each text holding a stem to the groups found in it.

        The loop runs once per stem found, so it does as little as it can per stem. Matches
        arrive in the order they end and no stem spans two texts, so a text's matches come
        together: only the first of them counts the _END bytes before it to learn which text
        it is in, and only since the previous text's first match.
        """
        found: dict[int, int] = {}
        data, masks = haystack.data, self._masks
        text, counted, end, bits = -1, 0, -1, 0
        for index, start, _ in self._automaton.find_matches_as_indexes(data, overlapping=True):
            if start > end:
                if bits:
                    found[text] = bits
                text += data.count(_END, counted, start)
                counted, end, bits = start, data.find(_END, start), 0
            if data[start - 1] not in _WORD_BYTES:
                bits |= masks[index]
        if bits:
            found[text] = bits
        return found

    def where(self, haystack: Haystack) -> dict[int, tuple[int, int]]:
        """Map the index of each text holding a stem to its span of bytes, as `scan` does."""
        found: dict[int, tuple[int, int]] = {}
        data = haystack.data
        text, counted, end = -1, 0, -1
        for _, start, _ in self._automaton.find_matches_as_indexes(data, overlapping=True):
            if start > end:
                text += data.count(_END, counted, start)
                counted, end = start, data.find(_END, start)
            if text not in found and data[start - 1] not in _WORD_BYTES:
                found[text] = (data.rfind(_END, 0, start) + 1, end)
        return found

    def groups_in(self, text: str) -> int:
        """Return the groups found in one text: `scan` for a single string."""
        return self.scan(Haystack.of([text])).get(0, 0)

    def mask(self, *names: str) -> int:
        """Return the bits for the named groups."""
        result = 0
        for name in names:
            result |= self.bits[name]
        return result
