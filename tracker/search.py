"""Find your area: read what a resident types (a name, a typo, a role, a postcode) and
decide which places it means.

The database narrows the names to those sharing trigrams with the query (SQLite FTS5
with trigram tokens, pg_trgm on PostgreSQL); this module scores them the same way on
both, so "sheffeild" ranks Sheffield first whichever database runs the site. Scores
follow pg_trgm: each word is padded with two spaces before and one after, and split
into three-letter pieces.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# A query must share this much of its trigrams with a name to match it at all.
THRESHOLD = 0.5
# Go straight to the best place only when it beats the next by this much similarity.
MARGIN = 0.1

_NOT_WORD = re.compile(r"[^a-z0-9]+")
# Royal Mail's postcode shape: outward code (area, district) and inward code.
_POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})")
_OUTWARD = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?")


def normalise(text: str) -> str:
    """Lower-case a name, drop accents and punctuation, and keep single spaces."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(_NOT_WORD.sub(" ", plain.lower()).split())


def trigrams(text: str) -> set[str]:
    """Return pg_trgm's trigrams of a normalised text."""
    found: set[str] = set()
    for word in text.split():
        padded = f"  {word} "
        found.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return found


def inner_trigrams(text: str) -> list[str]:
    """Return the unpadded trigrams inside each word: what FTS5's trigram index holds."""
    return sorted({w[i : i + 3] for w in text.split() for i in range(len(w) - 2)})


@dataclass(frozen=True)
class Score:
    """How well a name matches a query: the share of the query found, then likeness."""

    is_exact: bool
    contained: float
    similarity: float

    @property
    def matches(self) -> bool:
        """Return whether the name matches the query well enough to be shown."""
        return self.is_exact or self.contained >= THRESHOLD

    def key(self) -> tuple[bool, float, float]:
        """Return a sort key: exact names first, then containment, then similarity."""
        return (self.is_exact, self.contained, self.similarity)


def score(query: str, name: str) -> Score:
    """Score a normalised name against a normalised query."""
    wanted, have = trigrams(query), trigrams(name)
    shared = len(wanted & have)
    union = len(wanted | have) or 1
    return Score(query == name, shared / (len(wanted) or 1), shared / union)


@dataclass(frozen=True)
class Hit:
    """One place a query found, with the name it matched by."""

    authority_id: int
    matched: str
    score: Score


def best_per_place(query: str, names: Iterable[tuple[int, str, str]]) -> list[Hit]:
    """Score (authority id, normalised name, shown name) rows; keep each place's best."""
    best: dict[int, Hit] = {}
    for authority_id, key, shown in names:
        found = score(query, key)
        if found.matches and (
            authority_id not in best or found.key() > best[authority_id].score.key()
        ):
            best[authority_id] = Hit(authority_id, shown, found)
    return sorted(best.values(), key=lambda h: h.score.key(), reverse=True)


def the_one(hits: Sequence[Hit]) -> Hit | None:
    """Return the hit a query clearly means, or None when residents must choose.

    An exact name wins when only one place has it; otherwise the best match wins only
    if it is clearly more alike than the next ("sheffeild" is Sheffield, but
    "Yorkshire" could be any of four).
    """
    if not hits:
        return None
    exact = [h for h in hits if h.score.is_exact]
    if exact:
        return exact[0] if len(exact) == 1 else None
    if len(hits) == 1:
        return hits[0]
    first, second = hits[0].score, hits[1].score
    return hits[0] if first.similarity - second.similarity >= MARGIN else None


def postcode(text: str) -> str | None:
    """Return a full postcode in its published form ("S1 2HH"), if the text is one."""
    found = _POSTCODE.fullmatch(" ".join(text.upper().split()))
    return f"{found.group(1)} {found.group(2)}" if found else None


def outward_code(text: str) -> str | None:
    """Return the outward code ("S1") if the text is one on its own."""
    plain = text.strip().upper()
    return plain if _OUTWARD.fullmatch(plain) else None
