"""Every English and Welsh council is in the police area Schedule 1 to the Police Act 1996
puts it in: a county's districts with their county, and no county split between forces.

EXPECTED is written from the Schedule (as amended by the orders for each reorganisation:
Bedfordshire 2009, Cheshire 2009, Dorset 2019, Buckinghamshire 2020, Northamptonshire
2021, Cumbria, North Yorkshire and Somerset 2023), plus the metropolitan police district
(the London boroughs) and the City of London police area.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from tests.boundaries import area_for_point, load_areas
from tests.factories import authority
from tracker.imports.authorities import (
    COUNCILS_CSV,
    DATA,
    SCHEDULE_CSV,
    import_authorities,
)
from tracker.imports.rows import ImportRejected
from tracker.models import Authority

BOUNDARIES = DATA / "ons_police_force_areas_dec2019_generalised_500m.geojson"

EXPECTED: dict[str, set[str]] = {
    "E23000036": {  # Avon and Somerset
        "Somerset", "Bath and North East Somerset", "City of Bristol", "North Somerset",
        "South Gloucestershire",
    },
    "E23000026": {"Bedford", "Central Bedfordshire", "Luton"},  # Bedfordshire
    "E23000023": {  # Cambridgeshire
        "Cambridgeshire", "Cambridge", "East Cambridgeshire", "Fenland", "Huntingdonshire",
        "South Cambridgeshire", "Peterborough",
    },
    "E23000006": {  # Cheshire
        "Cheshire East", "Cheshire West and Chester", "Halton", "Warrington",
    },
    "E23000034": {"City of London"},  # City of London police area
    "E23000013": {  # Cleveland
        "Hartlepool", "Middlesbrough", "Redcar and Cleveland", "Stockton-on-Tees",
    },
    "E23000002": {"Cumberland", "Westmorland and Furness"},  # Cumbria
    "E23000018": {  # Derbyshire
        "Derbyshire", "Amber Valley", "Bolsover", "Chesterfield", "Derbyshire Dales",
        "Erewash", "High Peak", "North East Derbyshire", "South Derbyshire", "Derby",
    },
    "E23000035": {  # Devon and Cornwall
        "Devon", "East Devon", "Exeter", "Mid Devon", "North Devon", "South Hams",
        "Teignbridge", "Torridge", "West Devon", "Cornwall", "Plymouth", "Torbay",
        "Isles of Scilly",
    },
    "E23000039": {"Dorset Council", "Bournemouth, Christchurch and Poole"},  # Dorset
    "E23000008": {"County Durham", "Darlington"},  # Durham
    "E23000028": {  # Essex
        "Essex", "Basildon", "Braintree", "Brentwood", "Castle Point", "Chelmsford",
        "Colchester", "Epping Forest", "Harlow", "Maldon", "Rochford", "Tendring",
        "Uttlesford", "Southend-on-Sea", "Thurrock",
    },
    "E23000037": {  # Gloucestershire
        "Gloucestershire", "Cheltenham", "Cotswold", "Forest of Dean", "Gloucester",
        "Stroud", "Tewkesbury",
    },
    "E23000005": {  # Greater Manchester
        "Bolton", "Bury", "Manchester", "Oldham", "Rochdale", "Salford", "Stockport",
        "Tameside", "Trafford", "Wigan",
    },
    "E23000030": {  # Hampshire
        "Hampshire", "Basingstoke and Deane", "East Hampshire", "Eastleigh", "Fareham",
        "Gosport", "Hart", "Havant", "New Forest", "Rushmoor", "Test Valley", "Winchester",
        "Isle of Wight", "Portsmouth", "Southampton",
    },
    "E23000027": {  # Hertfordshire
        "Hertfordshire", "Broxbourne", "Dacorum", "East Hertfordshire", "Hertsmere",
        "North Hertfordshire", "St Albans", "Stevenage", "Three Rivers", "Watford",
        "Welwyn Hatfield",
    },
    "E23000012": {  # Humberside
        "East Riding of Yorkshire", "Kingston upon Hull", "North East Lincolnshire",
        "North Lincolnshire",
    },
    "E23000032": {  # Kent
        "Kent", "Ashford", "Canterbury", "Dartford", "Dover", "Folkestone and Hythe",
        "Gravesham", "Maidstone", "Sevenoaks", "Swale", "Thanet", "Tonbridge and Malling",
        "Tunbridge Wells", "Medway",
    },
    "E23000003": {  # Lancashire
        "Lancashire", "Burnley", "Chorley", "Fylde", "Hyndburn", "Lancaster", "Pendle",
        "Preston", "Ribble Valley", "Rossendale", "South Ribble", "West Lancashire", "Wyre",
        "Blackburn with Darwen", "Blackpool",
    },
    "E23000021": {  # Leicestershire
        "Leicestershire", "Blaby", "Charnwood", "Harborough", "Hinckley and Bosworth",
        "Melton", "North West Leicestershire", "Oadby and Wigston", "Leicester", "Rutland",
    },
    "E23000020": {  # Lincolnshire
        "Lincolnshire", "Boston", "City of Lincoln", "East Lindsey", "North Kesteven",
        "South Holland", "South Kesteven", "West Lindsey",
    },
    "E23000004": {"Knowsley", "Liverpool", "St. Helens", "Sefton", "Wirral"},  # Merseyside
    "E23000001": {  # Metropolitan police district
        "Barking and Dagenham", "Barnet", "Bexley", "Brent", "Bromley", "Camden", "Croydon",
        "Ealing", "Enfield", "Greenwich", "Hackney", "Hammersmith and Fulham", "Haringey",
        "Harrow", "Havering", "Hillingdon", "Hounslow", "Islington",
        "Kensington and Chelsea", "Kingston upon Thames", "Lambeth", "Lewisham", "Merton",
        "Newham", "Redbridge", "Richmond upon Thames", "Southwark", "Sutton",
        "Tower Hamlets", "Waltham Forest", "Wandsworth", "Westminster",
    },
    "E23000024": {  # Norfolk
        "Norfolk", "Breckland", "Broadland", "Great Yarmouth", "Kings Lynn and West Norfolk",
        "North Norfolk", "Norwich", "South Norfolk",
    },
    "E23000009": {"North Yorkshire", "York"},  # North Yorkshire
    "E23000022": {"North Northamptonshire", "West Northamptonshire"},  # Northamptonshire
    "E23000007": {  # Northumbria
        "Northumberland", "Gateshead", "Newcastle upon Tyne", "North Tyneside",
        "South Tyneside", "Sunderland",
    },
    "E23000019": {  # Nottinghamshire
        "Nottinghamshire", "Ashfield", "Bassetlaw", "Broxtowe", "Gedling", "Mansfield",
        "Newark and Sherwood", "Rushcliffe", "Nottingham",
    },
    "E23000011": {"Barnsley", "Doncaster", "Rotherham", "Sheffield"},  # South Yorkshire
    "E23000015": {  # Staffordshire
        "Staffordshire", "Cannock Chase", "East Staffordshire", "Lichfield",
        "Newcastle-under-Lyme", "South Staffordshire", "Stafford", "Staffordshire Moorlands",
        "Tamworth", "Stoke-on-Trent",
    },
    "E23000025": {  # Suffolk
        "Suffolk", "Babergh", "East Suffolk", "Ipswich", "Mid Suffolk", "West Suffolk",
    },
    "E23000031": {  # Surrey
        "Surrey", "Elmbridge", "Epsom and Ewell", "Guildford", "Mole Valley",
        "Reigate and Banstead", "Runnymede", "Spelthorne", "Surrey Heath", "Tandridge",
        "Waverley", "Woking",
    },
    "E23000033": {  # Sussex
        "East Sussex", "Eastbourne", "Hastings", "Lewes", "Rother", "Wealden", "West Sussex",
        "Adur", "Arun", "Chichester", "Crawley", "Horsham", "Mid Sussex", "Worthing",
        "Brighton and Hove",
    },
    "E23000029": {  # Thames Valley
        "Buckinghamshire", "Oxfordshire", "Cherwell", "Oxford", "South Oxfordshire",
        "Vale of White Horse", "West Oxfordshire", "Bracknell Forest", "Milton Keynes",
        "Reading", "Slough", "West Berkshire", "Windsor and Maidenhead", "Wokingham",
    },
    "E23000017": {  # Warwickshire
        "Warwickshire", "North Warwickshire", "Nuneaton and Bedworth", "Rugby",
        "Stratford-on-Avon", "Warwick",
    },
    "E23000016": {  # West Mercia
        "Herefordshire", "Shropshire", "Telford and Wrekin", "Worcestershire", "Bromsgrove",
        "Malvern Hills", "Redditch", "Worcester", "Wychavon", "Wyre Forest",
    },
    "E23000014": {  # West Midlands
        "Birmingham", "Coventry", "Dudley", "Sandwell", "Solihull", "Walsall", "Wolverhampton",
    },
    "E23000010": {"Bradford", "Calderdale", "Kirklees", "Leeds", "Wakefield"},  # West Yorks
    "E23000038": {"Wiltshire", "Swindon"},  # Wiltshire
    "W15000004": {"Carmarthenshire", "Ceredigion", "Pembrokeshire", "Powys"},  # Dyfed-Powys
    "W15000002": {  # Gwent
        "Blaenau Gwent", "Caerphilly", "Monmouthshire", "Newport", "Torfaen",
    },
    "W15000001": {  # North Wales
        "Conwy", "Denbighshire", "Flintshire", "Gwynedd", "Isle of Anglesey", "Wrexham",
    },
    "W15000003": {  # South Wales
        "Bridgend", "Cardiff", "Merthyr Tydfil", "Neath Port Talbot", "Rhondda Cynon Taff",
        "Swansea", "The Vale of Glamorgan",
    },
}  # fmt: skip


def _councils_by_area(db: Session) -> dict[str, set[str]]:
    """Return the councils (not combined authorities) in each police area, by its code."""
    areas = {a.id: a.gss_code for a in db.exec(select(Authority).where(Authority.kind == "PFA"))}
    found: dict[str, set[str]] = {str(code): set() for code in areas.values()}
    councils = db.exec(
        select(Authority).where(
            col(Authority.kind).notin_(["PFA", "COMB", "SRA"]),
            col(Authority.nation).in_(["England", "Wales"]),
        )
    )
    for council in councils:
        assert council.police_area_id in areas, f"{council.name} is in no police area"
        found[str(areas[council.police_area_id])].add(council.short_name)
    return found


def test_every_english_and_welsh_council_is_in_its_schedule_1_police_area(
    db: Session,
) -> None:
    assert _councils_by_area(db) == EXPECTED
    assert sum(len(names) for names in EXPECTED.values()) == 164 + 63 + 36 + 32 + 21 + 1 + 22


def test_the_counties_once_misplaced_are_in_their_own_areas(db: Session) -> None:
    """Issue 13: nine counties and Sefton were placed by centroid, in the wrong force."""
    for county, area in [
        ("E10000016", "Kent"),
        ("E10000008", "Devon & Cornwall"),
        ("E10000017", "Lancashire"),
        ("E10000025", "Thames Valley"),
        ("E10000015", "Hertfordshire"),
        ("E10000013", "Gloucestershire"),
        ("E10000031", "Warwickshire"),
        ("E10000018", "Leicestershire"),
        ("E10000029", "Suffolk"),
        ("E08000014", "Merseyside"),
    ]:
        council = authority(db, county)
        assert db.get_one(Authority, council.police_area_id).short_name == area, council.name


def test_no_council_outside_england_and_wales_has_a_police_area(db: Session) -> None:
    outside = db.exec(
        select(Authority).where(
            col(Authority.nation).notin_(["England", "Wales"]),
            col(Authority.police_area_id).is_not(None),
        )
    ).all()
    assert outside == []


def test_combined_authorities_take_the_area_their_members_share(db: Session) -> None:
    def area_of(gss: str) -> str | None:
        body = authority(db, gss)
        return (
            db.get_one(Authority, body.police_area_id).short_name if body.police_area_id else None
        )

    assert area_of("E47000002") == "South Yorkshire"
    assert area_of("E47000001") == "Greater Manchester"
    assert area_of("E47000012") == "North Yorkshire"
    assert area_of("E47000004") is None  # Liverpool City Region includes Halton (Cheshire)
    assert area_of("E47000013") is None  # East Midlands: Derbyshire and Nottinghamshire
    assert area_of("E61000001") is None  # the GLA: the Met and the City of London


def test_districts_inherit_their_countys_combined_authority(db: Session) -> None:
    ashfield = authority(db, "E07000170")
    assert db.get_one(Authority, ashfield.parent_county_id).short_name == "Nottinghamshire"
    assert db.get_one(Authority, ashfield.combined_authority_id).code == "EMCA"
    boston = authority(db, "E07000136")
    assert db.get_one(Authority, boston.combined_authority_id).code == "GLCA"
    dover = authority(db, "E07000108")
    assert dover.combined_authority_id is None  # Kent is in no combined authority


def test_ons_boundaries_agree_with_the_schedule(db: Session) -> None:
    """A second source: each council's centroid lies in the ONS boundary of its area.

    Counties are left out (mySociety gives some the coordinates of offices elsewhere),
    and so is Sefton, whose coastal centroid the 500 m generalised boundary puts in
    Lancashire.
    """
    areas = load_areas(BOUNDARIES, "PFA19CD")
    police = {a.id: a.gss_code for a in db.exec(select(Authority).where(Authority.kind == "PFA"))}
    councils = db.exec(
        select(Authority).where(
            col(Authority.kind).in_(["UA", "MD", "LBO", "CC", "WPA", "NMD"]),
            col(Authority.nation).in_(["England", "Wales"]),
        )
    ).all()
    disagree = {
        c.short_name
        for c in councils
        if c.lat is not None
        and c.lon is not None
        and area_for_point(areas, c.lon, c.lat) != police[c.police_area_id]
    }
    assert disagree == {"Sefton"}
    assert len(councils) == 164 + 63 + 36 + 32 + 1 + 22


def _schedule_without(tmp_path: Path, code: str, extra: list[str] | None = None) -> Path:
    """Write a copy of the Schedule without one council's row, and with extra rows."""
    rows = SCHEDULE_CSV.read_text(encoding="utf-8").splitlines()
    kept = [r for r in rows if f",{code}," not in r] + (extra or [])
    path = tmp_path / "schedule.csv"
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return path


def _line_of(code: str) -> int:
    """Return a council's line in mySociety's file."""
    with COUNCILS_CSV.open(newline="", encoding="utf-8-sig") as handle:
        for line, record in enumerate(csv.DictReader(handle), start=2):
            if record["local-authority-code"] == code:
                return line
    raise LookupError(code)


def test_a_council_in_no_police_area_rejects_the_import(db: Session, tmp_path: Path) -> None:
    with pytest.raises(ImportRejected) as caught:
        import_authorities(db, schedule_csv=_schedule_without(tmp_path, "MDW"))
    assert [str(e) for e in caught.value.errors] == [
        f"line {_line_of('MDW')}: MDW is in no police area"
    ]


def test_a_district_in_two_police_areas_rejects_the_import(db: Session, tmp_path: Path) -> None:
    schedule = _schedule_without(tmp_path, "none", ["E23000033,Sussex,DOV,Dover"])
    with pytest.raises(ImportRejected) as caught:
        import_authorities(db, schedule_csv=schedule)
    assert [str(e) for e in caught.value.errors] == [
        f"line {_line_of('DOV')}: DOV is in two police areas: E23000032, E23000033"
    ]


def test_the_schedule_must_name_real_councils_and_areas(db: Session, tmp_path: Path) -> None:
    schedule = _schedule_without(
        tmp_path, "none", ["E23000099,Nowhere,KEN,Kent", "E23000032,Kent,XYZ,Killshire"]
    )
    with pytest.raises(ImportRejected) as caught:
        import_authorities(db, schedule_csv=schedule)
    assert [e.reason for e in caught.value.errors] == [
        "schedule.csv: 'E23000099' is not a police area",
        "schedule.csv: 'XYZ' is not a current council",
    ]
