"""The numbers the charts draw: answers by region, and pledges over time."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal_column
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, select

from tracker.charts import BarRow
from tracker.models import Authority, PledgeEvent, PledgeStatus
from tracker.queries.common import counted, counted_pledge
from tracker.queries.pledges import recommendations, statuses_by_authority
from tracker.responsibilities import applicable_ids, responsibility_table

COMMITTED = (PledgeStatus.PLEDGED.value, PledgeStatus.PARTIAL.value)


def answers_by_region(session: Session) -> list[BarRow]:
    """Count real authorities' own answers on what they can deliver, per region (or nation)."""
    recs, table = recommendations(session), responsibility_table(session)
    real_councils = select(Authority).where(col(Authority.kind) != "PFA", counted(Authority))
    councils = list(session.exec(real_councils))
    said = statuses_by_authority(session, [council.id for council in councils])
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(PledgeStatus, 0))
    for authority in councils:
        where = authority.region or authority.nation
        for rec_id in applicable_ids(authority, recs, table):
            pledge = said[authority.id].get(rec_id)
            counts[where][PledgeStatus(pledge.status if pledge else PledgeStatus.AWAITING)] += 1
    return [BarRow(region, counts[region]) for region in sorted(counts)]


def pledges_over_time(session: Session) -> list[tuple[date, int]]:
    """Return how many real pledges (full or partial) stood at the end of each week.

    The database adds up each day's changes: bringing every event back instead (150,000 at
    national scale) took half a second of the home page's time.
    """
    step = _committed(PledgeEvent.to_status) - _committed(PledgeEvent.from_status)
    day = _utc_day(session, col(PledgeEvent.occurred_at))
    stmt = (
        select(day, func.sum(step))
        .select_from(PledgeEvent)
        .where(step != 0, counted_pledge(PledgeEvent.pledge_id))
        .group_by(day)
    )
    changes: dict[date, int] = defaultdict(int)
    for day_value, total in session.exec(stmt):
        when = date.fromisoformat(str(day_value)[:10])
        changes[when - timedelta(days=when.weekday())] += int(total)
    if not changes:
        return []
    weeks, total, week = [], 0, min(changes)
    while week <= max(changes):
        total += changes.get(week, 0)
        weeks.append((week, total))
        week += timedelta(days=7)
    return weeks


def _committed(status: Any) -> ColumnElement[int]:
    """Return 1 where a status column holds a full or partial pledge, else 0."""
    return case((col(status).in_(COMMITTED), 1), else_=0)


def _utc_day(session: Session, moment: Mapped[datetime]) -> ColumnElement[Any]:
    """Return the UTC calendar day of a stored moment (SQLite stores UTC already)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone(literal_column("'UTC'"), moment))
    return func.date(moment)
