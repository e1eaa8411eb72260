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

from tracker.geo import Area, area_for_point, load_areas
from tracker.imports.rows import ImportRejected, ImportReport, RowError, assign_changed
from tracker.models import Authority
from tracker.text import slugify

DATA = Path(__file__).resolve().parent.parent / "data"
COUNCILS_CSV = DATA / "uk_local_authorities.csv"
POLICE_AREAS_CSV = DATA / "ons_police_force_areas_dec2019.csv"
POLICE_AREAS_GEOJSON = DATA / "ons_police_force_areas_dec2019_generalised_500m.geojson"

# Combined authorities whose mayor holds the Police and Crime Commissioner's powers:
# Greater Manchester (2017), West Yorkshire (2021), South Yorkshire and York & North
# Yorkshire (May 2024). Other areas elect a PCC, recorded as their police force area.
MAYORS_WITH_PCC_POWERS = frozenset({"E47000001", "E47000003", "E47000002", "E47000012"})
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
)


@dataclass(frozen=True)
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
    boundaries: Path = POLICE_AREAS_GEOJSON,
) -> ImportReport:
    """Validate both files, then upsert every authority and link counties and areas."""
    councils, errors = read_councils(councils_csv)
    police, police_errors = read_police_areas(police_csv)
    if errors or police_errors:
        raise ImportRejected(errors + police_errors)
    by_gss = {a.gss_code: a for a in session.exec(select(Authority)).all()}
    by_mysociety = {a.code: a for a in by_gss.values() if a.code}
    _set_police_areas(councils, load_areas(boundaries, "PFA19CD"))
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
    return _unique_slugs(rows), errors


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


def _set_police_areas(rows: list[AuthorityRow], areas: list[Area]) -> None:
    """Place English and Welsh councils in the police force area holding their centroid.

    A combined authority without a centroid in the source takes the area most of its
    members share (none when they split evenly).
    """
    for row in rows:
        lat, lon = row.values["lat"], row.values["lon"]
        in_scope = row.values["nation"] in ("England", "Wales")
        if in_scope and isinstance(lat, float) and isinstance(lon, float):
            row.values["police_gss"] = area_for_point(areas, lon, lat)
    for row in rows:
        if row.values["kind"] == "COMB" and "police_gss" not in row.values:
            shared = Counter(
                member.values.get("police_gss")
                for member in rows
                if member.combined_code == row.values["code"]
            ).most_common(2)
            if shared and (len(shared) == 1 or shared[0][1] > shared[1][1]):
                row.values["police_gss"] = shared[0][0]


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
