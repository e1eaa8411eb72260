"""Import candidates from Democracy Club's CSV export.

The whole file is validated before anything is written: one bad row rejects the file
(unless the caller asks to skip bad rows), and every bad row is reported with its line.
Rows upsert on (person_id, ballot_paper_id), so re-importing a newer export is safe.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from sqlmodel import Session, col, select
from uk_election_ids.election_ids import IdBuilder

from tracker.imports.dc_results import NotResultSets, result_set_records
from tracker.imports.place_names import rebuild_place_names
from tracker.imports.resolve import AuthorityResolver
from tracker.imports.rows import (
    ImportRejected,
    ImportReport,
    RowError,
    assign_changed,
    parse_bool,
    parse_int,
)
from tracker.models import Authority, Ballot, Candidacy, Election, Party, Person
from tracker.text import is_email, is_storable, slugify

M = TypeVar("M", Party, Person, Election, Ballot, Candidacy)

CORE_COLUMNS = (
    "person_id",
    "person_name",
    "election_id",
    "ballot_paper_id",
    "election_date",
    "election_current",
    "party_name",
    "party_id",
    "post_label",
    "cancelled_poll",
    "seats_contested",
)
# Election types the tracker follows. Democracy Club's others (parliament, Senedd,
# Scottish Parliament, Northern Ireland Assembly, referendums, the London Assembly's
# gla.c and gla.a) are counted and skipped, so an "all elections" export imports whole.
FOLLOWED = frozenset({"local", "mayor", "pcc"})
GSS = re.compile(r"[ENSWK]\d{8}")
MAX_FIELD = 250
# Columns the schema keeps shorter than MAX_FIELD (their VARCHAR lengths).
MAX_LENGTHS = {
    "person_name": 200,
    "election_id": 200,
    "party_id": 40,
    "party_name": 200,
    "post_label": 200,
    "post_id": 200,
}
MAX_SLUG = 200


@dataclass(frozen=True)
class CandidacyRow:
    """One validated row of the export."""

    line: int
    person_id: int
    person_name: str
    election_id: str
    election_type: str
    poll_date: date
    authority_id: int
    ballot_paper_id: str
    post_label: str
    post_id: str | None
    ward_gss: str | None
    seats_contested: int | None
    cancelled: bool
    party_dc_id: str
    party_name: str
    votes_cast: int | None
    elected: bool | None
    email: str | None = None  # a published contact address, when the export has one
    warning: str | None = None  # an optional column that was malformed and left out


class NotFollowed(Exception):
    """A row of an election type the tracker does not follow: skipped, and counted."""

    def __init__(self, election_type: str) -> None:
        super().__init__(election_type)
        self.election_type = election_type


@dataclass(frozen=True)
class Parsed:
    """A checked file: the good rows, the bad rows' reasons, and the skipped types."""

    rows: list[CandidacyRow]
    errors: list[RowError]
    skipped: Counter[str]


def import_candidates(session: Session, path: Path, *, skip_invalid: bool = False) -> ImportReport:
    """Validate the file, then upsert its candidacies; raise ImportRejected on bad rows."""
    resolver = AuthorityResolver(session.exec(select(Authority)).all())
    parsed = read_candidacies(path, resolver)
    if parsed.errors and not skip_invalid:
        raise ImportRejected(parsed.errors)
    report = Upsert(session).run(parsed.rows)
    report.rejected = parsed.errors
    report.skipped = dict(parsed.skipped)
    report.warnings = [RowError(r.line, r.warning) for r in parsed.rows if r.warning]
    rebuild_place_names(session)  # the wards just imported become searchable
    return report


def read_candidacies(path: Path, resolver: AuthorityResolver) -> Parsed:
    """Parse and check every row of a CSV export, or of the API's result sets (.json)."""
    if path.suffix.lower() == ".json":
        try:
            return _check_all(result_set_records(path), resolver)
        except NotResultSets as exc:
            return Parsed([], [RowError(1, str(exc))], Counter())
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in CORE_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                return Parsed(
                    [], [RowError(1, f"missing column(s): {', '.join(missing)}")], Counter()
                )
            return _check_all(enumerate(reader, start=2), resolver)
    except UnicodeDecodeError:
        return Parsed([], [RowError(1, "the file is not UTF-8 text")], Counter())
    except csv.Error as exc:
        return Parsed([], [RowError(1, f"not a readable CSV file: {exc}")], Counter())


def _check_all(
    records: Iterable[tuple[int, dict[str, str]]], resolver: AuthorityResolver
) -> Parsed:
    """Check each row alone, then against earlier rows (duplicates, conflicting ballots)."""
    rows: list[CandidacyRow] = []
    errors: list[RowError] = []
    skipped: Counter[str] = Counter()
    seen: dict[tuple[int, str], int] = {}
    ballots: dict[str, CandidacyRow] = {}
    for line, record in records:
        try:
            row = parse_row(line, record, resolver)
        except NotFollowed as exc:
            skipped[exc.election_type] += 1
            continue
        except ValueError as exc:
            errors.append(RowError(line, str(exc)))
            continue
        key = (row.person_id, row.ballot_paper_id)
        if key in seen:
            errors.append(RowError(line, f"duplicate of line {seen[key]} (same person and ballot)"))
            continue
        first = ballots.setdefault(row.ballot_paper_id, row)
        if _ballot_facts(first) != _ballot_facts(row):
            errors.append(
                RowError(
                    line,
                    f"ballot {row.ballot_paper_id} is described differently on "
                    f"line {first.line} (post label, post id or seats)",
                )
            )
            continue
        seen[key] = line
        rows.append(row)
    return Parsed(rows, errors, skipped)


def _ballot_facts(row: CandidacyRow) -> tuple[object, ...]:
    """Return what every row on the same ballot must agree on."""
    return (row.election_id, row.post_label, row.post_id, row.seats_contested, row.cancelled)


def parse_row(line: int, record: dict[str, str], resolver: AuthorityResolver) -> CandidacyRow:
    """Validate one row; raise ValueError with a reason a person can act on."""
    if None in record:
        raise ValueError("more fields than the header has columns")
    value = {k: (v or "").strip() for k, v in record.items() if k}
    election = _election(value.get("election_id", ""))
    for column in (
        "person_id",
        "person_name",
        "election_id",
        "ballot_paper_id",
        "election_date",
        "party_id",
        "party_name",
        "post_label",
    ):
        if not value.get(column):
            raise ValueError(f"{column} is empty")
        if len(value[column]) > MAX_FIELD:
            raise ValueError(f"{column} is longer than {MAX_FIELD} characters")
    for column, limit in MAX_LENGTHS.items():
        if len(value.get(column, "")) > limit:
            raise ValueError(f"{column} is longer than {limit} characters")
    if not all(is_storable(text) for text in value.values()):
        raise ValueError("a cell holds a NUL character or broken text, which cannot be stored")
    person_id = parse_int(value["person_id"], column="person_id", minimum=1)
    poll_date = _date(value["election_date"])
    if election.date != poll_date.isoformat():
        raise ValueError(f"election_date {poll_date} does not match election_id")
    ballot = value["ballot_paper_id"]
    if not (ballot == value["election_id"] or _in_election(ballot, value["election_id"])):
        raise ValueError(f"ballot_paper_id {ballot!r} is not part of {value['election_id']}")
    ward_gss = value.get("gss") or None
    if ward_gss and not GSS.fullmatch(ward_gss):
        raise ValueError(f"gss {ward_gss!r} is not a GSS code")
    authority_id = resolver.resolve(election.election_type, election.organisation)
    assert person_id is not None  # noqa: S101 (checked non-empty above)  # nosec B101
    email, warning = _email(value.get("email", ""))
    return CandidacyRow(
        line=line,
        person_id=person_id,
        person_name=value["person_name"],
        email=email,
        warning=warning,
        election_id=value["election_id"],
        election_type=election.election_type,
        poll_date=poll_date,
        authority_id=authority_id,
        ballot_paper_id=ballot,
        post_label=value["post_label"],
        post_id=value.get("post_id") or None,
        ward_gss=ward_gss,
        seats_contested=parse_int(value["seats_contested"], column="seats_contested"),
        cancelled=bool(parse_bool(value["cancelled_poll"], column="cancelled_poll")),
        party_dc_id=value["party_id"],
        party_name=value["party_name"],
        votes_cast=parse_int(value.get("votes_cast", ""), column="votes_cast"),
        elected=parse_bool(value.get("elected", ""), column="elected"),
    )


def _election(election_id: str) -> IdBuilder:
    """Parse an election id with Democracy Club's own rules; skip types not followed."""
    try:
        election = IdBuilder.from_id(election_id)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"election_id {election_id!r} is not a Democracy Club id: {exc}") from None
    if election.election_type not in FOLLOWED:
        kind = election.election_type
        raise NotFollowed(f"{kind}.{election.subtype}" if election.subtype else kind)
    if not election.organisation:
        raise ValueError(f"election_id {election_id!r} names no council or area")
    return election


def _email(text: str) -> tuple[str | None, str | None]:
    """Read the optional published address; a malformed one is left out with a warning."""
    if not text:
        return None, None
    if not is_email(text):
        return None, f"email {text!r} is not an email address; imported without it"
    return text, None


def _date(text: str) -> date:
    """Parse an ISO date, with a clear message when it is not one."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"election_date {text!r} is not a date (YYYY-MM-DD)") from None


def _slug(text: str) -> str:
    """Return a slug that fits its column (slugs can grow: "&" becomes "-and-")."""
    return slugify(text)[:MAX_SLUG].strip("-")


def _unused(slug: str, taken: set[str]) -> str:
    """Return `slug`, numbered (-2, -3, ...) until no other row has it."""
    found, number = slug, 1
    while found in taken:
        number += 1
        found = f"{slug[: MAX_SLUG - 12]}-{number}"
    return found


def _in_election(ballot: str, election_id: str) -> bool:
    """Return whether a ballot id sits under an election id (same prefix and date)."""
    prefix, _, poll_date = election_id.rpartition(".")
    return ballot.startswith(prefix + ".") and ballot.endswith("." + poll_date)


class Upsert:
    """Write validated rows with a handful of queries, whatever the file's size."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.changed: set[str] = set()  # natural keys of parents the file changed

    def run(self, rows: list[CandidacyRow]) -> ImportReport:
        """Upsert parties, people, elections, ballots and candidacies; count outcomes."""
        report = ImportReport()
        if not rows:
            return report
        parties = self._parties(rows)
        self._people(rows)
        ballots = self._ballots(rows, self._elections(rows))
        self.session.flush()
        existing = self._candidacies([b.id for b in ballots.values() if b.id])
        for row in rows:
            ballot, party = ballots[row.ballot_paper_id], parties[row.party_dc_id]
            facts = {"party_id": party.id, "votes_cast": row.votes_cast, "elected": row.elected}
            candidacy = existing.get((row.person_id, ballot.id))
            if candidacy is None:
                facts |= {"person_id": row.person_id, "ballot_id": ballot.id}
                self.session.add(Candidacy.model_validate(facts))
                report.created += 1
            elif assign_changed(candidacy, facts) or self._touched(row):
                report.updated += 1
            else:
                report.unchanged += 1
        self.session.flush()
        return report

    def _touched(self, row: CandidacyRow) -> bool:
        """Return whether the file changed the person, ballot or party this row names."""
        keys = {f"person:{row.person_id}", f"ballot:{row.ballot_paper_id}"}
        keys |= {f"party:{row.party_dc_id}", f"election:{row.election_id}"}
        return bool(keys & self.changed)

    def _update(self, key: str, model: object, values: Mapping[str, object]) -> None:
        """Apply values to an existing row, remembering it if anything changed."""
        if assign_changed(model, values):
            self.changed.add(key)

    def _parties(self, rows: list[CandidacyRow]) -> dict[str, Party]:
        """Return every party in the file by Democracy Club id, creating new ones."""
        names = {row.party_dc_id: row.party_name for row in rows}
        parties = {p.dc_id: p for p in self._in(Party, col(Party.dc_id), list(names))}
        taken = set(self.session.exec(select(Party.slug)).all())
        for dc_id, name in names.items():
            if dc_id in parties:
                self._update(f"party:{dc_id}", parties[dc_id], {"name": name})
                continue
            slug = _slug(name) or _slug(dc_id) or "party"
            if slug in taken:
                slug = _unused(_slug(f"{slug[: MAX_SLUG // 2]}-{dc_id}"), taken)
            taken.add(slug)
            parties[dc_id] = Party(dc_id=dc_id, name=name, slug=slug)
            self.session.add(parties[dc_id])
        return parties

    def _people(self, rows: list[CandidacyRow]) -> None:
        """Create or rename everyone in the file (the last row's name wins)."""
        names = {row.person_id: row.person_name for row in rows}
        emails = {row.person_id: row.email for row in rows if row.email}
        people = {p.id: p for p in self._in(Person, col(Person.id), list(names))}
        for pid, name in names.items():
            values = {"name": name, "slug": _slug(name) or "candidate"}
            if pid in emails:  # an export without addresses keeps the ones we have
                values["email"] = emails[pid]
            if pid in people:
                self._update(f"person:{pid}", people[pid], values)
            else:
                self.session.add(Person(id=pid, **values))  # type: ignore[arg-type]

    def _elections(self, rows: list[CandidacyRow]) -> dict[str, Election]:
        """Return every election in the file by Democracy Club id, creating new ones."""
        facts: dict[str, dict[str, object]] = {
            row.election_id: {
                "kind": row.election_type,
                "poll_date": row.poll_date,
                "authority_id": row.authority_id,
            }
            for row in rows
        }
        found = self._in(Election, col(Election.election_id), list(facts))
        elections = {e.election_id: e for e in found}
        for election_id, values in facts.items():
            if election_id in elections:
                self._update(f"election:{election_id}", elections[election_id], values)
            else:
                elections[election_id] = Election.model_validate(
                    {"election_id": election_id, **values}
                )
                self.session.add(elections[election_id])
        self.session.flush()
        return elections

    def _ballots(
        self, rows: list[CandidacyRow], elections: dict[str, Election]
    ) -> dict[str, Ballot]:
        """Return every ballot in the file by ballot paper id, creating new ones."""
        facts: dict[str, dict[str, object]] = {
            row.ballot_paper_id: {
                "election_id": elections[row.election_id].id,
                "post_label": row.post_label,
                "post_id": row.post_id,
                "ward_gss": row.ward_gss,
                "seats_contested": row.seats_contested,
                "cancelled": row.cancelled,
            }
            for row in rows
        }
        found = self._in(Ballot, col(Ballot.ballot_paper_id), list(facts))
        ballots = {b.ballot_paper_id: b for b in found}
        for paper_id, values in facts.items():
            if paper_id in ballots:
                self._update(f"ballot:{paper_id}", ballots[paper_id], values)
            else:
                ballots[paper_id] = Ballot.model_validate({"ballot_paper_id": paper_id, **values})
                self.session.add(ballots[paper_id])
        return ballots

    def _candidacies(self, ballot_ids: list[int]) -> dict[tuple[int, int | None], Candidacy]:
        """Return the stored candidacies on these ballots by (person, ballot)."""
        found = self._in(Candidacy, col(Candidacy.ballot_id), ballot_ids)
        return {(c.person_id, c.ballot_id): c for c in found}

    def _in(self, model: type[M], column: Any, values: Sequence[object]) -> list[M]:
        """Select rows whose column is in `values`, in chunks every database accepts."""
        found: list[M] = []
        for start in range(0, len(values), 500):
            chunk = values[start : start + 500]
            found.extend(self.session.exec(select(model).where(column.in_(chunk))).all())
        return found
