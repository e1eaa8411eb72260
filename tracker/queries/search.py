"""Search places by name, typo, role or postcode: one query for SQLite and PostgreSQL.

The database narrows ~4,000 names to those sharing trigrams with the query, and
tracker.search scores the few hundred left the same way on both, so results do not
depend on which database runs the site.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import column, func, literal, or_, table
from sqlmodel import Session, col, select

from tracker.models import Authority, FormerCode, PlaceName, Postcode
from tracker.search import (
    Hit,
    best_per_place,
    inner_trigrams,
    normalise,
    outward_code,
    postcode,
    score,
    the_one,
)

CANDIDATES = 300
_FTS = table("placename_fts", column("rowid"), column("placename_fts"), column("rank"))
# pg_trgm's `<%` keeps names whose best-matching stretch is at least this alike; the
# final cut is tracker.search.THRESHOLD, on both databases.
PG_WORD_SIMILARITY = "0.3"


@dataclass(frozen=True)
class Found:
    """A place a search found: the authority, its county, and the name it matched."""

    authority: Authority
    county: Authority | None
    hit: Hit


def places_named(session: Session, text: str) -> list[Found]:
    """Return the places a typed name, spelling, ward or role means, best first."""
    query = normalise(text)
    if not query:
        return []
    hits = best_per_place(query, _candidates(session, query))
    ids = {h.authority_id for h in hits}
    bodies = {a.id: a for a in session.exec(select(Authority).where(col(Authority.id).in_(ids)))}
    counties: dict[int | None, Authority] = {
        a.id: a
        for a in session.exec(
            select(Authority).where(
                col(Authority.id).in_({b.parent_county_id for b in bodies.values()} - {None})
            )
        )
    }
    return [
        Found(bodies[h.authority_id], counties.get(bodies[h.authority_id].parent_county_id), h)
        for h in hits
    ]


def authorities_named(session: Session, text: str) -> list[Authority]:
    """Return the authorities a name is exactly, in any known spelling or case.

    Names, spellings and roles ("Kent PCC") count; ward names do not, as a ward is not
    the council. The fictional councils are not in the search index, so their own names
    are compared too.
    """
    key, typed = normalise(text), " ".join(text.split()).lower()
    if not key:
        return []
    indexed = select(PlaceName.authority_id).where(PlaceName.key == key, PlaceName.kind != "ward")
    stmt = select(Authority).where(
        or_(
            col(Authority.id).in_(indexed),
            func.lower(Authority.name) == typed,
            func.lower(Authority.short_name) == typed,
        )
    )
    return list(session.exec(stmt.order_by(col(Authority.name))))


def _candidates(session: Session, query: str) -> list[tuple[int, str, str]]:
    """Return (authority id, key, name) of the names sharing trigrams with the query."""
    names = select(PlaceName.authority_id, PlaceName.key, PlaceName.name)
    if session.get_bind().dialect.name == "postgresql":
        session.exec(
            select(func.set_config("pg_trgm.word_similarity_threshold", PG_WORD_SIMILARITY, True))
        )
        stmt = names.where(
            literal(query).op("<%", is_comparison=True)(col(PlaceName.key))
            | (col(PlaceName.key) == query)
        ).order_by(func.word_similarity(query, col(PlaceName.key)).desc())
    elif grams := inner_trigrams(query):
        match = " OR ".join(f'"{gram}"' for gram in grams)  # [a-z0-9] only: normalised
        stmt = (
            names.join(_FTS, _FTS.c.rowid == col(PlaceName.id))
            .where(_FTS.c.placename_fts.op("MATCH")(match))
            .order_by(_FTS.c.rank)
        )
    else:  # too short for a trigram ("yo"): names that start with it
        stmt = names.where(col(PlaceName.key).startswith(query))
    return [(a, k, n) for a, k, n in session.exec(stmt.limit(CANDIDATES))]


def has_postcodes(session: Session) -> bool:
    """Return whether an ONS postcode file has been loaded."""
    return session.exec(select(Postcode.id).limit(1)).first() is not None


def postcode_place(session: Session, postcode: str) -> Authority | None:
    """Return the district or unitary council a postcode lies in, if it is loaded."""
    found = session.exec(select(Postcode.district_gss).where(Postcode.postcode == postcode)).first()
    return _council(session, found) if found else None


def outward_places(session: Session, outward: str) -> list[Authority]:
    """Return the councils an outward code's postcodes lie in ("S1": Sheffield)."""
    codes = session.exec(
        select(Postcode.district_gss).where(Postcode.outward == outward).distinct()
    ).all()
    found = (_council(session, code) for code in sorted(codes))
    return sorted({a.id: a for a in found if a}.values(), key=lambda a: a.short_name)


def _council(session: Session, gss: str) -> Authority | None:
    """Return the council a GSS code names, today's or a former one."""
    current = session.exec(select(Authority).where(Authority.gss_code == gss)).first()
    if current is not None:
        return current
    return session.exec(
        select(Authority).join(FormerCode).where(FormerCode.gss_code == gss)
    ).first()


NOT_LOADED = "Postcode lookup is not loaded on this site, so here are places named like it."


@dataclass(frozen=True)
class Outcome:
    """What a search found: one place to go to, or places to choose from, and why."""

    place: Authority | None
    found: list[Found]
    message: str | None = None


def search(session: Session, text: str) -> Outcome:
    """Read a postcode, an outward code or a name, and find the places it means."""
    if full := postcode(text):
        if not has_postcodes(session):
            return Outcome(None, places_named(session, text), NOT_LOADED)
        place = postcode_place(session, full)
        if place is not None:
            return Outcome(place, [])
        return Outcome(None, [], f"No postcode {full} is in this site's postcode lookup.")
    if (outward := outward_code(text)) and has_postcodes(session):
        councils = outward_places(session, outward)
        if councils:
            return Outcome(councils[0] if len(councils) == 1 else None, _as_found(councils))
    found = places_named(session, text)
    return Outcome(the_place(normalise(text), found), found)


def the_place(query: str, found: list[Found]) -> Authority | None:
    """Return the place a name clearly means, preferring a council to its namesake force.

    "Kent" names both Kent County Council and the Kent police area: the council's place
    page shows both, so it is the one to go to. A query too short for a trigram only
    ever goes straight to a place it names exactly.
    """
    exact = [f for f in found if f.hit.score.is_exact]
    if len(exact) > 1 and (council := council_first([f.authority for f in exact])):
        return council
    if not exact and not inner_trigrams(query):
        return None
    one = the_one([f.hit for f in found])
    return next((f.authority for f in found if one and f.hit is one), None)


def council_first(named: list[Authority]) -> Authority | None:
    """Return the one authority a name means: the only one, or the council when the
    others are its namesake police areas ("Kent"); None when people must choose."""
    councils = [a for a in named if a.kind != "PFA"]
    if len(named) == 1:
        return named[0]
    return councils[0] if len(councils) == 1 else None


def _as_found(councils: list[Authority]) -> list[Found]:
    """Present the councils an outward code covers as search results."""
    return [
        Found(c, None, Hit(c.id, c.short_name, score(c.short_name, c.short_name))) for c in councils
    ]
