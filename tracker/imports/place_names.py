"""The names residents search places by: every spelling, abbreviation, ward and role.

Rebuilt whole after each import of authorities or candidates, so the index never holds
a name for a council or ward the data no longer has. The fictional demonstration's
councils are left out: search finds real places only, and removing the demo stays
a plain delete.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from tracker.models import Authority, Ballot, Election, PlaceName
from tracker.search import normalise

DATA = Path(__file__).resolve().parent.parent / "data"
SPELLINGS_CSV = DATA / "lookup_name_to_registry.csv"
ABBREVIATIONS_CSV = DATA / "county_abbreviations.csv"

Entry = tuple[int, str, str, str | None]  # authority id, name, kind, ward GSS code


def rebuild_place_names(
    session: Session,
    *,
    spellings: tuple[Path, ...] = (SPELLINGS_CSV, ABBREVIATIONS_CSV),
) -> int:
    """Replace the search index's names with those the data holds now; return how many."""
    authorities = list(session.exec(select(Authority).where(col(Authority.is_demo).is_(False))))
    mayoral = set(session.exec(select(Election.authority_id).where(Election.kind == "mayor")))
    entries = [
        *(e for a in authorities for e in _names_of(a, is_mayoral=a.id in mayoral)),
        *_spellings(authorities, spellings),
        *_wards(session),
    ]
    rows, seen = [], set()
    for authority_id, name, kind, ward_gss in entries:
        key = normalise(name)
        if key and (authority_id, key) not in seen:
            seen.add((authority_id, key))
            rows.append(
                {
                    "authority_id": authority_id,
                    "name": name[:250],
                    "key": key[:250],
                    "kind": kind,
                    "ward_gss": ward_gss,
                }
            )
    session.exec(delete(PlaceName))
    if rows:
        session.exec(insert(PlaceName), params=rows)
    session.flush()
    return len(rows)


def _names_of(authority: Authority, *, is_mayoral: bool) -> Iterator[Entry]:
    """Yield an authority's own names and the roles people search it by."""
    body = authority.id
    yield body, authority.name, "name", None
    yield body, authority.short_name, "name", None
    short = authority.short_name.replace("&", "and")
    if authority.kind == "PFA":
        yield body, f"{short} police", "role", None
        if authority.commissioner:
            office = authority.commissioner
            initials = "".join(w[0] for w in office.replace(",", "").split() if w != "and")
            yield body, f"{short} {initials}", "role", None
            if initials != "PCC":  # residents say "Essex PCC" for its PFCC too
                yield body, f"{short} PCC", "role", None
            yield body, f"{office} for {short}", "role", None
            yield body, f"{short} {office}", "role", None
    if (authority.kind == "COMB" and (is_mayoral or authority.pcc_powers)) or (
        authority.kind == "SRA" and is_mayoral
    ):
        yield body, f"Mayor of {short}", "role", None
        yield body, f"{short} mayor", "role", None


def _spellings(authorities: list[Authority], paths: tuple[Path, ...]) -> Iterator[Entry]:
    """Yield every known spelling of each council's name, keyed by mySociety code."""
    by_code = {a.code: a.id for a in authorities if a.code}
    for path in paths:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for record in csv.DictReader(handle):
                body = by_code.get(record["local-authority-code"].strip())
                if body:
                    yield body, record["la-name"].strip(), "spelling", None


def _wards(session: Session) -> Iterator[Entry]:
    """Yield each ward of a council election, under the council it belongs to."""
    stmt = (
        select(Election.authority_id, Ballot.post_label, Ballot.ward_gss)
        .join(Election, col(Election.id) == Ballot.election_id)
        .join(Authority, col(Authority.id) == Election.authority_id)
        .where(Election.kind == "local", col(Authority.is_demo).is_(False))
        .distinct()
    )
    for authority_id, label, ward_gss in session.exec(stmt):
        yield authority_id, label, "ward", ward_gss
