"""Bulk pledge updates from a spreadsheet: plan every row, show the plan, then apply it.

A plan names the version of each pledge it was made against. Applying re-plans from the
same file and refuses if any of those versions moved, so an upload can never overwrite
an edit made between its preview and its application.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from tracker.dbtypes import MAX_INTEGER
from tracker.imports.rows import ImportRejected, ImportReport, RowError
from tracker.models import Authority, Delivery, Person, Pledge, PledgeStatus, Recommendation
from tracker.pledging import (
    InvalidPledge,
    PledgeChange,
    StaleEdit,
    Subject,
    save_pledge,
    validate_change,
)
from tracker.text import first_unstorable

COLUMNS = (
    "person_id",
    "authority",
    "recommendation",
    "status",
    "delivery",
    "evidence_url",
    "quote",
    "date",
    "note",
    "internal_note",
)
REQUIRED = ("recommendation", "status")
MAX_ROWS = 5000
# What no database column can hold: NUL, and halves of surrogate pairs.
MAX_CELL = 10_000


@dataclass(frozen=True)
class PlannedRow:
    """What one row will do to one pledge."""

    line: int
    subject: Subject
    subject_name: str
    recommendation: Recommendation
    change: PledgeChange
    before: PledgeStatus
    expected_version: int

    @property
    def outcome(self) -> str:
        """Return "create", "update" or "unchanged" for the preview."""
        return "create" if self.expected_version == 0 else "update"


@dataclass(frozen=True)
class Plan:
    """Every good row, every bad row, and a fingerprint of the versions planned against."""

    rows: list[PlannedRow]
    errors: list[RowError]
    unchanged: list[int]  # lines that would change nothing

    @property
    def fingerprint(self) -> str:
        """Return a digest of each planned pledge's expected version and new values."""
        parts = [f"{r.line}:{r.expected_version}:{r.change}" for r in self.rows]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def plan_upload(session: Session, text: str, *, today: date) -> Plan:
    """Check every row of the CSV text against the database and plan its change."""
    records, problem = read_upload(text)
    if problem is not None:
        return Plan([], [problem], [])
    return _Planner(session, today).plan(records)


def read_upload(text: str) -> tuple[list[tuple[int, dict[str, str]]], RowError | None]:
    """Return the CSV's records by line, or why the file as a whole cannot be used."""
    if not text.strip():
        return [], RowError(1, "the file is empty")
    if (unstorable := first_unstorable(text)) is not None:
        line = text.count("\n", 0, unstorable) + 1
        return [], RowError(line, "a NUL character or broken text; save the file as CSV (UTF-8)")
    # Strict, so a quote left open is an error rather than the rest of the file in one cell.
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [name.strip() for name in reader.fieldnames or []]
        missing = [c for c in REQUIRED if c not in header]
        if not ({"person_id", "authority"} & set(header)):
            missing.append("person_id or authority")
        unknown = [c for c in header if c not in COLUMNS]
        if missing or unknown:
            reasons = [f"missing column(s): {', '.join(missing)}"] if missing else []
            reasons += [f"unknown column(s): {_listed(unknown)}"] if unknown else []
            return [], RowError(1, "; ".join(reasons))
        records = list(enumerate(reader, start=2))
    except csv.Error as exc:
        return [], RowError(reader.line_num or 1, f"not a readable CSV file ({exc})")
    if len(records) > MAX_ROWS:
        return [], RowError(1, f"more than {MAX_ROWS:,} rows; split the file")
    return records, None


def _listed(names: list[str], most: int = 10) -> str:
    """Return names as a list for people, cut short if there are many."""
    more = f" and {len(names) - most:,} more" if len(names) > most else ""
    return ", ".join(names[:most]) + more


def _extra_cells(record: Mapping[Any, Any]) -> str | None:
    """Say why a row with more cells than the header is refused, or None if it has none.

    csv files a row's surplus cells under the key None. Dropping them would silently cut a
    quote short at its first unquoted comma, so the row is an error instead.
    """
    extra = record.get(None)
    if not isinstance(extra, list):
        return None
    return (
        f"{len(extra)} more cell(s) than the header has columns; "
        "put a quote holding commas in double quotes"
    )


class _Planner:
    """Resolve subjects and recommendations for a whole file with a few queries."""

    def __init__(self, session: Session, today: date) -> None:
        self.session = session
        self.today = today
        self.recommendations = {r.slug: r for r in session.exec(select(Recommendation))}

    def plan(self, records: list[tuple[int, dict[str, str]]]) -> Plan:
        """Plan each row; a subject and recommendation may appear only once per file."""
        errors: list[RowError] = []
        clean: list[tuple[int, dict[str, str]]] = []
        for line, record in records:
            if (extra := _extra_cells(record)) is not None:
                errors.append(RowError(line, extra))
                continue
            clean.append((line, {k.strip(): (v or "").strip() for k, v in record.items() if k}))
        people = self._people([r.get("person_id", "") for _, r in clean])
        bodies = self._authorities([r.get("authority", "") for _, r in clean])
        pledges = self._pledges(list(people.values()), list(bodies.values()))
        rows: list[PlannedRow] = []
        unchanged: list[int] = []
        seen: dict[tuple[Subject, str], int] = {}
        for line, record in clean:
            try:
                planned = self._row(line, record, people, bodies, pledges)
            except ValueError as exc:
                errors.append(RowError(line, str(exc)))
                continue
            key = (planned.subject, planned.recommendation.slug)
            if key in seen:
                errors.append(RowError(line, f"the same pledge is also on line {seen[key]}"))
                continue
            seen[key] = line
            current = pledges.get((planned.subject, planned.recommendation.id))
            if current is not None and _same(current, planned.change):
                unchanged.append(line)
            else:
                rows.append(planned)
        errors.sort(key=lambda error: error.line)
        return Plan(rows, errors, unchanged)

    def _row(
        self,
        line: int,
        record: dict[str, str],
        people: dict[str, Person],
        bodies: dict[str, Authority],
        pledges: dict[tuple[Subject, int], Pledge],
    ) -> PlannedRow:
        """Plan one row or raise ValueError with the reason."""
        if any(len(value) > MAX_CELL for value in record.values()):
            raise ValueError(f"a cell is longer than {MAX_CELL:,} characters")
        person_key, authority_key = record.get("person_id", ""), record.get("authority", "")
        if bool(person_key) == bool(authority_key):
            raise ValueError("give either person_id or authority (a GSS code), not both")
        if person_key:
            person = people.get(person_key)
            if person is None:
                raise ValueError(f"no candidate has person_id {person_key!r}")
            subject, name = Subject(person_id=person.id), person.name
        else:
            body = bodies.get(authority_key.upper())
            if body is None:
                raise ValueError(f"no authority has GSS code {authority_key!r}")
            subject, name = Subject(authority_id=body.id), body.name
        rec = self.recommendations.get(record["recommendation"])
        if rec is None:
            raise ValueError(f"unknown recommendation {record['recommendation']!r}")
        current = pledges.get((subject, rec.id))
        change = self._change(record, current)
        errors = validate_change(change, today=self.today)
        if errors:
            raise ValueError("; ".join(errors.values()))
        before = PledgeStatus(current.status) if current else PledgeStatus.AWAITING
        version = current.version if current else 0
        return PlannedRow(line, subject, name, rec, change, before, version)

    def _change(self, record: dict[str, str], current: Pledge | None) -> PledgeChange:
        """Read the row's new state; a blank delivery keeps the current rating."""
        status = record["status"]
        if status not in {s.value for s in PledgeStatus}:
            raise ValueError(f"unknown status {status!r}")
        delivery = record.get("delivery") or (current.delivery if current else "")
        if delivery and delivery not in {d.value for d in Delivery}:
            raise ValueError(f"unknown delivery {delivery!r}")
        if PledgeStatus(status) not in (PledgeStatus.PLEDGED, PledgeStatus.PARTIAL):
            delivery = record.get("delivery") or Delivery.NOT_YET_RATED.value
        try:
            said = date.fromisoformat(record["date"]) if record.get("date") else None
        except ValueError:
            raise ValueError(f"date {record['date']!r} is not a date (YYYY-MM-DD)") from None
        return PledgeChange(
            status=PledgeStatus(status),
            delivery=Delivery(delivery or Delivery.NOT_YET_RATED.value),
            evidence_url=record.get("evidence_url") or None,
            quote=record.get("quote") or None,
            evidence_date=said,
            note=record.get("note") or None,
            private_note=self._internal_note(record, current),
        )

    @staticmethod
    def _internal_note(record: dict[str, str], current: Pledge | None) -> str | None:
        """Read the internal note; a file without the column keeps the one already saved."""
        if "internal_note" in record:
            return record["internal_note"] or None
        return current.private_note if current else None

    def _people(self, keys: list[str]) -> dict[str, Person]:
        """Return the named candidates by the person_id text used in the file."""
        ids = {int(k) for k in keys if k.isascii() and k.isdigit() and len(k) < 12}
        ids = {i for i in ids if i <= MAX_INTEGER}
        found = self.session.exec(select(Person).where(col(Person.id).in_(ids))).all()
        return {str(p.id): p for p in found}

    def _authorities(self, keys: list[str]) -> dict[str, Authority]:
        """Return the named authorities by GSS code."""
        codes = {k.upper() for k in keys if k}
        stmt = select(Authority).where(col(Authority.gss_code).in_(codes))
        return {a.gss_code or "": a for a in self.session.exec(stmt)}

    def _pledges(
        self, people: list[Person], bodies: list[Authority]
    ) -> dict[tuple[Subject, int], Pledge]:
        """Return the existing pledges of every subject in the file."""
        stmt = select(Pledge).where(
            col(Pledge.person_id).in_([p.id for p in people])
            | col(Pledge.authority_id).in_([a.id for a in bodies])
        )
        found = {}
        for pledge in self.session.exec(stmt):
            subject = Subject(person_id=pledge.person_id, authority_id=pledge.authority_id)
            found[(subject, pledge.recommendation_id)] = pledge
        return found


def _same(pledge: Pledge, change: PledgeChange) -> bool:
    """Return whether the pledge already says what the change says."""
    return all(getattr(pledge, name) == value for name, value in change.values().items())


def apply_upload(
    session: Session,
    text: str,
    *,
    expected: str,
    actor_id: int | None,
    today: date,
    skip_bad: bool = False,
) -> ImportReport:
    """Apply a previewed upload in the caller's transaction, if nothing moved meanwhile.

    With `skip_bad` the good rows are applied and the bad ones reported as rejected;
    otherwise any bad row refuses the whole file. Either way raises ImportRejected if the
    plan of the good rows no longer matches the preview (`expected` fingerprint), so a
    row that turned bad or good since the preview is never applied or skipped unseen.
    """
    plan = plan_upload(session, text, today=today)
    if plan.errors and not (skip_bad and plan.rows):
        raise ImportRejected(plan.errors)
    if plan.fingerprint != expected:
        raise ImportRejected(
            [
                RowError(
                    1,
                    "pledges in this file changed after the preview; "
                    "review the new preview before applying",
                )
            ]
        )
    report = ImportReport(unchanged=len(plan.unchanged), rejected=list(plan.errors))
    for row in plan.rows:
        try:
            save_pledge(
                session,
                row.subject,
                row.recommendation.id,
                row.change,
                expected_version=row.expected_version,
                actor_id=actor_id,
            )
        except (InvalidPledge, StaleEdit) as exc:
            raise ImportRejected([RowError(row.line, str(exc))]) from exc
        if row.expected_version == 0:
            report.created += 1
        else:
            report.updated += 1
    return report
