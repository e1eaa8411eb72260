"""Authorities: the filtered list, one authority, and the bodies around it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from tracker.authority_types import type_name
from tracker.models import Authority, FormerCode
from tracker.queries.candidates import office_holders
from tracker.queries.common import Page, matches_terms, paginate


@dataclass(frozen=True)
class AuthorityFilters:
    """What the authority list can be narrowed by; every field is optional."""

    q: str = ""
    nation: str | None = None
    region: str | None = None
    kind: str | None = None


@dataclass(frozen=True)
class FilterChoices:
    """The values each authority filter accepts, as found in the data."""

    nations: list[str]
    regions: list[str]
    kinds: list[tuple[str, str]]


@dataclass(frozen=True)
class Neighbours:
    """The bodies an authority sits within, and those within it."""

    county: Authority | None
    combined: Authority | None
    police_area: Authority | None
    members: list[Authority]

    @property
    def commissioner_powers_with_mayor(self) -> bool:
        """Return whether this place's combined authority mayor is its police commissioner."""
        return bool(
            self.combined
            and self.combined.pcc_powers
            and self.police_area
            and self.combined.police_area_id == self.police_area.id
        )

    @property
    def mayor_holding_powers(self) -> Authority | None:
        """Return the combined authority whose mayor holds this police area's powers."""
        return next((m for m in self.members if m.pcc_powers), None)


def authorities(
    session: Session, filters: AuthorityFilters, *, page: int, per_page: int
) -> Page[Authority]:
    """Return one page of authorities matching the filters, by name."""
    stmt = authority_query(filters).order_by(col(Authority.short_name), col(Authority.id))
    return paginate(session, stmt, page=page, per_page=per_page)


def authority_query(filters: AuthorityFilters) -> SelectOfScalar[Authority]:
    """Select the authorities matching the filters, unordered: pages and downloads share it."""
    stmt = select(Authority)
    if (name := matches_terms(Authority.name, filters.q)) is not None:
        stmt = stmt.where(name)
    if filters.nation:
        stmt = stmt.where(Authority.nation == filters.nation)
    if filters.region:
        stmt = stmt.where(Authority.region == filters.region)
    if filters.kind:
        stmt = stmt.where(Authority.kind == filters.kind)
    return stmt


def filter_choices(session: Session) -> FilterChoices:
    """Return the nations, regions and kinds present, for the filter menus."""
    rows = session.exec(select(Authority.nation, Authority.region, Authority.kind).distinct()).all()
    return FilterChoices(
        nations=sorted({nation for nation, _, _ in rows}),
        regions=sorted({region for _, region, _ in rows if region}),
        kinds=sorted({(kind, type_name(kind)) for _, _, kind in rows}, key=lambda k: k[1]),
    )


def authority_names(session: Session) -> list[str]:
    """Return every authority's full name, A to Z: the choices a name field suggests."""
    return list(session.exec(select(Authority.name).order_by(col(Authority.name))))


def authority_by_slug(session: Session, slug: str) -> Authority | None:
    """Return the authority with this slug, if any."""
    return session.exec(select(Authority).where(Authority.slug == slug)).first()


def authority_by_key(session: Session, key: str) -> Authority | None:
    """Return the authority named by slug (sheffield), GSS code (E08000019, or a former
    one such as E06000048) or mySociety code (SHF): readers copy whichever the page, file
    or register they came from shows.

    The three never collide: slugs are lower case, GSS codes a letter and eight digits,
    mySociety codes three or four capitals.
    """
    named = or_(
        col(Authority.slug) == key, col(Authority.gss_code) == key, col(Authority.code) == key
    )
    found = session.exec(select(Authority).where(named)).first()
    if found is not None:
        return found
    return session.exec(
        select(Authority).join(FormerCode).where(FormerCode.gss_code == key)
    ).first()


def neighbours(session: Session, authority: Authority) -> Neighbours:
    """Return the county, combined authority and police area around an authority,
    and the authorities that sit within it, in one query."""
    parents = {
        authority.parent_county_id,
        authority.combined_authority_id,
        authority.police_area_id,
    } - {None}
    related = session.exec(
        select(Authority)
        .where(
            or_(
                col(Authority.id).in_(parents),
                col(Authority.parent_county_id) == authority.id,
                col(Authority.combined_authority_id) == authority.id,
                col(Authority.police_area_id) == authority.id,
            )
        )
        .order_by(col(Authority.short_name))
    ).all()
    by_id: dict[int | None, Authority] = {a.id: a for a in related}
    return Neighbours(
        county=by_id.get(authority.parent_county_id),
        combined=by_id.get(authority.combined_authority_id),
        police_area=by_id.get(authority.police_area_id),
        members=[a for a in related if a.id not in parents],
    )


# A mayor elected with a commissioner's powers takes office a few days after the poll
# (2 May 2024, powers from 7 May), so a win that close to the transfer counts.
TAKES_OFFICE_WITHIN = timedelta(days=7)


def ask_addressee(
    session: Session, authority: Authority, around: Neighbours
) -> tuple[Authority, str | None]:
    """Return whom an ask to this authority should address, and their name if known.

    A police area whose powers passed to a mayor is asked through that mayor. Only an
    office one person holds (a commissioner, a mayor) is addressed by name, and only
    as Democracy Club's results name its latest winner.
    """
    body = around.mayor_holding_powers or authority
    holders = office_holders(session, body.id)
    since = body.pcc_powers_since if body is not authority else None
    if since is not None:
        holders = [h for h in holders if h.poll_date >= since - TAKES_OFFICE_WITHIN]
    return body, holders[0].person_name if len(holders) == 1 else None
