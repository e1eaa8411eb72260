"""Which recommendations each authority can deliver, from the table admins keep.

Councils' powers differ (a district has no adult social care; a police area writes the
police and crime plan), so pages and scores only hold a body to what is its to do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, col, select

from tracker.models import Applicability, Authority, Recommendation, Responsibility


class ResponsibilityConflict(Exception):
    """Another admin changed this cell after the editor loaded it."""


@dataclass(frozen=True)
class Duty:
    """One recommendation as it stands for one authority: its to deliver or not, and why."""

    recommendation: Recommendation
    applies: bool
    reason: str


Table = dict[tuple[str, int], Responsibility]


def responsibility_table(session: Session) -> Table:
    """Return every cell of the table, keyed by (authority type, recommendation id)."""
    return {(r.kind, r.recommendation_id): r for r in session.exec(select(Responsibility))}


def duties(
    authority: Authority, recommendations: Sequence[Recommendation], table: Table
) -> list[Duty]:
    """Return each recommendation with whether this authority can deliver it, and why."""
    found = []
    for rec in recommendations:
        cell = table.get((authority.kind, rec.id))
        if cell is None:  # a kind the table does not know yet: hold it to everything
            found.append(Duty(rec, True, "Every authority can act on this."))
            continue
        applies = cell.applies == Applicability.YES.value or (
            cell.applies == Applicability.WITH_PCC_POWERS.value and authority.pcc_powers
        )
        reason = cell.reason
        if cell.applies == Applicability.WITH_PCC_POWERS.value and not authority.pcc_powers:
            reason = "Its mayor does not hold the Police and Crime Commissioner's powers"
        found.append(Duty(rec, applies, reason))
    return found


def applicable_ids(
    authority: Authority, recommendations: Sequence[Recommendation], table: Table
) -> set[int]:
    """Return the ids of the recommendations this authority can deliver."""
    return {d.recommendation.id for d in duties(authority, recommendations, table) if d.applies}


def edit_responsibility(
    session: Session,
    cell: Responsibility,
    *,
    applies: Applicability,
    reason: str,
    expected_version: int,
) -> None:
    """Change one cell if nobody else has since the editor loaded it."""
    result = session.exec(
        update(Responsibility)
        .where(col(Responsibility.id) == cell.id, col(Responsibility.version) == expected_version)
        .values(applies=applies.value, reason=reason.strip()[:300], version=expected_version + 1)
        .execution_options(synchronize_session=False)
    )
    session.refresh(cell)
    if result.rowcount != 1:
        raise ResponsibilityConflict(cell.id)
