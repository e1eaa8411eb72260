"""Load every current UK local authority and the police force areas (as PCC areas).

Upserts on natural keys (mySociety code for councils, ONS code for police force areas),
so re-running after the source files change updates rows in place.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, select

from tracker.geo import (
    MAYORS_WITH_PCC_POWERS,
    Council,
    commissioner,
    police_areas,
    read_schedule,
    shared_area,
)
from tracker.imports.former_codes import GSS_LOOKUP_CSV, import_former_codes
from tracker.imports.place_names import rebuild_place_names
from tracker.imports.rows import ImportRejected, ImportReport, RowError, assign_changed
from tracker.models import Authority
from tracker.text import slugify

DATA = Path(__file__).resolve().parent.parent / "data"
COUNCILS_CSV = DATA / "uk_local_authorities.csv"
POLICE_AREAS_CSV = DATA / "ons_police_force_areas_dec2019.csv"
SCHEDULE_CSV = DATA / "police_areas_schedule_1.csv"
POLICE_AREA = "PFA"
POLICE_AREA_NAME = "Police force area"
GSS = re.compile(r"[ENSWK]\d{8}")
FIELDS = (
    "slug",
    "name",
    "short_name",
    "gss_code",
    "code",
    "kind",
    "kind_name",
    "nation",
    "region",
    "lat",
    "lon",
    "parent_county_id",
    "combined_authority_id",
    "police_area_id",
    "pcc_powers",
    "pcc_powers_since",
    "commissioner",
)


@dataclass
class AuthorityRow:
    """One validated authority, with links to others still given as codes."""

    line: int
    values: dict[str, object]
    county_code: str | None = None
    combined_code: str | None = None


def import_authorities(
    session: Session,
    *,
    councils_csv: Path = COUNCILS_CSV,
    police_csv: Path = POLICE_AREAS_CSV,
    schedule_csv: Path = SCHEDULE_CSV,
    gss_lookup_csv: Path = GSS_LOOKUP_CSV,
) -> ImportReport:
    """Validate the files, then upsert every authority and link counties and areas.

    Nothing is written unless every English and Welsh council lands in exactly one
    police area: a council in none, or in two, rejects the import.
    """
    councils, errors = read_councils(councils_csv)
    police, police_errors = read_police_areas(police_csv)
    errors += police_errors
    if not errors:
        errors += _set_police_areas(councils, police, schedule_csv)
    if errors:
        raise ImportRejected(errors)
    by_gss = {a.gss_code: a for a in session.exec(select(Authority)).all()}
    by_mysociety = {a.code: a for a in by_gss.values() if a.code}
    outcomes: dict[str, str] = {}
    for row in police:
        _upsert(session, by_gss.get(str(row.values["gss_code"])), row.values, outcomes)
    session.flush()
    police_ids = {
        a.gss_code: a.id for a in session.exec(select(Authority).where(Authority.kind == "PFA"))
    }
    saved: dict[str, Authority] = {}
    for row in councils:
        row.values["police_area_id"] = police_ids.get(str(row.values.pop("police_gss", "")))
        code = str(row.values["code"])
        saved[code] = _upsert(session, by_mysociety.get(code), row.values, outcomes)
    session.flush()
    _link_councils(councils, saved, outcomes)
    session.flush()
    import_former_codes(session, lookup_csv=gss_lookup_csv, councils_csv=councils_csv)
    rebuild_place_names(session)
    tally = Counter(outcomes.values())
    return ImportReport(tally["created"], tally["updated"], tally["unchanged"])


def read_councils(path: Path) -> tuple[list[AuthorityRow], list[RowError]]:
    """Read the current councils from mySociety's file, validating every row."""
    rows, errors = [], []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for line, record in enumerate(csv.DictReader(handle), start=2):
            if record.get("current-authority") != "True":
                continue
            try:
                rows.append(_council(line, record))
            except (KeyError, ValueError) as exc:
                errors.append(RowError(line, str(exc)))
    return _counties_in_their_districts_region(_unique_slugs(rows)), errors


def _counties_in_their_districts_region(rows: list[AuthorityRow]) -> list[AuthorityRow]:
    """Give each county the region all its districts are in.

    Regions are made of whole districts, and a county's districts all lie in one region,
    but the register places two counties by a point elsewhere (Derbyshire in the West
    Midlands, Lincolnshire in Yorkshire and The Humber); both are East Midlands, as their
    districts are. A county whose districts disagreed would keep its own value.
    """
    regions: dict[str, set[object]] = {}
    for row in rows:
        if row.county_code:
            regions.setdefault(row.county_code, set()).add(row.values["region"])
    for row in rows:
        found = regions.get(str(row.values["code"]), set())
        if len(found) == 1:
            row.values["region"] = found.pop()
    return rows


def read_police_areas(path: Path) -> tuple[list[AuthorityRow], list[RowError]]:
    """Read the police force areas, which elect Police and Crime Commissioners."""
    rows, errors = [], []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for line, record in enumerate(csv.DictReader(handle), start=2):
            try:
                rows.append(_police_area(line, record))
            except (KeyError, ValueError) as exc:
                errors.append(RowError(line, str(exc)))
    return rows, errors


def _council(line: int, record: dict[str, str]) -> AuthorityRow:
    """Validate one council row."""
    gss = _required(record, "gss-code")
    if not GSS.fullmatch(gss):
        raise ValueError(f"gss-code {gss!r} is not a GSS code")
    short = _required(record, "nice-name")
    transfer = MAYORS_WITH_PCC_POWERS.get(gss)
    return AuthorityRow(
        line,
        {
            "slug": slugify(short),
            "name": _required(record, "official-name"),
            "short_name": short,
            "gss_code": gss,
            "code": _required(record, "local-authority-code"),
            "kind": _required(record, "local-authority-type"),
            "kind_name": _required(record, "local-authority-type-name"),
            "nation": _required(record, "nation"),
            "region": record.get("region") or None,
            "lat": _float(record, "lat"),
            "lon": _float(record, "long"),
            "pcc_powers": gss in MAYORS_WITH_PCC_POWERS,
            "pcc_powers_since": transfer.since if transfer else None,
        },
        county_code=record.get("county-la") or None,
        combined_code=record.get("combined-authority") or None,
    )


def _police_area(line: int, record: dict[str, str]) -> AuthorityRow:
    """Validate one police force area row, naming it as people do ("City of London")."""
    gss = _required(record, "pfa_code")
    if not GSS.fullmatch(gss):
        raise ValueError(f"pfa_code {gss!r} is not a GSS code")
    name = _required(record, "pfa_name")
    if ", " in name:  # ONS writes "London, City of"
        head, tail = name.split(", ", 1)
        name = f"{tail[0].upper()}{tail[1:]} {head}"
    slug = slugify(name)
    return AuthorityRow(
        line,
        {
            "slug": slug if slug.endswith("-police") else f"{slug}-police",
            "name": f"{name} force area"
            if name.endswith("Police")
            else f"{name} police force area",
            "short_name": name,
            "gss_code": gss,
            "code": None,
            "kind": POLICE_AREA,
            "kind_name": POLICE_AREA_NAME,
            "nation": _required(record, "nation"),
            "region": None,
            "lat": _float(record, "centroid_lat"),
            "lon": _float(record, "centroid_long"),
            "commissioner": commissioner(gss),
        },
    )


def _required(record: dict[str, str], column: str) -> str:
    """Return a column's stripped value, refusing a missing column or an empty value."""
    if column not in record or record[column] is None:
        raise ValueError(f"missing column {column}")
    value = record[column].strip()
    if not value:
        raise ValueError(f"{column} is empty")
    return value


def _float(record: dict[str, str], column: str) -> float | None:
    """Return a coordinate, or None when the source leaves it blank."""
    value = (record.get(column) or "").strip()
    try:
        return float(value) if value else None
    except ValueError:
        raise ValueError(f"{column} {value!r} is not a number") from None


def _unique_slugs(rows: list[AuthorityRow]) -> list[AuthorityRow]:
    """Suffix the kind onto any slug two councils would share."""
    counts = Counter(row.values["slug"] for row in rows)
    for row in rows:
        if counts[row.values["slug"]] > 1:
            row.values["slug"] = f"{row.values['slug']}-{str(row.values['kind']).lower()}"
    return rows


def _set_police_areas(
    councils: list[AuthorityRow], police: list[AuthorityRow], schedule_csv: Path
) -> list[RowError]:
    """Place each council in its Schedule 1 police area; return why any could not be.

    Districts take their county's combined authority too, where the source leaves it
    blank: Ashfield is in the East Midlands Combined County Authority because
    Nottinghamshire is. A combined authority (or the GLA) takes the police area its
    members share, and none when they span several (Liverpool City Region includes
    Halton, in Cheshire).
    """
    counties = {str(row.values["code"]): row for row in councils}
    for row in councils:
        county = counties.get(row.county_code or "")
        if row.combined_code is None and county is not None and county.combined_code:
            row.combined_code = county.combined_code
    schedule, errors = read_schedule(
        schedule_csv,
        councils=counties,
        areas=(str(row.values["gss_code"]) for row in police),
    )
    placed, unplaced = police_areas((_placeable(row) for row in councils), schedule)
    for row in councils:
        code = str(row.values["code"])
        if code in placed:
            row.values["police_gss"] = placed[code]
        elif row.values["kind"] in ("COMB", "SRA"):
            members = (str(m.values["code"]) for m in councils if m.combined_code == code)
            row.values["police_gss"] = shared_area(members, placed)
    return errors + unplaced


def _placeable(row: AuthorityRow) -> Council:
    """Return what placing a council in its police area needs."""
    return Council(
        row.line,
        str(row.values["code"]),
        str(row.values["kind"]),
        str(row.values["nation"]),
        row.county_code,
    )


def _upsert(
    session: Session,
    existing: Authority | None,
    values: dict[str, object],
    outcomes: dict[str, str],
) -> Authority:
    """Create or update one authority, noting the outcome under its slug."""
    values = {k: v for k, v in values.items() if k in FIELDS}
    key = str(values["slug"])
    if existing is None:
        authority = Authority.model_validate(values)
        session.add(authority)
        outcomes[key] = "created"
        return authority
    changed = assign_changed(existing, values)
    outcomes[key] = "updated" if changed else "unchanged"
    return existing


def _link_councils(
    rows: list[AuthorityRow], saved: dict[str, Authority], outcomes: dict[str, str]
) -> None:
    """Point districts at their county and members at their combined authority."""
    for row in rows:
        county = saved.get(row.county_code or "")
        combined = saved.get(row.combined_code or "")
        links = {
            "parent_county_id": county.id if county else None,
            "combined_authority_id": combined.id if combined else None,
        }
        authority = saved[str(row.values["code"])]
        if assign_changed(authority, links) and outcomes[authority.slug] == "unchanged":
            outcomes[authority.slug] = "updated"
