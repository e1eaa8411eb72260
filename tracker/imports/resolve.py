"""Find the authority an election is for, from Democracy Club's election ids.

Democracy Club ids name the organisation by slug (`local.sheffield.2021-05-06`,
`mayor.south-yorkshire.2024-05-02`, `pcc.devon-and-cornwall.2024-05-02`). Council slugs
usually, but not always, match the council's short name, so every known spelling from
mySociety's lookup file is tried too.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from tracker.models import Authority
from tracker.text import slugify

NAMES_CSV = Path(__file__).resolve().parent.parent / "data" / "lookup_name_to_registry.csv"

POLICE_KINDS = frozenset({"PFA"})
MAYORAL_KINDS = frozenset({"COMB", "SRA"})
_SUFFIXES = re.compile(
    r"-(mayoral-combined-authority|combined-county-authority|combined-authority|"
    r"metropolitan-borough-council|london-borough-council|borough-council|"
    r"district-council|county-council|city-council|council|mca|cca|ca)$"
)
# Names Democracy Club uses that no source file spells: the GLA's mayoralty.
_EXTRA = {("mayoral", "london"): "GLA"}
# Which kinds of authority hold each type of Democracy Club election, in order of likelihood.
ELECTION_GROUPS = {
    "local": ("council",),
    "mayor": ("mayoral", "council"),
    "pcc": ("police",),
}


class AuthorityResolver:
    """Map (election type, organisation slug) to an authority id."""

    def __init__(self, authorities: Iterable[Authority], names_csv: Path = NAMES_CSV) -> None:
        spellings = _spellings_by_code(names_csv)
        self._aliases: dict[tuple[str, str], set[int]] = defaultdict(set)
        by_code: dict[str, int] = {}
        for authority in authorities:
            assert authority.id is not None  # noqa: S101 (from the database)  # nosec B101
            group = _group(authority.kind)
            names = [authority.short_name, authority.name, authority.slug]
            names += spellings.get(authority.code or "", [])
            for alias in {_alias(n) for n in names} | {slugify(n) for n in names}:
                self._aliases[(group, alias)].add(authority.id)
            if authority.code:
                by_code[authority.code] = authority.id
        for key, code in _EXTRA.items():
            if code in by_code:
                self._aliases[key].add(by_code[code])

    def resolve(self, election_type: str, org_slug: str) -> int:
        """Return the authority's id; raise ValueError naming the problem otherwise."""
        groups = ELECTION_GROUPS.get(election_type)
        if groups is None:
            raise ValueError(f"{election_type!r} elections are outside this tracker")
        for group in groups:
            matches = self._aliases.get((group, org_slug), set())
            if len(matches) == 1:
                return next(iter(matches))
            if len(matches) > 1:
                raise ValueError(f"authority {org_slug!r} is ambiguous")
        raise ValueError(f"unknown authority {org_slug!r}")


def _group(kind: str) -> str:
    """Return which kind of election an authority of this kind holds."""
    if kind in POLICE_KINDS:
        return "police"
    return "mayoral" if kind in MAYORAL_KINDS else "council"


def _alias(name: str) -> str:
    """Return a name's slug without suffixes like "-city-council"."""
    return _SUFFIXES.sub("", slugify(name))


def _spellings_by_code(path: Path) -> dict[str, list[str]]:
    """Return every known spelling of each council, keyed by mySociety code."""
    spellings: dict[str, list[str]] = defaultdict(list)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            spellings[row["local-authority-code"]].append(row["la-name"])
    return spellings
