"""Helpers shared by the queries: pagination, search, and what public figures count."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, and_, func, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from tracker.models import Authority, Party, Person, Pledge

T = TypeVar("T")
MAX_TERMS = 8


class PageNotFound(LookupError):
    """The page number asked for is past the last page."""


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results and where it sits among the rest."""

    items: Sequence[T]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """Return how many pages there are (at least one, even when empty)."""
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        """Return whether a page comes before this one."""
        return self.number > 1

    @property
    def has_next(self) -> bool:
        """Return whether a page comes after this one."""
        return self.number < self.pages

    @property
    def first_index(self) -> int:
        """Return the 1-based position of the first item on this page."""
        return (self.number - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        """Return the 1-based position of the last item on this page."""
        return self.first_index + len(self.items) - 1 if self.total else 0


def paginate(session: Session, stmt: SelectOfScalar[T], *, page: int, per_page: int) -> Page[T]:
    """Run `stmt` for one page, counting the whole result; raise PageNotFound past the end."""
    total = session.exec(select(func.count()).select_from(stmt.order_by(None).subquery())).one()
    if page > 1 and (page - 1) * per_page >= total:
        raise PageNotFound(page)
    items = session.exec(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items=items, number=page, per_page=per_page, total=total)


def matches_terms(column: Any, query: str) -> ColumnElement[bool] | None:
    """Return a filter matching every word of `query` anywhere in `column`, case-blind.

    LIKE wildcards typed by the user are escaped so they match literally.
    """
    terms = query.split()[:MAX_TERMS]
    if not terms:
        return None
    return and_(*(column.ilike(f"%{_escape_like(term)}%", escape="\\") for term in terms))


def _escape_like(term: str) -> str:
    """Escape LIKE's wildcard characters."""
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def counted(model: type[Authority | Party | Person], *, demo: bool = False) -> ColumnElement[bool]:
    """Return the condition for the rows a public figure (a count, chart, tally or
    ranking) counts: real ones only, so the fictional demonstration never inflates what
    the public reads; a figure about demonstration data itself (a fictional party's own
    page) passes `demo` and counts only demonstration rows.

    Lists of rows leave this out: there demonstration rows stay, labelled "(fictional)".
    """
    return col(model.is_demo).is_(demo)


def counted_pledge(pledge_id: Any = Pledge.id) -> ColumnElement[bool]:
    """Return the condition for the pledges a public figure counts: those whose subject,
    candidate or authority, is not demonstration data (the rule of `counted`).

    `pledge_id` is the column naming the pledge (a pledge event's `pledge_id`, say), so a
    figure over events needs no join to pledges. The few demonstration pledges are read
    once per query, not once per row: a correlated test of each pledge's subject took the
    home page's timeline over 150,000 events from 30 ms to 360 ms.
    """
    demo = or_(
        col(Pledge.person_id).in_(select(Person.id).where(col(Person.is_demo))),
        col(Pledge.authority_id).in_(select(Authority.id).where(col(Authority.is_demo))),
    )
    return col(pledge_id).not_in(select(Pledge.id).where(demo).correlate(None))
