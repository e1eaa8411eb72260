"""Which police force area each council lies in, and who holds the commissioner's powers.

Police areas are defined in law, not by boundaries: Schedule 1 to the Police Act 1996
lists each area's counties and unitary districts, and a county's districts are in its
area because the county is (no county is split between forces). Placing councils by
their centroids put Kent County Council in the Metropolitan Police area, because
mySociety's register gives some counties the coordinates of their London offices.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tracker.imports.rows import RowError

# Kinds of council that Schedule 1 names directly; a non-metropolitan district ("NMD")
# is placed through its county. Combined authorities and the GLA are not councils of
# the Schedule: they take the police area of their members, when they share one.
SCHEDULE_KINDS = frozenset({"CTY", "UA", "MD", "LBO", "CC", "WPA"})
DISTRICT = "NMD"
POLICED_NATIONS = frozenset({"England", "Wales"})


@dataclass(frozen=True)
class Transfer:
    """A mayor who holds a police area's commissioner powers, from the order that gave them."""

    area: str
    office: str
    since: date
    order: str


# Mayors holding the Police (Fire) and Crime Commissioner's powers, by combined authority
# GSS code, with the date the statutory instrument transferred them.
MAYORS_WITH_PCC_POWERS: Mapping[str, Transfer] = {
    "E47000001": Transfer(
        "E23000005", "Police and Crime Commissioner", date(2017, 5, 8), "SI 2017/470"
    ),
    "E47000003": Transfer(
        "E23000010", "Police and Crime Commissioner", date(2021, 5, 10), "SI 2021/112"
    ),
    "E47000002": Transfer(
        "E23000011", "Police and Crime Commissioner", date(2024, 5, 7), "SI 2024/414"
    ),
    "E47000012": Transfer(
        "E23000009", "Police, Fire and Crime Commissioner", date(2024, 5, 7), "SI 2023/1432"
    ),
}
# Police areas whose elected commissioner also governs the fire and rescue service.
FIRE_COMMISSIONER_AREAS = frozenset({"E23000002", "E23000015", "E23000022", "E23000028"})
# The Metropolitan Police answers to the Mayor of London's Office for Policing and Crime
# and the City of London Police to the Common Council: neither area elects a commissioner.
NO_COMMISSIONER_AREAS = frozenset({"E23000001", "E23000034"})


@dataclass(frozen=True)
class Council:
    """What placing a council needs: its code, kind, nation, county, and where it was read."""

    line: int
    code: str
    kind: str
    nation: str
    county_code: str | None


def read_schedule(
    path: Path, *, councils: Iterable[str], areas: Iterable[str]
) -> tuple[dict[str, set[str]], list[RowError]]:
    """Read Schedule 1 as rows of (police area, council), refusing codes nobody knows."""
    known_councils, known_areas = set(councils), set(areas)
    schedule: dict[str, set[str]] = defaultdict(set)
    errors = []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for line, record in enumerate(csv.DictReader(handle), start=2):
            area = (record.get("pfa_code") or "").strip()
            council = (record.get("local-authority-code") or "").strip()
            if area not in known_areas:
                errors.append(RowError(line, f"{path.name}: {area!r} is not a police area"))
            elif council not in known_councils:
                errors.append(RowError(line, f"{path.name}: {council!r} is not a current council"))
            else:
                schedule[council].add(area)
    return dict(schedule), errors


def police_areas(
    councils: Iterable[Council], schedule: Mapping[str, set[str]]
) -> tuple[dict[str, str], list[RowError]]:
    """Place every English and Welsh council in exactly one police area, or say why not.

    A district is in its county's area, and in no other: a district that the schedule
    also names on its own would sit in two areas, and is refused like any other conflict.
    """
    placed, errors = {}, []
    for council in councils:
        if council.nation not in POLICED_NATIONS or council.kind not in SCHEDULE_KINDS | {DISTRICT}:
            continue
        found = set(schedule.get(council.code, set()))
        if council.kind == DISTRICT and council.county_code:
            found |= schedule.get(council.county_code, set())
        if len(found) == 1:
            placed[council.code] = found.pop()
        elif not found:
            errors.append(RowError(council.line, f"{council.code} is in no police area"))
        else:
            listed = ", ".join(sorted(found))
            errors.append(
                RowError(council.line, f"{council.code} is in two police areas: {listed}")
            )
    return placed, errors


def shared_area(members: Iterable[str], placed: Mapping[str, str]) -> str | None:
    """Return the police area all these councils are in, or None when they span several."""
    found = {placed.get(code) for code in members}
    return found.pop() if len(found) == 1 else None


def commissioner(area_code: str) -> str | None:
    """Return the title of a police area's commissioner, whoever holds the office now."""
    if area_code in NO_COMMISSIONER_AREAS:
        return None
    transferred = (t.office for t in MAYORS_WITH_PCC_POWERS.values() if t.area == area_code)
    if office := next(transferred, None):
        return office
    if area_code in FIRE_COMMISSIONER_AREAS:
        return "Police, Fire and Crime Commissioner"
    return "Police and Crime Commissioner"
