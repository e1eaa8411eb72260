"""Reads for the open data: pledges, candidates and authorities as flat records.

Each read returns one batch in key order after a given key (keyset pagination), so the
CSV downloads stream the whole table a batch at a time and the API's cursors never skip
or repeat a row when others are added meanwhile. Every batch costs a fixed few queries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from sqlmodel import Session, col, select

from tracker.models import (
    Authority,
    Delivery,
    Person,
    Pledge,
    PledgeStatus,
    Recommendation,
    Theme,
)
from tracker.queries.authorities import AuthorityFilters, authority_query
from tracker.queries.candidates import (
    CandidacyRow,
    CandidateFilters,
    candidacies_by_person,
    candidate_query,
)
from tracker.queries.events import Scope, in_scope, preferred_candidacy
from tracker.queries.pledges import authorities_by_id, statuses_by_authority, statuses_by_person

BATCH = 500
MAX_LIMIT = 200  # the most rows one API page may ask for
SUBJECT_KINDS = ("candidate", "authority")
K = TypeVar("K")
T = TypeVar("T")
K_contra = TypeVar("K_contra", contravariant=True)
T_co = TypeVar("T_co", covariant=True)


@dataclass(frozen=True)
class PledgeFilters:
    """What the pledge downloads and API can be narrowed by; every field is optional."""

    scope: Scope = field(default_factory=Scope)
    status: PledgeStatus | None = None
    delivery: Delivery | None = None
    kind: str | None = None  # one of SUBJECT_KINDS


@dataclass(frozen=True)
class PledgeRecord:
    """A recorded pledge with its recommendation, theme and subject."""

    pledge: Pledge
    recommendation: Recommendation
    theme: Theme
    person: Person | None
    authority: Authority | None
    standing: CandidacyRow | None  # the candidacy that names the person's party and ward
    gss_codes: dict[str, str | None]  # authority slug -> GSS code, for the candidacies


@dataclass(frozen=True)
class CandidateRecord:
    """A candidate with their candidacies (newest first) and pledges by recommendation id."""

    person: Person
    candidacies: list[CandidacyRow]
    pledges: dict[int, Pledge]
    gss_codes: dict[str, str | None]  # authority slug -> GSS code, for the candidacies


@dataclass(frozen=True)
class AuthorityRecord:
    """An authority with the bodies it sits within and its pledges by recommendation id."""

    authority: Authority
    county: Authority | None
    combined: Authority | None
    police_area: Authority | None
    pledges: dict[int, Pledge]


def pledge_records(
    session: Session, filters: PledgeFilters, *, after: int | None, limit: int
) -> list[PledgeRecord]:
    """Return up to `limit` recorded pledges matching the filters with ids after `after`."""
    stmt = _pledges().where(*in_scope(filters.scope)).order_by(col(Pledge.id)).limit(limit)
    if after is not None:
        stmt = stmt.where(col(Pledge.id) > after)
    if filters.status is not None:
        stmt = stmt.where(col(Pledge.status) == filters.status.value)
    if filters.delivery is not None:
        stmt = stmt.where(col(Pledge.delivery) == filters.delivery.value)
    if filters.kind == "candidate":
        stmt = stmt.where(col(Pledge.person_id).is_not(None))
    elif filters.kind == "authority":
        stmt = stmt.where(col(Pledge.authority_id).is_not(None))
    return _with_standing(session, session.exec(stmt).all(), filters.scope)


def pledge_record(session: Session, pledge_id: int) -> PledgeRecord | None:
    """Return one recorded pledge with its context, if it exists."""
    rows = session.exec(_pledges().where(col(Pledge.id) == pledge_id)).all()
    found = _with_standing(session, rows, Scope())
    return found[0] if found else None


def _pledges() -> Any:
    """Select pledges with their recommendation, theme and subject."""
    entities: list[Any] = [Pledge, Recommendation, Theme, Person, Authority]
    return (
        select(*entities)
        .join(Recommendation, col(Recommendation.id) == Pledge.recommendation_id)
        .join(Theme, col(Theme.id) == Recommendation.theme_id)
        .outerjoin(Person, col(Person.id) == Pledge.person_id)
        .outerjoin(Authority, col(Authority.id) == Pledge.authority_id)
    )


def _with_standing(session: Session, rows: Sequence[Any], scope: Scope) -> list[PledgeRecord]:
    """Add to each pledge the candidacy naming its person, in one query for all of them."""
    standing = candidacies_by_person(session, sorted({p.id for _, _, _, p, _ in rows if p}))
    gss_codes = _gss_codes(session, standing.values())
    return [
        PledgeRecord(
            pledge,
            rec,
            theme,
            person,
            authority,
            preferred_candidacy(standing[person.id], scope) if person else None,
            gss_codes,
        )
        for pledge, rec, theme, person, authority in rows
    ]


def candidate_records(
    session: Session, filters: CandidateFilters, *, after: int | None, limit: int
) -> list[CandidateRecord]:
    """Return up to `limit` candidates matching the filters with person ids after `after`."""
    stmt = candidate_query(filters).order_by(col(Person.id)).limit(limit)
    if after is not None:
        stmt = stmt.where(col(Person.id) > after)
    return _candidate_records(session, session.exec(stmt).all())


def candidate_record(session: Session, person: Person) -> CandidateRecord:
    """Return one candidate's record."""
    return _candidate_records(session, [person])[0]


def _candidate_records(session: Session, people: Sequence[Person]) -> list[CandidateRecord]:
    """Add their candidacies and pledges to these people, in a fixed few queries."""
    ids = [person.id for person in people]
    candidacies = candidacies_by_person(session, ids)
    pledges = statuses_by_person(session, ids)
    gss_codes = _gss_codes(session, candidacies.values())
    return [CandidateRecord(p, candidacies[p.id], pledges[p.id], gss_codes) for p in people]


def _gss_codes(
    session: Session, candidacies: Iterable[list[CandidacyRow]]
) -> dict[str, str | None]:
    """Return the GSS code of every authority these candidacies were for, in one query."""
    slugs = sorted({row.authority_slug for rows in candidacies for row in rows})
    if not slugs:
        return {}
    stmt = select(Authority.slug, Authority.gss_code).where(col(Authority.slug).in_(slugs))
    return dict(session.exec(stmt).all())


def authority_records(
    session: Session, filters: AuthorityFilters, *, after: str | None, limit: int
) -> list[AuthorityRecord]:
    """Return up to `limit` authorities matching the filters with slugs after `after`."""
    stmt = authority_query(filters).order_by(col(Authority.slug)).limit(limit)
    if after is not None:
        stmt = stmt.where(col(Authority.slug) > after)
    return _authority_records(session, session.exec(stmt).all())


def authority_record(session: Session, authority: Authority) -> AuthorityRecord:
    """Return one authority's record."""
    return _authority_records(session, [authority])[0]


def _authority_records(session: Session, found: Sequence[Authority]) -> list[AuthorityRecord]:
    """Add the bodies around them and their pledges to these authorities, in two queries."""
    parent_ids = {
        parent
        for a in found
        for parent in (a.parent_county_id, a.combined_authority_id, a.police_area_id)
        if parent is not None
    }
    parents = authorities_by_id(session, sorted(parent_ids)) if parent_ids else {}
    pledges = statuses_by_authority(session, [a.id for a in found])
    return [
        AuthorityRecord(
            authority=a,
            county=parents.get(a.parent_county_id or 0),
            combined=parents.get(a.combined_authority_id or 0),
            police_area=parents.get(a.police_area_id or 0),
            pledges=pledges[a.id],
        )
        for a in found
    ]


class Fetch(Protocol[K_contra, T_co]):
    """A read returning up to `limit` rows after the row with key `after`, in key order."""

    def __call__(self, *, after: K_contra | None, limit: int) -> Sequence[T_co]:
        """Return the next batch."""


def batched(fetch: Fetch[K, T], key: Callable[[T], K], *, size: int = 0) -> Iterator[T]:
    """Yield every row `fetch` can give, asking for `size` (default BATCH) at a time after
    the last key."""
    size = size or BATCH
    after: K | None = None
    while True:
        batch = fetch(after=after, limit=size)
        yield from batch
        if len(batch) < size:
            return
        after = key(batch[-1])
