"""The fictional demonstration data stays fictional, and can be removed."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from tracker import demo
from tracker.commands.data import SAMPLE_CANDIDATES
from tracker.imports.candidates import import_candidates
from tracker.models import Authority, Party, Person, Pledge, PledgeEvent, PledgeStatus


def test_demo_pledges_belong_only_to_fictional_subjects(db: Session) -> None:
    import_candidates(db, SAMPLE_CANDIDATES)
    demo.load_demo(db)
    answered = db.exec(select(Pledge).where(Pledge.status != PledgeStatus.AWAITING.value)).all()
    assert answered
    for pledge in answered:
        if pledge.person_id:
            assert db.get_one(Person, pledge.person_id).is_demo
        else:
            assert db.get_one(Authority, pledge.authority_id).is_demo
        assert "example.org" in (pledge.evidence_url or "")
    for party in db.exec(select(Party).where(col(Party.is_demo))):
        assert "(fictional)" in party.name


def test_loading_twice_changes_nothing_and_removal_is_complete(db: Session) -> None:
    demo.load_demo(db)
    events = db.exec(select(func.count()).select_from(PledgeEvent)).one()
    assert demo.load_demo(db) == "already loaded"
    assert db.exec(select(func.count()).select_from(PledgeEvent)).one() == events
    assert demo.remove_demo(db) > 0
    assert db.exec(select(Authority).where(col(Authority.is_demo))).first() is None
    assert db.exec(select(Person).where(col(Person.is_demo))).first() is None
    assert db.exec(select(func.count()).select_from(PledgeEvent)).one() == 0
