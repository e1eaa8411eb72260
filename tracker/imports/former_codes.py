"""Former GSS codes, so links and data that use an old code still find the authority.

ONS gives an authority a new code when its boundary or status changes (Northumberland
was E06000048 until 2009). mySociety's lookup maps every present and former code to its
register code; an abolished council's code leads on to the one that replaced it
(Harrogate, E07000165, to North Yorkshire), unless it was split between several.
"""

from __future__ import annotations

import csv
from pathlib import Path

from sqlmodel import Session, select

from tracker.models import Authority, FormerCode

DATA = Path(__file__).resolve().parent.parent / "data"
GSS_LOOKUP_CSV = DATA / "lookup_gss_to_registry.csv"


def import_former_codes(session: Session, *, lookup_csv: Path, councils_csv: Path) -> int:
    """Point every former code at today's authority; return how many codes resolve."""
    successors = _successors(councils_csv)
    by_code = {a.code: a for a in session.exec(select(Authority)) if a.code}
    current = {a.gss_code for a in by_code.values()}
    wanted: dict[str, int] = {}
    with lookup_csv.open(newline="", encoding="utf-8-sig") as handle:
        for record in csv.DictReader(handle):
            gss = record["gss-code"].strip()
            authority = by_code.get(_successor(record["local-authority-code"], successors))
            if gss and gss not in current and authority is not None and authority.id:
                wanted[gss] = authority.id
    existing = {f.gss_code: f for f in session.exec(select(FormerCode))}
    for gss, row in existing.items():
        if gss not in wanted:
            session.delete(row)
    for gss, authority_id in wanted.items():
        row = existing.get(gss) or FormerCode(gss_code=gss, authority_id=authority_id)
        row.authority_id = authority_id
        session.add(row)
    session.flush()
    return len(wanted)


def _successors(councils_csv: Path) -> dict[str, str]:
    """Return each abolished council's single successor, by register code."""
    with councils_csv.open(newline="", encoding="utf-8-sig") as handle:
        return {
            r["local-authority-code"]: r["replaced-by"].strip()
            for r in csv.DictReader(handle)
            if r["current-authority"] != "True" and r["replaced-by"].strip()
        }


def _successor(code: str, successors: dict[str, str]) -> str:
    """Follow replacements to a council that exists today ("" when split or unknown)."""
    seen = {code}
    while code in successors:
        code = successors[code]
        if "," in code or code in seen:
            return ""
        seen.add(code)
    return code
