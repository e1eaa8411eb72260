"""Load the ONS postcode lookup: each postcode's district or unitary council and ward.

Reads the ONS Postcode Directory (ONSPD) or the National Statistics Postcode Lookup
(NSPL), which the operator downloads from the ONS (Open Government Licence). Both are
CSVs of about 2.7 million rows, so the file is streamed in batches, never held whole.
ONSPD names the columns `oslaua` and `osward`, NSPL `laua` and `ward`; both have `pcds`
(the postcode as published, "S1 2HH") and `doterm` (blank while it is in use).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, insert
from sqlmodel import Session

from tracker.imports.rows import RowError
from tracker.models import Postcode
from tracker.search import postcode

BATCH = 5000
GSS = re.compile(r"[A-Z]\d{8}")
DISTRICT_COLUMNS = ("oslaua", "laua")
WARD_COLUMNS = ("osward", "ward")


class NotAPostcodeFile(ValueError):
    """The file lacks the columns of the ONS postcode lookups."""


@dataclass
class PostcodeReport:
    """What a postcode import did: rows loaded, postcodes no longer in use, bad rows."""

    loaded: int = 0
    terminated: int = 0
    rejected: list[RowError] = field(default_factory=list)

    def summary(self) -> str:
        """Return a one-line summary for people."""
        return (
            f"{self.loaded} postcodes loaded, {self.terminated} no longer in use skipped, "
            f"{len(self.rejected)} rejected"
        )


def import_postcodes(
    session: Session, path: Path, *, progress: Callable[[int], None] | None = None
) -> PostcodeReport:
    """Replace the postcode table with the file's live postcodes; report every bad row.

    `progress` is told how many bytes have been read so far, for a progress bar.
    """
    report = PostcodeReport()
    session.exec(delete(Postcode))
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        reader = csv.DictReader(text)
        district, ward = _columns(reader.fieldnames or [])
        batch: list[dict[str, str | None]] = []
        for line, record in enumerate(reader, start=2):
            if (record.get("doterm") or "").strip():
                report.terminated += 1
                continue
            try:
                batch.append(_row(record, district, ward))
            except ValueError as exc:
                report.rejected.append(RowError(line, str(exc)))
            if len(batch) >= BATCH:
                report.loaded += _insert(session, batch)
                if progress:
                    progress(raw.tell())
        report.loaded += _insert(session, batch)
    if progress:
        progress(path.stat().st_size)
    session.flush()
    return report


def _columns(names: Sequence[str]) -> tuple[str, str | None]:
    """Return the district and ward columns this file uses, or say what it lacks."""
    district = next((c for c in DISTRICT_COLUMNS if c in names), None)
    if "pcds" not in names or district is None:
        raise NotAPostcodeFile(
            "not an ONS Postcode Directory or NSPL file: it needs the columns pcds and "
            "oslaua (ONSPD) or laua (NSPL)"
        )
    return district, next((c for c in WARD_COLUMNS if c in names), None)


def _row(record: dict[str, str], district: str, ward: str | None) -> dict[str, str | None]:
    """Validate one postcode row."""
    code = postcode(record.get("pcds") or "")
    if code is None:
        raise ValueError(f"pcds {record.get('pcds')!r} is not a postcode")
    council = (record.get(district) or "").strip()
    if not GSS.fullmatch(council):
        raise ValueError(f"{district} {council!r} is not a GSS code")
    ward_code = (record.get(ward) or "").strip() if ward else ""
    if ward_code and not GSS.fullmatch(ward_code):
        raise ValueError(f"{ward} {ward_code!r} is not a GSS code")
    return {
        "postcode": code,
        "outward": code.split()[0],
        "district_gss": council,
        "ward_gss": ward_code or None,
    }


def _insert(session: Session, batch: list[dict[str, str | None]]) -> int:
    """Insert a batch of rows in one statement and empty it; return how many went in."""
    count = len(batch)
    if batch:
        session.exec(insert(Postcode), params=batch)
        batch.clear()
    return count
