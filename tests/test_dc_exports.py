"""Real Democracy Club exports as they come: every election type, and the API's JSON."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

from flask.testing import FlaskCliRunner
from sqlmodel import Session, func, select

from tracker.commands.data import SAMPLE_CANDIDATES
from tracker.imports.candidates import CORE_COLUMNS, import_candidates
from tracker.models import Candidacy, Election, Person

RESULT_SETS = (
    Path(__file__).parent / "data" / "dc_api_v0.9_result_sets_south_yorkshire_local_2021-05-06.json"
)
FIELDS = [*CORE_COLUMNS, "email", "elected"]


def _row(person_id: int, election_id: str, ballot: str, **extra: str) -> dict[str, str]:
    """Return a fictional candidacy (an "Example" name) in the export's columns."""
    return {
        "person_id": str(person_id),
        "person_name": f"Alex Example {person_id} (fictional)",
        "election_id": election_id,
        "ballot_paper_id": ballot,
        "election_date": ballot.rsplit(".", 1)[1],
        "election_current": "True",
        "party_name": "Independent",
        "party_id": "ynmp-party:2",
        "post_label": "Somewhere (fictional)",
        "cancelled_poll": "False",
        "seats_contested": "1",
        **extra,
    }


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


def _all_elections(tmp_path: Path) -> Path:
    """Write an "all elections" export: the tracker's three types and five others."""
    return _write(
        tmp_path / "all.csv",
        [
            _row(990001, "local.sheffield.2024-05-02", "local.sheffield.walkley.2024-05-02"),
            _row(990002, "mayor.south-yorkshire.2024-05-02", "mayor.south-yorkshire.2024-05-02"),
            _row(990003, "pcc.dyfed-powys.2024-05-02", "pcc.dyfed-powys.2024-05-02"),
            _row(990004, "parl.2024-07-04", "parl.sheffield-central.2024-07-04"),
            _row(990005, "gla.c.2024-05-02", "gla.c.barnet-and-camden.2024-05-02"),
            _row(990006, "gla.a.2024-05-02", "gla.a.2024-05-02"),
            _row(990007, "senedd.2026-05-07", "senedd.c.caerdydd-penarth.2026-05-07"),
            _row(990008, "sp.c.2021-05-06", "sp.c.glasgow-kelvin.2021-05-06"),
        ],
    )


def test_an_all_elections_export_imports_what_is_followed_and_counts_the_rest(
    db: Session, tmp_path: Path
) -> None:
    report = import_candidates(db, _all_elections(tmp_path))
    assert report.created == 3 and report.rejected == []
    assert report.skipped == {"parl": 1, "gla.c": 1, "gla.a": 1, "senedd": 1, "sp.c": 1}
    kinds = set(db.exec(select(Election.kind).where(Election.poll_date >= date(2024, 5, 2))))
    assert kinds == {"local", "mayor", "pcc"}


def test_the_command_reports_skipped_types_and_succeeds(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    result = runner.invoke(args=["import-candidates", str(_all_elections(tmp_path))])
    assert result.exit_code == 0, result.output
    assert (
        "3 created, 0 updated, 0 unchanged, 0 rejected, 5 skipped (elections not followed: "
        "gla.a 1, gla.c 1, parl 1, senedd 1, sp.c 1)"
    ) in result.output


def test_a_malformed_email_is_a_warning_on_its_row(
    db: Session, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = _write(
        tmp_path / "email.csv",
        [
            _row(990011, "local.sheffield.2024-05-02", "local.sheffield.walkley.2024-05-02",
                 email="not an address"),
            _row(990012, "local.sheffield.2024-05-02", "local.sheffield.walkley.2024-05-02",
                 email="alex@example.org"),
        ],
    )  # fmt: skip
    result = runner.invoke(args=["import-candidates", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 created" in result.output and "1 with warnings" in result.output
    assert (
        "warning: line 2: email 'not an address' is not an email address; imported without it"
    ) in result.output
    assert db.get_one(Person, 990011).email is None
    assert db.get_one(Person, 990012).email == "alex@example.org"


def test_the_apis_result_sets_import_like_the_csv_made_from_them(db: Session) -> None:
    """The sample CSV's 2021 rows were reshaped from this JSON: they must agree."""
    report = import_candidates(db, RESULT_SETS)
    assert (report.created, report.rejected) == (633, [])
    winners = db.exec(select(func.count()).where(Candidacy.elected == True)).one()  # noqa: E712
    assert winners == 164
    again = import_candidates(db, SAMPLE_CANDIDATES)
    assert (again.created, again.updated, again.unchanged) == (209, 0, 633)


def test_other_json_gets_a_message_naming_the_format_it_needs(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "candidates.json"
    path.write_text(json.dumps({"candidates": []}), encoding="utf-8")
    result = runner.invoke(args=["import-candidates", str(path)])
    assert result.exit_code == 1
    assert "line 1: a JSON file must be Democracy Club's API result_sets" in result.output
