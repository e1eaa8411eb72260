"""How the matcher's patterns are written: placeholders, fast alternations, concepts.

These helpers let `scrapers.match.lexicon` say what it recognises plainly while the compiled
patterns stay fast for Python's re engine, which tries a pattern at every position of a
passage and its alternatives one after another.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_APOS = "['\u2019]"
_HY = "[-\u2010\u2011\u2013 ]?"  # hyphen, non-breaking hyphen, en dash, space or nothing
_AND = "(?:and|&)"
_WORDS = "(?: [\\w'\u2019-]++)"  # a word; always followed by a space, so possessive
# Characters that make an alternative open with something other than a plain character.
_SYNTAX = frozenset("\\()[]{}.^$|?*+")


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a pattern written with {apos}, {hy}, {and} and {words} placeholders.

    ASCII word rules are half again as fast as Unicode ones, and the words matched are English.
    """
    return re.compile(pattern.format(apos=_APOS, hy=_HY, AND=_AND, words=_WORDS), re.ASCII)


def one_of(*alternatives: str) -> str:
    """Join alternatives as "a(?:x|y)|bz" rather than "ax|ay|bz", which says the same faster.

    The re engine rules out an alternative at a glance when it opens with a plain character,
    but checks them one after another; grouped by first character, all groups but one are
    ruled out at once. Alternatives sharing a first character keep their order, and ones that
    do not cannot match at the same place, so the pattern matches exactly what "ax|ay|bz" does.
    """
    groups: dict[str, list[str]] = {}
    for alternative in alternatives:
        head, tail = alternative[:1], alternative[1:]
        if not head or head in _SYNTAX or tail[:1] in ("?", "*", "+") or tail.startswith("{{"):
            raise ValueError(f"{alternative!r} does not open with a plain character")
        if _splits(alternative):
            raise ValueError(f"{alternative!r} is itself several alternatives")
        groups.setdefault(head, []).append(tail)
    return "|".join(
        head + (tails[0] if len(tails) == 1 else "(?:" + "|".join(tails) + ")")
        for head, tails in groups.items()
    )


def _splits(pattern: str) -> bool:
    """Say whether a pattern holds a "|" outside any group or character class."""
    depth, in_class, escaped = 0, False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and not depth:
            return True
    return False


def words(*alternatives: str) -> str:
    """Return a pattern matching any of the alternatives as whole words."""
    return r"\b(?:" + one_of(*alternatives) + r")\b"


def each(heads: Iterable[str], tail: str) -> list[str]:
    """Spell "(?:a|b)tail" as alternatives "atail" and "btail", each opening with a letter."""
    return [head + tail for head in heads]


def hyphened(head: str, tail: str) -> tuple[str, ...]:
    """Spell a compound every way {hy} allows: "coproduc", "co-produc", "co produc"..."""
    return tuple(head + joint + tail for joint in ("", "-", "\u2010", "\u2011", "\u2013", " "))


@dataclass(frozen=True, slots=True, eq=False)
class Concept:
    """A precise pattern, and groups of word stems that every match of it draws on.

    The stems let Aho-Corasick passes rule out passages before any regex runs, so they must be
    necessary: every match contains, at a word start, a stem from each group. A concept too
    common to be worth prefiltering ("support") has no groups and only its pattern. A rule's
    key concept is looked for in the whole document by its first group alone, and the other
    groups only in the passages holding it, so the first group lists the rarer words.
    Concepts compare by identity, so the matcher can key what it found by concept cheaply.
    """

    pattern: re.Pattern[str]
    stems: tuple[tuple[str, ...], ...]


def concept(pattern: str, *stems: str, needs: tuple[str, ...] = ()) -> Concept:
    """Compile a concept; `stems` is one necessary group, `needs` another if given."""
    return Concept(compile_pattern(pattern), tuple(group for group in (stems, needs) if group))
