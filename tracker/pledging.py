"""Writing pledges: the only place a pledge is created or changed.

A subject (a candidate or an authority) has no pledge row until someone records an
answer; until then it is awaiting a response. Every save names the version the editor
started from (0 for "nothing recorded yet"), is applied by a single INSERT or UPDATE that
only succeeds if nobody saved in between, and is logged as a PledgeEvent. Two editors
can therefore never silently overwrite each other.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import Enum
from urllib.parse import urlsplit

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from tracker.models import Delivery, Pledge, PledgeEvent, PledgeStatus, utcnow
from tracker.text import is_storable

MAX_URL = 2000
MAX_TEXT = 10_000
EDITABLE = ("status", "delivery", "evidence_url", "quote", "evidence_date", "note", "private_note")
# What the public sees: a change to nothing else (the internal note) leaves no public trace.
PUBLIC = EDITABLE[:-1]


@dataclass(frozen=True)
class PledgeChange:
    """What an editor wants a pledge to say."""

    status: PledgeStatus
    delivery: Delivery = Delivery.NOT_YET_RATED
    evidence_url: str | None = None
    quote: str | None = None
    evidence_date: date | None = None
    note: str | None = None
    # The subject answered for themselves through their pledge link (tracker.answers):
    # that answer is its own evidence, so it needs no source link or quote.
    is_own_answer: bool = False
    private_note: str | None = None

    def values(self) -> dict[str, object]:
        """Return the change as the pledge row stores it (enums as their text)."""
        return {
            "status": self.status.value,
            "delivery": self.delivery.value,
            "evidence_url": self.evidence_url,
            "quote": self.quote,
            "evidence_date": self.evidence_date,
            "note": self.note,
            "private_note": self.private_note,
        }


@dataclass(frozen=True)
class Subject:
    """Whose pledge it is: exactly one of a person (candidate) or an authority."""

    person_id: int | None = None
    authority_id: int | None = None

    def __post_init__(self) -> None:
        if (self.person_id is None) == (self.authority_id is None):
            raise ValueError("a pledge belongs to exactly one person or one authority")


class InvalidPledge(ValueError):
    """The change breaks a rule; `errors` maps each field to a message for the editor."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


class StaleEdit(Exception):
    """Someone saved the pledge after the editor loaded it; nothing was written.

    `current` is the pledge as it now stands, for showing both versions side by side.
    """

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
    for name in ("quote", "note", "private_note"):
        value = getattr(change, name)
        if value and len(value) > MAX_TEXT:
            errors[name] = f"Keep this under {MAX_TEXT:,} characters."
    for name in ("evidence_url", "quote", "note", "private_note"):
        value = getattr(change, name)
        if value and not is_storable(value):
            errors[name] = "Remove the NUL character or unpaired surrogate from this text."
    has_evidence = change.evidence_url or change.quote or change.is_own_answer
    if change.status.needs_evidence and not has_evidence:
        errors.setdefault(
            "evidence_url", f"“{change.status.label}” needs evidence: a source link or a quote."
        )
    pledged = change.status in (PledgeStatus.PLEDGED, PledgeStatus.PARTIAL)
    if change.delivery is not Delivery.NOT_YET_RATED and not pledged:
        errors["delivery"] = "Delivery can only be rated once something was pledged."
    return errors


def find_pledge(session: Session, subject: Subject, recommendation_id: int) -> Pledge | None:
    """Return the subject's pledge on a recommendation, if one was ever recorded."""
    stmt = select(Pledge).where(
        Pledge.recommendation_id == recommendation_id,
        Pledge.person_id == subject.person_id,
        Pledge.authority_id == subject.authority_id,
    )
    return session.exec(stmt).first()


class _Unread(Enum):
    """Marks a save whose caller has not read the pledge, so the save reads it itself."""

    UNREAD = "unread"


UNREAD = _Unread.UNREAD


def save_pledge(
    session: Session,
    subject: Subject,
    recommendation_id: int,
    change: PledgeChange,
    *,
    expected_version: int,
    actor_id: int | None = None,
    now: datetime | None = None,
    current: Pledge | None | _Unread = UNREAD,
) -> tuple[Pledge | None, PledgeEvent | None]:
    """Record `change` for a subject, creating the pledge on its first answer.

    `expected_version` is the version the editor saw, 0 when nothing was recorded. Returns
    the pledge (None if there is still nothing to record) and the event (None when the
    change altered nothing). Raises InvalidPledge or StaleEdit; the caller commits.

    A caller that has already read the pledge in this request passes it as `current`
    (None if there was none), so an edit reads the row once. That copy is safe to save
    over: the UPDATE (or the unique INSERT) checks the version in the database itself, so
    a rival save since then is a StaleEdit, not a lost edit.
    """
    pledge = find_pledge(session, subject, recommendation_id) if current is UNREAD else current
    now = now or utcnow()
    if _stands_on_own_answer(pledge, change):
        change = replace(change, is_own_answer=True)
    errors = validate_change(change, today=now.date())
    if errors:
        raise InvalidPledge(errors)
    current_version = pledge.version if pledge else 0
    if current_version != expected_version:
        raise StaleEdit(pledge or _unrecorded(subject, recommendation_id))
    if pledge is None:
        if change == PledgeChange(PledgeStatus.AWAITING):
            return None, None
        pledge = _create(session, subject, recommendation_id, change, now)
        return pledge, _log(session, pledge, None, change, actor_id, now)
    before = {name: getattr(pledge, name) for name in EDITABLE}
    if before == change.values():
        return pledge, None
    result = session.exec(
        update(Pledge)
        .where(col(Pledge.id) == pledge.id, col(Pledge.version) == expected_version)
        .values(**change.values(), updated_at=now, version=expected_version + 1)
        .execution_options(synchronize_session=False)
    )
    session.refresh(pledge)
    if result.rowcount != 1:
        raise StaleEdit(pledge)
    if all(before[name] == change.values()[name] for name in PUBLIC):
        return pledge, None  # only the internal note changed: no public event, no feed entry
    return pledge, _log(session, pledge, before, change, actor_id, now)


def _stands_on_own_answer(pledge: Pledge | None, change: PledgeChange) -> bool:
    """Return whether the change keeps a status the subject gave themselves, without a source.

    Only an answer given through a pledge link is recorded without a link or a quote, so a
    campaigner rating its delivery or adding a note need not invent a source for it.
    """
    return (
        pledge is not None
        and pledge.status == change.status.value
        and not (pledge.evidence_url or pledge.quote)
    )


def _create(
    session: Session,
    subject: Subject,
    recommendation_id: int,
    change: PledgeChange,
    now: datetime,
) -> Pledge:
    """Insert a subject's first pledge; if a rival insert won the race, it is a stale edit."""
    pledge = Pledge(
        recommendation_id=recommendation_id,
        person_id=subject.person_id,
        authority_id=subject.authority_id,
        created_at=now,
        updated_at=now,
        version=1,
        **change.values(),  # type: ignore[arg-type]
    )
    try:
        with session.begin_nested():
            session.add(pledge)
    except IntegrityError:
        winner = find_pledge(session, subject, recommendation_id)
        if winner is None:
            raise
        raise StaleEdit(winner) from None
    return pledge


def _log(
    session: Session,
    pledge: Pledge,
    before: dict[str, object] | None,
    change: PledgeChange,
    actor_id: int | None,
    now: datetime,
) -> PledgeEvent:
    """Append the event recording this change."""
    event = PledgeEvent(
        pledge_id=pledge.id,
        occurred_at=now,
        actor_id=actor_id,
        from_status=str(before["status"]) if before else PledgeStatus.AWAITING.value,
        to_status=change.status.value,
        from_delivery=str(before["delivery"]) if before else Delivery.NOT_YET_RATED.value,
        to_delivery=change.delivery.value,
        evidence_url=change.evidence_url,
        quote=change.quote,
        evidence_date=change.evidence_date,
        note=change.note,
        private_note=change.private_note,
        version=pledge.version,
    )
    session.add(event)
    session.flush()
    return event


def _unrecorded(subject: Subject, recommendation_id: int) -> Pledge:
    """Return an unsaved stand-in for a pledge nobody has recorded yet (version 0)."""
    return Pledge(
        recommendation_id=recommendation_id,
        person_id=subject.person_id,
        authority_id=subject.authority_id,
        version=0,
    )
