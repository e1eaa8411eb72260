"""Recording pledges: validation, optimistic locking and the event log."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, col, select

from tests.factories import candidate, pledge_of
from tracker.models import Delivery, PledgeEvent, PledgeStatus, utcnow
from tracker.pledging import (
    InvalidPledge,
    PledgeChange,
    StaleEdit,
    ensure_pledges,
    record_pledge,
    validate_change,
)

TODAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        (PledgeChange(PledgeStatus.AWAITING), {}),
        (PledgeChange(PledgeStatus.PLEDGED, quote="We will."), {}),
        (
            PledgeChange(PledgeStatus.PLEDGED),
            {"evidence_url": "“Pledged” needs evidence: a source link or a quote."},
        ),
        (
            PledgeChange(PledgeStatus.DECLINED),
            {"evidence_url": "“Declined” needs evidence: a source link or a quote."},
        ),
        (
            PledgeChange(PledgeStatus.PARTIAL, evidence_url="javascript:alert(1)"),
            {"evidence_url": "Give a web address starting with http:// or https://."},
        ),
        (
            PledgeChange(PledgeStatus.PLEDGED, evidence_url="ftp://example.org/x"),
            {"evidence_url": "Give a web address starting with http:// or https://."},
        ),
        (
            PledgeChange(PledgeStatus.PLEDGED, quote="Yes", evidence_date=TODAY + timedelta(1)),
            {"evidence_date": "The date cannot be in the future."},
        ),
        (
            PledgeChange(PledgeStatus.DECLINED, quote="No", delivery=Delivery.DELIVERED),
            {"delivery": "Delivery can only be rated once something was pledged."},
        ),
        (
            PledgeChange(PledgeStatus.PLEDGED, quote="x" * 10_001),
            {"quote": "Keep this under 10,000 characters."},
        ),
    ],
)
def test_validation_rules(change: PledgeChange, errors: dict[str, str]) -> None:
    assert validate_change(change, today=TODAY) == errors


def test_recording_bumps_version_and_appends_an_event(db: Session) -> None:
    pledge = pledge_of(db, "pathways-to-support", person=candidate(db))
    change = PledgeChange(PledgeStatus.PLEDGED, quote="We will fund it.",
                          evidence_url="https://example.org/a", evidence_date=TODAY)  # fmt: skip
    event = record_pledge(db, pledge, change, expected_version=1, now=utcnow())
    assert event is not None
    assert (pledge.status, pledge.version, pledge.quote) == ("pledged", 2, "We will fund it.")
    assert (event.from_status, event.to_status, event.version) == (
        "awaiting-response",
        "pledged",
        2,
    )
    assert event.evidence_url == "https://example.org/a"
    assert event.occurred_at.tzinfo is not None


def test_saving_the_same_thing_twice_records_one_event(db: Session) -> None:
    pledge = pledge_of(db, "pathways-to-support", person=candidate(db))
    change = PledgeChange(PledgeStatus.PLEDGED, quote="Yes.")
    record_pledge(db, pledge, change, expected_version=1)
    assert record_pledge(db, pledge, change, expected_version=2) is None
    events = db.exec(select(PledgeEvent).where(PledgeEvent.pledge_id == pledge.id)).all()
    assert len(events) == 1 and pledge.version == 2


def test_a_stale_version_is_refused_and_nothing_changes(db: Session) -> None:
    pledge = pledge_of(db, "pathways-to-support", person=candidate(db))
    record_pledge(
        db, pledge, PledgeChange(PledgeStatus.PLEDGED, quote="First."), expected_version=1
    )
    with pytest.raises(StaleEdit) as caught:
        record_pledge(db, pledge, PledgeChange(PledgeStatus.DECLINED, quote="Second."),
                      expected_version=1)  # fmt: skip
    assert caught.value.current.quote == "First."
    assert pledge.status == "pledged"
    count = db.exec(select(PledgeEvent).where(PledgeEvent.pledge_id == pledge.id)).all()
    assert len(count) == 1


def test_a_concurrent_write_between_load_and_save_is_caught(db: Session) -> None:
    """The UPDATE checks the version in SQL, not just the copy in memory."""
    pledge = pledge_of(db, "pathways-to-support", person=candidate(db))
    from sqlalchemy import update

    from tracker.models import Pledge

    db.exec(update(Pledge).where(col(Pledge.id) == pledge.id).values(version=5))
    with pytest.raises(StaleEdit) as caught:
        record_pledge(db, pledge, PledgeChange(PledgeStatus.PLEDGED, quote="x"), expected_version=1)
    assert caught.value.current.version == 5


def test_invalid_change_raises_with_field_messages(db: Session) -> None:
    pledge = pledge_of(db, "pathways-to-support", person=candidate(db))
    with pytest.raises(InvalidPledge) as caught:
        record_pledge(db, pledge, PledgeChange(PledgeStatus.PLEDGED), expected_version=1)
    assert set(caught.value.errors) == {"evidence_url"}
    assert pledge.version == 1


def test_ensure_pledges_is_idempotent(db: Session) -> None:
    person = candidate(db)
    assert ensure_pledges(db, person_ids=[person.id]) == 0
