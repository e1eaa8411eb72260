"""Recording pledges: validation, optimistic locking and the event log."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from tests.factories import candidate, fictional_council
from tracker import pledging
from tracker.models import Delivery, Pledge, PledgeEvent, PledgeStatus, Recommendation
from tracker.pledging import (
    InvalidPledge,
    PledgeChange,
    StaleEdit,
    Subject,
    save_pledge,
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


def _person_id(db: Session) -> int:
    """Stand a fictional candidate for a fictional council and return their id."""
    return candidate(db, council=fictional_council(db)).id


def _rec_id(db: Session, slug: str = "pathways-to-support") -> int:
    return db.exec(select(Recommendation.id).where(Recommendation.slug == slug)).one() or 0


def test_first_answer_creates_the_pledge_and_an_event(db: Session) -> None:
    subject = Subject(person_id=_person_id(db))
    change = PledgeChange(
        PledgeStatus.PLEDGED,
        quote="We will fund it.",
        evidence_url="https://example.org/a",
        evidence_date=TODAY,
    )
    pledge, event = save_pledge(db, subject, _rec_id(db), change, expected_version=0)
    assert pledge is not None and event is not None
    assert (pledge.status, pledge.version, pledge.quote) == ("pledged", 1, "We will fund it.")
    assert (event.from_status, event.to_status, event.version) == (
        "awaiting-response",
        "pledged",
        1,
    )
    assert event.evidence_url == "https://example.org/a"
    assert event.occurred_at.tzinfo is not None


def test_an_update_bumps_the_version(db: Session) -> None:
    subject = Subject(person_id=_person_id(db))
    save_pledge(
        db,
        subject,
        _rec_id(db),
        PledgeChange(PledgeStatus.PARTIAL, quote="Some."),
        expected_version=0,
    )
    pledge, event = save_pledge(
        db,
        subject,
        _rec_id(db),
        PledgeChange(PledgeStatus.PLEDGED, quote="All."),
        expected_version=1,
    )
    assert pledge is not None and pledge.version == 2
    assert event is not None and (event.from_status, event.to_status) == ("partial", "pledged")


def test_saving_nothing_new_records_nothing(db: Session) -> None:
    subject = Subject(person_id=_person_id(db))
    assert save_pledge(
        db, subject, _rec_id(db), PledgeChange(PledgeStatus.AWAITING), expected_version=0
    ) == (None, None)
    change = PledgeChange(PledgeStatus.PLEDGED, quote="Yes.")
    pledge, _ = save_pledge(db, subject, _rec_id(db), change, expected_version=0)
    again, event = save_pledge(db, subject, _rec_id(db), change, expected_version=1)
    assert event is None and again is pledge and pledge is not None and pledge.version == 1
    events = db.exec(select(PledgeEvent).where(PledgeEvent.pledge_id == pledge.id)).all()
    assert len(events) == 1


def test_a_stale_version_is_refused_and_nothing_changes(db: Session) -> None:
    subject = Subject(person_id=_person_id(db))
    save_pledge(
        db,
        subject,
        _rec_id(db),
        PledgeChange(PledgeStatus.PLEDGED, quote="First."),
        expected_version=0,
    )
    with pytest.raises(StaleEdit) as caught:
        save_pledge(
            db,
            subject,
            _rec_id(db),
            PledgeChange(PledgeStatus.DECLINED, quote="2nd"),
            expected_version=0,
        )
    assert (caught.value.current.quote, caught.value.current.version) == ("First.", 1)
    assert str(caught.value) == f"pledge {caught.value.current.id} is now at version 1"
    assert len(db.exec(select(PledgeEvent)).all()) == 1


def test_an_edit_of_an_answer_since_removed_is_stale_against_nothing_recorded(
    db: Session,
) -> None:
    subject = Subject(person_id=_person_id(db))
    change = PledgeChange(PledgeStatus.PLEDGED, quote="Yes.")
    with pytest.raises(StaleEdit) as caught:
        save_pledge(db, subject, _rec_id(db), change, expected_version=3)
    current = caught.value.current
    assert (current.id, current.version, current.status) == (None, 0, "awaiting-response")
    assert (current.person_id, current.authority_id) == (subject.person_id, None)
    assert current.recommendation_id == _rec_id(db)
    assert db.exec(select(Pledge)).all() == []


def test_a_concurrent_write_between_load_and_save_is_caught(db: Session) -> None:
    """The UPDATE checks the version in SQL, not just the copy in memory."""
    subject = Subject(person_id=_person_id(db))
    pledge, _ = save_pledge(
        db, subject, _rec_id(db), PledgeChange(PledgeStatus.PLEDGED, quote="x"), expected_version=0
    )
    assert pledge is not None
    real_find = pledging.find_pledge

    def find_then_race(*args: object) -> Pledge | None:
        found = real_find(*args)  # type: ignore[arg-type]
        db.exec(update(Pledge).where(col(Pledge.id) == pledge.id).values(version=5))
        return found

    pledging.find_pledge = find_then_race  # type: ignore[assignment]
    try:
        with pytest.raises(StaleEdit) as caught:
            save_pledge(
                db,
                subject,
                _rec_id(db),
                PledgeChange(PledgeStatus.DECLINED, quote="y"),
                expected_version=1,
            )
    finally:
        pledging.find_pledge = real_find
    assert caught.value.current.version == 5


def test_invalid_change_raises_with_field_messages(db: Session) -> None:
    subject = Subject(person_id=_person_id(db))
    with pytest.raises(InvalidPledge) as caught:
        save_pledge(
            db, subject, _rec_id(db), PledgeChange(PledgeStatus.PLEDGED), expected_version=0
        )
    assert set(caught.value.errors) == {"evidence_url"}
    assert str(caught.value) == "evidence_url: “Pledged” needs evidence: a source link or a quote."
    assert db.exec(select(Pledge)).all() == []


def test_a_subject_is_exactly_one_person_or_authority() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        Subject()
    with pytest.raises(ValueError, match="exactly one"):
        Subject(person_id=1, authority_id=2)
