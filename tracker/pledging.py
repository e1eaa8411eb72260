"""Writing pledges: the only place a pledge's status or evidence changes.

Every change is checked against the version the editor started from, applied in one
UPDATE that only succeeds if nobody saved in between, and logged as a PledgeEvent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import insert, update
from sqlmodel import Session, col, select

from tracker.models import Delivery, Pledge, PledgeEvent, PledgeStatus, Recommendation, utcnow

MAX_URL = 2000
MAX_TEXT = 10_000


@dataclass(frozen=True)
class PledgeChange:
    """What an editor wants a pledge to say."""

    status: PledgeStatus
    delivery: Delivery = Delivery.NOT_YET_RATED
    evidence_url: str | None = None
    quote: str | None = None
    evidence_date: date | None = None
    note: str | None = None


class InvalidPledge(ValueError):
    """The change breaks a rule; `errors` maps each field to a message for the editor."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


class StaleEdit(Exception):
    """Someone saved the pledge after the editor loaded it; nothing was written."""

    def __init__(self, current: Pledge) -> None:
        super().__init__(f"pledge {current.id} is now at version {current.version}")
        self.current = current


def validate_change(change: PledgeChange, *, today: date) -> dict[str, str]:
    """Return a message per field that breaks a rule (empty when the change is fine)."""
    errors: dict[str, str] = {}
    if change.evidence_url:
        parts = urlsplit(change.evidence_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            errors["evidence_url"] = "Give a web address starting with http:// or https://."
        elif len(change.evidence_url) > MAX_URL:
            errors["evidence_url"] = f"Web addresses are limited to {MAX_URL} characters."
    if change.evidence_date and change.evidence_date > today:
        errors["evidence_date"] = "The date cannot be in the future."
    for name in ("quote", "note"):
        value = getattr(change, name)
        if value and len(value) > MAX_TEXT:
            errors[name] = f"Keep this under {MAX_TEXT:,} characters."
    if change.status.needs_evidence and not (change.evidence_url or change.quote):
        errors["evidence_url"] = errors.get(
            "evidence_url", f"“{change.status.label}” needs evidence: a source link or a quote."
        )
    pledged = change.status in (PledgeStatus.PLEDGED, PledgeStatus.PARTIAL)
    if change.delivery is not Delivery.NOT_YET_RATED and not pledged:
        errors["delivery"] = "Delivery can only be rated once something was pledged."
    return errors


def record_pledge(
    session: Session,
    pledge: Pledge,
    change: PledgeChange,
    *,
    expected_version: int,
    actor_id: int | None = None,
    now: datetime | None = None,
) -> PledgeEvent | None:
    """Apply `change` to `pledge` and log it; return the event, or None if nothing changed.

    Raises InvalidPledge for a bad change and StaleEdit when the pledge moved on from
    `expected_version`. The caller commits.
    """
    now = now or utcnow()
    errors = validate_change(change, today=now.date())
    if errors:
        raise InvalidPledge(errors)
    if pledge.version != expected_version:
        raise StaleEdit(pledge)
    before = {f.name: getattr(pledge, f.name) for f in fields(PledgeChange)}
    after = {f.name: _stored(getattr(change, f.name)) for f in fields(PledgeChange)}
    if before == after:
        return None
    result = session.exec(
        update(Pledge)
        .where(col(Pledge.id) == pledge.id, col(Pledge.version) == expected_version)
        .values(**after, updated_at=now, version=expected_version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.refresh(pledge)
        raise StaleEdit(pledge)
    event = PledgeEvent(
        pledge_id=pledge.id,  # type: ignore[arg-type]
        occurred_at=now,
        actor_id=actor_id,
        from_status=str(before["status"]),
        to_status=change.status.value,
        from_delivery=str(before["delivery"]),
        to_delivery=change.delivery.value,
        evidence_url=change.evidence_url,
        quote=change.quote,
        evidence_date=change.evidence_date,
        note=change.note,
        version=expected_version + 1,
    )
    session.add(event)
    session.flush()
    session.refresh(pledge)
    return event


def _stored(value: object) -> object:
    """Return the value as the pledge row stores it (enums as their text)."""
    return value.value if isinstance(value, PledgeStatus | Delivery) else value


def ensure_pledges(
    session: Session, *, person_ids: Iterable[int] = (), authority_ids: Iterable[int] = ()
) -> int:
    """Give each new subject an awaiting-response row per recommendation; return rows added.

    Rows exist from the start so that every edit has a version to check against.
    """
    recommendation_ids = list(session.exec(select(Recommendation.id)).all())
    rows = [
        {"recommendation_id": rec, "person_id": pid}
        for pid in _without_pledges(session, col(Pledge.person_id), person_ids)
        for rec in recommendation_ids
    ] + [
        {"recommendation_id": rec, "authority_id": aid}
        for aid in _without_pledges(session, col(Pledge.authority_id), authority_ids)
        for rec in recommendation_ids
    ]
    if rows:
        now = utcnow()
        session.exec(
            insert(Pledge),
            params=[
                {
                    "person_id": None,
                    "authority_id": None,
                    **row,
                    "status": PledgeStatus.AWAITING.value,
                    "delivery": Delivery.NOT_YET_RATED.value,
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
                for row in rows
            ],
        )
    return len(rows)


def _without_pledges(session: Session, column: Any, ids: Iterable[int]) -> list[int]:
    """Return those of `ids` that have no pledge rows yet under `column`."""
    wanted = sorted(set(ids))
    have: set[int | None] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        have.update(session.exec(select(column).where(column.in_(chunk)).distinct()).all())
    return [i for i in wanted if i not in have]
