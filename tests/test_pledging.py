"""Recording pledges: validation, optimistic locking and the event log."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from tests.factories import candidate, fictional_council
from tracker import pledging
from tracker.accounts import create_user
from tracker.models import Delivery, Pledge, PledgeEvent, PledgeStatus, Recommendation, Role
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
        (PledgeChange(PledgeStatus.PLEDGED, quote="x" * 10_000, note="y" * 10_000), {}),
        (PledgeChange(PledgeStatus.PLEDGED, evidence_url="http://example.org/plain"), {}),
        (PledgeChange(PledgeStatus.PLEDGED, evidence_url=f"https://t.invalid/{'a' * 1982}"), {}),
        (
            PledgeChange(PledgeStatus.PLEDGED, evidence_url=f"https://t.invalid/{'a' * 1983}"),
            {"evidence_url": "Web addresses are limited to 2000 characters."},
        ),
        (
            PledgeChange(PledgeStatus.PLEDGED, quote="Yes", note="Null\x00byte"),
            {"note": "Remove the NUL character or unpaired surrogate from this text."},
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


def _user_id(db: Session) -> int:
    return create_user(db, "editor@example.org", "correct horse battery", Role.CAMPAIGNER).id


def test_each_subject_keeps_its_own_pledge_on_a_recommendation(db: Session) -> None:
    council = fictional_council(db)
    people = [candidate(db, name, council=council).id for name in ("Ann Fictional", "Bo Fictional")]
    other_council = fictional_council(db, "Otherton")
    subjects = [Subject(person_id=person) for person in people]
    subjects += [Subject(authority_id=a.id) for a in (council, other_council)]
    for n, subject in enumerate(subjects):
        change = PledgeChange(PledgeStatus.PLEDGED, quote=f"Answer {n}.")
        pledge, _ = save_pledge(db, subject, _rec_id(db), change, expected_version=0)
        assert pledge is not None and pledge.version == 1
    assert [pledging.find_pledge(db, s, _rec_id(db)).quote for s in subjects] == [  # type: ignore[union-attr]
        f"Answer {n}." for n in range(4)
    ]


def test_an_update_changes_that_pledge_alone_and_dates_it(db: Session) -> None:
    council = fictional_council(db)
    edited, other = (Subject(person_id=candidate(db, n, council=council).id) for n in "AB")
    created = datetime(2026, 5, 1, 9, tzinfo=UTC)
    change = PledgeChange(PledgeStatus.PARTIAL, quote="Some.")
    for subject in (edited, other):
        save_pledge(db, subject, _rec_id(db), change, expected_version=0, now=created)
    later = created + timedelta(days=3)
    pledge, _ = save_pledge(
        db, edited, _rec_id(db), replace(change, quote="More."), expected_version=1, now=later
    )
    untouched = pledging.find_pledge(db, other, _rec_id(db))
    assert pledge is not None and untouched is not None
    assert (pledge.created_at, pledge.updated_at, pledge.version) == (created, later, 2)
    assert (untouched.quote, untouched.version, untouched.updated_at) == ("Some.", 1, created)


def test_events_record_who_changed_what(db: Session) -> None:
    """The public history shows each change whole: its date, note, delivery and editor."""
    subject, actor = Subject(person_id=_person_id(db)), _user_id(db)
    first = PledgeChange(
        PledgeStatus.PLEDGED,
        delivery=Delivery.DELIVERED,
        quote="Yes.",
        evidence_date=TODAY,
        note="Said at the hustings.",
        private_note="Follow up in spring.",
    )
    _, created = save_pledge(db, subject, _rec_id(db), first, expected_version=0, actor_id=actor)
    second = replace(first, delivery=Delivery.IN_PROGRESS, note="Delivery slipped.")
    _, updated = save_pledge(db, subject, _rec_id(db), second, expected_version=1, actor_id=actor)
    assert created is not None and updated is not None
    assert (created.actor_id, updated.actor_id) == (actor, actor)
    assert (created.evidence_date, created.note, created.private_note) == (
        TODAY,
        "Said at the hustings.",
        "Follow up in spring.",
    )
    assert (created.from_delivery, created.to_delivery) == ("not-yet-rated", "delivered")
    assert (updated.from_delivery, updated.to_delivery) == ("delivered", "in-progress")
    assert updated.note == "Delivery slipped."


def test_a_change_to_the_internal_note_alone_leaves_no_event(db: Session) -> None:
    subject = Subject(person_id=_person_id(db))
    change = PledgeChange(PledgeStatus.PLEDGED, quote="Yes.")
    save_pledge(db, subject, _rec_id(db), change, expected_version=0)
    noted = replace(change, private_note="Only we see this.")
    pledge, event = save_pledge(db, subject, _rec_id(db), noted, expected_version=1)
    assert event is None and pledge is not None
    assert (pledge.version, pledge.private_note) == (2, "Only we see this.")


def test_an_own_answer_can_be_rated_without_a_source_but_not_changed(db: Session) -> None:
    """The subject's own answer is its evidence only while its status stands."""
    subject = Subject(person_id=_person_id(db))
    own = PledgeChange(PledgeStatus.PLEDGED, is_own_answer=True)
    save_pledge(db, subject, _rec_id(db), own, expected_version=0)
    rated = PledgeChange(PledgeStatus.PLEDGED, delivery=Delivery.IN_PROGRESS)
    pledge, _ = save_pledge(db, subject, _rec_id(db), rated, expected_version=1)
    assert pledge is not None and pledge.delivery == "in-progress"
    with pytest.raises(InvalidPledge):
        save_pledge(
            db, subject, _rec_id(db), PledgeChange(PledgeStatus.PARTIAL), expected_version=2
        )


def test_a_pledge_with_a_source_needs_one_kept(db: Session) -> None:
    subject = Subject(person_id=_person_id(db))
    sourced = PledgeChange(PledgeStatus.PLEDGED, evidence_url="https://example.org/a")
    save_pledge(db, subject, _rec_id(db), sourced, expected_version=0)
    with pytest.raises(InvalidPledge):
        save_pledge(
            db, subject, _rec_id(db), PledgeChange(PledgeStatus.PLEDGED), expected_version=1
        )


def test_a_rival_first_answer_is_a_stale_edit(db: Session) -> None:
    """Two editors record the first answer at once: the loser sees the winner's, not an error."""
    subject = Subject(person_id=_person_id(db))
    won = PledgeChange(PledgeStatus.PLEDGED, quote="The winner.")
    save_pledge(db, subject, _rec_id(db), won, expected_version=0)
    lost = PledgeChange(PledgeStatus.DECLINED, quote="The loser.")
    with pytest.raises(StaleEdit) as caught:
        save_pledge(db, subject, _rec_id(db), lost, expected_version=0, current=None)
    assert (caught.value.current.quote, caught.value.current.version) == ("The winner.", 1)


def test_an_authoritys_unrecorded_stand_in_is_the_authoritys(db: Session) -> None:
    subject = Subject(authority_id=fictional_council(db).id)
    with pytest.raises(StaleEdit) as caught:
        save_pledge(
            db, subject, _rec_id(db), PledgeChange(PledgeStatus.AWAITING), expected_version=2
        )
    current = caught.value.current
    assert (current.person_id, current.authority_id, current.version) == (
        None,
        subject.authority_id,
        0,
    )
