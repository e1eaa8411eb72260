"""Importing Democracy Club's candidate CSV: validation first, then an upsert."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from tracker.commands.data import SAMPLE_CANDIDATES
from tracker.imports.candidates import CORE_COLUMNS, import_candidates
from tracker.imports.rows import ImportRejected
from tracker.models import Ballot, Candidacy, Election, Party, Person, Pledge

# SHA-256 of Democracy Club's file as published in the campaign's shared data folder: the
# copy we ship must be that file, byte for byte, wherever the suite runs.
ORIGINAL_SHA256 = "23877abbbb71a202b8b8ef06460dae256d8e7c5df77a310b2f04ae6de529d7b5"


def _rows() -> list[dict[str, str]]:
    with SAMPLE_CANDIDATES.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _write(path: Path, rows: list[dict[str, str]], fields: list[str] | None = None) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields or list(rows[0]), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def _count(db: Session, model: type) -> int:
    return db.exec(select(func.count()).select_from(model)).one()


def test_sample_is_a_verbatim_copy_of_the_shared_file() -> None:
    assert hashlib.sha256(SAMPLE_CANDIDATES.read_bytes()).hexdigest() == ORIGINAL_SHA256


def test_real_file_imports_every_candidacy(db: Session) -> None:
    report = import_candidates(db, SAMPLE_CANDIDATES)
    assert (report.created, report.updated, report.unchanged, report.rejected) == (842, 0, 0, [])
    assert _count(db, Candidacy) == 842
    assert _count(db, Person) == 795
    assert _count(db, Ballot) == 144
    assert _count(db, Election) == 6
    bruff = db.get_one(Person, 47677)
    assert bruff.name == "Margaret Bruff"
    assert db.exec(select(func.count()).select_from(Pledge)).one() == 0


def test_elections_link_to_their_councils(db: Session) -> None:
    import_candidates(db, SAMPLE_CANDIDATES)
    elections = db.exec(select(Election)).all()
    assert {e.election_id.split(".")[1] for e in elections} == {
        "sheffield",
        "barnsley",
        "rotherham",
        "doncaster",
    }
    for election in elections:
        from tracker.models import Authority

        council = db.get_one(Authority, election.authority_id)
        assert council.slug == election.election_id.split(".")[1]
        assert council.kind == "MD"


def test_rerun_is_unchanged_and_edits_update(db: Session, tmp_path: Path) -> None:
    import_candidates(db, SAMPLE_CANDIDATES)
    assert import_candidates(db, SAMPLE_CANDIDATES).unchanged == 842
    rows = _rows()
    rows[0]["votes_cast"] = str(int(rows[0]["votes_cast"]) + 1)
    renamed = [r for r in rows if r["person_id"] == rows[1]["person_id"]]
    for row in renamed:
        row["person_name"] = "Adrian Q. Thompson"
    report = import_candidates(db, _write(tmp_path / "edited.csv", rows))
    assert (report.created, report.updated) == (0, 1 + len(renamed))
    assert report.unchanged == 842 - 1 - len(renamed)
    assert db.get_one(Person, int(rows[1]["person_id"])).name == "Adrian Q. Thompson"


def test_core_columns_only_is_enough(db: Session, tmp_path: Path) -> None:
    path = _write(tmp_path / "core.csv", _rows()[:20], list(CORE_COLUMNS))
    report = import_candidates(db, path)
    assert report.created == 20
    candidacy = db.exec(select(Candidacy)).first()
    assert candidacy is not None and candidacy.votes_cast is None and candidacy.elected is None


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("election_id", "local.atlantis.2021-05-06", "unknown authority 'atlantis'"),
        ("election_date", "6 May 2021", "election_date '6 May 2021' is not a date (YYYY-MM-DD)"),
        ("person_id", "forty", "person_id must be a whole number, not 'forty'"),
        ("person_name", "", "person_name is empty"),
        ("votes_cast", "-3", "votes_cast must be a whole number, not '-3'"),
        ("elected", "maybe", "elected must be True or False, not 'maybe'"),
        ("gss", "E05XYZ", "gss 'E05XYZ' is not a GSS code"),
        (
            "election_id",
            "local.2021-05-06",
            "election_id 'local.2021-05-06' names no council or area",
        ),
    ],
)
def test_a_bad_row_rejects_the_whole_file(
    db: Session, tmp_path: Path, field: str, value: str, reason: str
) -> None:
    rows = _rows()
    rows[5][field] = value
    if field == "election_id":
        rows[5]["ballot_paper_id"] = value
        rows[5]["election_date"] = value.rsplit(".", 1)[1]
    with pytest.raises(ImportRejected) as caught:
        import_candidates(db, _write(tmp_path / "bad.csv", rows))
    assert [(e.line, e.reason) for e in caught.value.errors] == [(7, reason)]
    assert _count(db, Candidacy) == 0


def test_every_bad_row_is_reported_and_skip_invalid_imports_the_rest(
    db: Session, tmp_path: Path
) -> None:
    rows = _rows()
    rows[0]["election_date"] = "2018-05-04"
    rows.append(dict(rows[10]))  # a duplicate of line 12
    rows[20]["ballot_paper_id"] = "local.barnsley.elsewhere.2019-01-01"
    path = _write(tmp_path / "bad.csv", rows)
    with pytest.raises(ImportRejected) as caught:
        import_candidates(db, path)
    stray = rows[20]["ballot_paper_id"]
    assert [(e.line, e.reason) for e in caught.value.errors] == [
        (2, "election_date 2018-05-04 does not match election_id"),
        (22, f"ballot_paper_id {stray!r} is not part of {rows[20]['election_id']}"),
        (844, "duplicate of line 12 (same person and ballot)"),
    ]
    report = import_candidates(db, path, skip_invalid=True)
    assert (report.created, len(report.rejected)) == (840, 3)


def test_missing_core_column_is_a_file_error(db: Session, tmp_path: Path) -> None:
    fields = [c for c in _rows()[0] if c != "party_id"]
    with pytest.raises(ImportRejected) as caught:
        import_candidates(db, _write(tmp_path / "nocol.csv", _rows(), fields))
    assert [str(e) for e in caught.value.errors] == ["line 1: missing column(s): party_id"]


def test_non_utf8_file_is_refused_clearly(db: Session, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(",".join(CORE_COLUMNS).encode() + b"\n1,Jos\xe9,x\n")
    with pytest.raises(ImportRejected) as caught:
        import_candidates(db, path)
    assert [str(e) for e in caught.value.errors] == ["line 1: the file is not UTF-8 text"]


def test_conflicting_ballot_facts_are_rejected(db: Session, tmp_path: Path) -> None:
    rows = _rows()
    rows[1]["post_label"] = "Somewhere Else"  # same ballot as line 2, other label
    with pytest.raises(ImportRejected) as caught:
        import_candidates(db, _write(tmp_path / "bad.csv", rows))
    assert caught.value.errors[0].line == 3
    assert "described differently on line 2" in caught.value.errors[0].reason


def test_parties_get_unique_slugs(db: Session) -> None:
    import_candidates(db, SAMPLE_CANDIDATES)
    slugs = db.exec(select(Party.slug)).all()
    assert len(slugs) == len(set(slugs))
    labour = db.exec(select(Party).where(Party.dc_id == "PP53")).one()
    assert labour.slug == "labour-party"


def test_cli_reports_rejections_and_exits_nonzero(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = _rows()
    rows[3]["election_id"] = "local.atlantis.2018-05-03"
    rows[3]["ballot_paper_id"] = "local.atlantis.central.2018-05-03"
    path = _write(tmp_path / "bad.csv", rows)
    result = runner.invoke(args=["import-candidates", str(path)])
    assert result.exit_code == 1
    assert "line 5: unknown authority 'atlantis'" in result.output
    assert "nothing was imported" in result.output
    result = runner.invoke(args=["import-candidates", str(path), "--skip-invalid"])
    assert result.exit_code == 0, result.output
    assert "841 created, 0 updated, 0 unchanged, 1 rejected" in result.output
