"""Importing the real register of UK local authorities and police force areas."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from tests.factories import authority
from tracker.imports.authorities import COUNCILS_CSV, POLICE_AREAS_CSV, import_authorities
from tracker.imports.rows import ImportRejected
from tracker.models import Authority, FormerCode, Pledge


def test_every_current_authority_and_police_area_is_loaded(db: Session) -> None:
    kinds = Counter(db.exec(select(Authority.kind)).all())
    assert sum(n for kind, n in kinds.items() if kind != "PFA") == 397
    assert kinds["PFA"] == 43
    assert kinds["NMD"] == 164
    assert kinds["SCO"] == 32
    assert kinds["NID"] == 11
    assert kinds["SRA"] == 1


def test_rerun_changes_nothing(db: Session) -> None:
    report = import_authorities(db)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 440)


def test_rerun_updates_a_changed_row_in_place(db: Session, tmp_path: Path) -> None:
    changed = tmp_path / "councils.csv"
    text = COUNCILS_CSV.read_text(encoding="utf-8")
    changed.write_text(
        text.replace("Sheffield City Council,", "Sheffield City Council (renamed),", 1)
    )
    report = import_authorities(db, councils_csv=changed)
    assert (report.created, report.updated) == (0, 1)
    assert authority(db, "E08000019").name == "Sheffield City Council (renamed)"


def test_links_county_combined_authority_and_police_area(db: Session) -> None:
    sheffield = authority(db, "E08000019")
    assert db.get_one(Authority, sheffield.combined_authority_id).code == "SCR"
    assert db.get_one(Authority, sheffield.police_area_id).short_name == "South Yorkshire"
    assert sheffield.parent_county_id is None
    harrogate_like = db.exec(select(Authority).where(Authority.code == "TEW")).one()  # Tewkesbury
    assert (
        db.get_one(Authority, harrogate_like.parent_county_id).name
        == "Gloucestershire County Council"
    )
    city = db.exec(select(Authority).where(Authority.code == "LND")).one()
    assert db.get_one(Authority, city.police_area_id).short_name == "City of London"
    glasgow = db.exec(select(Authority).where(Authority.code == "GLG")).one()
    assert glasgow.police_area_id is None  # Police Scotland has no PCC


def test_coastal_authorities_find_their_police_area(db: Session) -> None:
    for code, area in [
        ("CAS", "Essex"),
        ("TOB", "Devon and Cornwall"),
        ("IOS", "Devon and Cornwall"),
    ]:
        council = db.exec(select(Authority).where(Authority.code == code)).one()
        assert db.get_one(Authority, council.police_area_id).short_name.replace("&", "and") == area


def test_importing_records_no_pledges(db: Session) -> None:
    """Nobody has answered just because they were imported."""
    assert db.exec(select(func.count()).select_from(Pledge)).one() == 0


def test_bad_rows_reject_the_file_with_line_numbers(db: Session, tmp_path: Path) -> None:
    with COUNCILS_CSV.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    bad = tmp_path / "councils.csv"
    current = [i for i, r in enumerate(rows) if r["current-authority"] == "True"]
    rows[current[0]]["gss-code"] = "NOT-A-CODE"
    rows[current[1]]["nice-name"] = ""
    with bad.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    before = db.exec(
        select(Authority.name).where(Authority.code == rows[current[1]]["local-authority-code"])
    ).one()
    with pytest.raises(ImportRejected) as caught:
        import_authorities(db, councils_csv=bad)
    errors = {e.line: e.reason for e in caught.value.errors}
    assert errors == {
        current[0] + 2: "gss-code 'NOT-A-CODE' is not a GSS code",
        current[1] + 2: "nice-name is empty",
    }
    after = db.exec(
        select(Authority.name).where(Authority.code == rows[current[1]]["local-authority-code"])
    ).one()
    assert after == before


def test_police_area_file_is_validated_too(db: Session, tmp_path: Path) -> None:
    bad = tmp_path / "pfa.csv"
    lines = POLICE_AREAS_CSV.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("E23000003", "X1")
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as caught:
        import_authorities(db, police_csv=bad)
    assert [str(e) for e in caught.value.errors] == ["line 4: pfa_code 'X1' is not a GSS code"]


def test_former_gss_codes_lead_to_todays_authority(db: Session) -> None:
    former = {
        f.gss_code: db.get_one(Authority, f.authority_id).short_name
        for f in db.exec(select(FormerCode))
    }
    assert former["E06000048"] == "Northumberland"  # its code before 2009
    assert former["E07000165"] == "North Yorkshire"  # Harrogate, abolished 2023
    assert former["E07000190"] == "Somerset"  # Taunton Deane, via Somerset West and Taunton
    assert "E10000006" not in former  # Cumbria was split in two: no single successor
    assert not set(former) & {a.gss_code for a in db.exec(select(Authority))}


def test_every_county_is_in_the_region_of_its_districts(db: Session) -> None:
    """Derbyshire and Lincolnshire are East Midlands, whatever point the register uses."""
    counties = db.exec(select(Authority).where(Authority.kind == "CTY")).all()
    assert len(counties) == 21
    for county in counties:
        districts = db.exec(
            select(Authority.region).where(Authority.parent_county_id == county.id)
        ).all()
        assert set(districts) == {county.region}, county.name
    by_name = {c.short_name: c.region for c in counties}
    assert by_name["Derbyshire"] == by_name["Lincolnshire"] == "East Midlands"
