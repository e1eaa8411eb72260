"""Answers candidates and authorities give for themselves through their pledge links.

Each answer is saved through `tracker.pledging`, like a campaigner's, so it shows on the
subject's page, in history, the downloads, the API and the feeds; its note says it was
answered through the link and when, which keeps it apart from answers recorded from
evidence. A statement the subject writes is kept on the `LinkAnswer` and becomes the
pledge's quote only once a campaigner approves it. Campaigners can verify an answer,
withdraw it with a reason, or revoke the link and roll back everything it recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from tracker.invitations import revoke_invitation, subject_of
from tracker.models import (
    Delivery,
    LinkAnswer,
    Pledge,
    PledgeEvent,
    PledgeInvitation,
    PledgeStatus,
    StatementState,
    utcnow,
)
from tracker.pledging import PledgeChange, Subject, find_pledge, save_pledge
from tracker.text import long_date

MAX_STATEMENT = 1000
MAX_REASON = 500
COMMITTED = (PledgeStatus.PLEDGED.value, PledgeStatus.PARTIAL.value)


class AnswerError(ValueError):
    """A campaigner's decision about an answer cannot be carried out; the message says why."""


@dataclass(frozen=True)
class Reply:
    """What the subject chose for one recommendation on the answer page."""

    recommendation_id: int
    status: PledgeStatus
    statement: str | None
    expected_version: int


def own_answer_note(invitation: PledgeInvitation, when: datetime) -> str:
    """Return the note that marks an answer as the subject's own, given through the link."""
    who = "candidate" if invitation.person_id is not None else "authority"
    whose = "their" if invitation.person_id is not None else "its"
    return f"Answered by the {who} through {whose} pledge link on {long_date(when)}."


def record_replies(
    session: Session, invitation: PledgeInvitation, replies: list[Reply], *, now: datetime
) -> list[LinkAnswer]:
    """Save each changed reply as the subject's pledge; unchanged ones record nothing."""
    subject = subject_of(invitation)
    recorded = []
    for reply in replies:
        pledge = find_pledge(session, subject, reply.recommendation_id)
        if pledge is not None and _is_unchanged(session, pledge, reply):
            continue
        # A delivery rating survives only a change between pledged and partly pledged.
        keeps_delivery = (
            pledge is not None and pledge.status in COMMITTED and reply.status.value in COMMITTED
        )
        change = PledgeChange(
            status=reply.status,
            delivery=Delivery(pledge.delivery)
            if pledge is not None and keeps_delivery
            else Delivery.NOT_YET_RATED,
            evidence_date=now.date(),
            note=own_answer_note(invitation, now),
            is_own_answer=True,
        )
        saved, event = save_pledge(
            session,
            subject,
            reply.recommendation_id,
            change,
            expected_version=reply.expected_version,
            now=now,
        )
        if saved is None or event is None:
            continue
        answer = LinkAnswer(
            invitation_id=invitation.id,
            recommendation_id=reply.recommendation_id,
            pledge_id=saved.id,
            pledge_event_id=event.id,
            status=reply.status.value,
            statement=reply.statement,
            statement_state=StatementState.PENDING.value if reply.statement else None,
            answered_at=now,
        )
        session.add(answer)
        recorded.append(answer)
    if recorded:
        invitation.answered_at = now
        session.add(invitation)
    session.flush()
    return recorded


def _is_unchanged(session: Session, pledge: Pledge, reply: Reply) -> bool:
    """Return whether the reply only repeats what the pledge already says.

    The page comes back with every current answer ticked, so a subject changing one answer
    resubmits the rest: those must not replace a campaigner's sourced record, nor queue the
    same statement again.
    """
    if pledge.status != reply.status.value:
        return False
    if reply.statement is None:
        return True
    latest = latest_link_answer(session, pledge.id)
    return (
        latest is not None and _is_current(session, latest) and latest.statement == reply.statement
    )


def latest_link_answer(session: Session, pledge_id: int) -> LinkAnswer | None:
    """Return the newest answer given through any link for a pledge."""
    stmt = select(LinkAnswer).where(LinkAnswer.pledge_id == pledge_id)
    return session.exec(stmt.order_by(col(LinkAnswer.id).desc())).first()


def _is_current(session: Session, answer: LinkAnswer) -> bool:
    """Return whether the pledge still says what this link answer said.

    A later campaigner edit or a withdrawal replaces the answer's note; the campaign's own
    verification (which appends to the note) or approval of its statement keeps it.
    """
    pledge = session.get_one(Pledge, answer.pledge_id)
    latest = latest_link_answer(session, answer.pledge_id)
    own_note = session.get_one(PledgeEvent, answer.pledge_event_id).note or ""
    return (
        latest is not None
        and latest.id == answer.id
        and pledge.status == answer.status
        and (pledge.note or "").startswith(own_note)
    )


def approve_statement(
    session: Session, answer: LinkAnswer, *, reviewer_id: int, now: datetime | None = None
) -> PledgeEvent | None:
    """Publish the subject's statement as the pledge's quote."""
    now = now or utcnow()
    if not _is_current(session, answer):
        raise AnswerError(
            "The pledge has changed since this statement was written: keep it off the site."
        )
    _decide(session, answer, StatementState.APPROVED, reviewer_id, now)
    return _resave(session, answer, reviewer_id, now, quote=answer.statement)


def reject_statement(
    session: Session, answer: LinkAnswer, *, reviewer_id: int, now: datetime | None = None
) -> None:
    """Keep the statement off the site; the ticked answer itself still stands."""
    _decide(session, answer, StatementState.REJECTED, reviewer_id, now or utcnow())


def verify_answer(
    session: Session, answer: LinkAnswer, *, reviewer_id: int, now: datetime | None = None
) -> PledgeEvent | None:
    """Mark a standing link answer as checked by the campaign (history shows when)."""
    now = now or utcnow()
    if not _is_current(session, answer):
        raise AnswerError("That answer no longer stands, so there is nothing to verify.")
    pledge = session.get_one(Pledge, answer.pledge_id)
    if "Verified by the campaign" in (pledge.note or ""):
        raise AnswerError("That answer is already verified.")
    note = f"{pledge.note} Verified by the campaign on {long_date(now)}."
    return _resave(session, answer, reviewer_id, now, quote=pledge.quote, note=note)


def withdraw_answer(
    session: Session,
    answer: LinkAnswer,
    *,
    reason: str,
    reviewer_id: int,
    now: datetime | None = None,
) -> PledgeEvent | None:
    """Take a link answer back, restoring what the pledge said before it, with the reason."""
    now = now or utcnow()
    reason = " ".join(reason.split())[:MAX_REASON]
    if not reason:
        raise AnswerError("Say why the answer is withdrawn: history shows the reason.")
    if not _is_current(session, answer):
        raise AnswerError("That answer no longer stands, so there is nothing to withdraw.")
    first = _first_answer_of_invitation(session, answer)
    note = f"The campaign withdrew the answer given through the pledge link: {reason}"
    return _restore_before(session, first, note, reviewer_id, now)


def revoke_and_roll_back(
    session: Session,
    invitation: PledgeInvitation,
    *,
    reason: str,
    reviewer_id: int | None,
    now: datetime | None = None,
) -> tuple[int, int]:
    """Revoke a link and undo the answers it still stands behind, in one step.

    Returns how many pledges were rolled back and how many were kept because a campaigner
    has recorded something else on them since.
    """
    now = now or utcnow()
    revoke_invitation(session, invitation, reason=reason, now=now)
    note = "The pledge link this answer came through was revoked" + (
        f": {invitation.revoked_reason}" if invitation.revoked_reason else "."
    )
    rolled = kept = 0
    for pledge_id in _pledges_answered_by(session, invitation):
        latest = latest_link_answer(session, pledge_id)
        if (
            latest is None
            or latest.invitation_id != invitation.id
            or not _is_current(session, latest)
        ):
            kept += 1
            continue
        _restore_before(
            session, _first_answer_of_invitation(session, latest), note, reviewer_id, now
        )
        rolled += 1
    return rolled, kept


def _pledges_answered_by(session: Session, invitation: PledgeInvitation) -> list[int]:
    """Return the pledges an invitation ever answered."""
    stmt = select(LinkAnswer.pledge_id).where(LinkAnswer.invitation_id == invitation.id)
    return sorted(set(session.exec(stmt)))


def _first_answer_of_invitation(session: Session, answer: LinkAnswer) -> LinkAnswer:
    """Return the first answer the same link gave on the same pledge."""
    stmt = select(LinkAnswer).where(
        LinkAnswer.invitation_id == answer.invitation_id, LinkAnswer.pledge_id == answer.pledge_id
    )
    return session.exec(stmt.order_by(col(LinkAnswer.id))).first() or answer


def _restore_before(
    session: Session, first: LinkAnswer, note: str, actor_id: int | None, now: datetime
) -> PledgeEvent | None:
    """Put the pledge back as it stood before the link first answered it."""
    pledge = session.get_one(Pledge, first.pledge_id)
    stmt = select(PledgeEvent).where(
        PledgeEvent.pledge_id == first.pledge_id, col(PledgeEvent.id) < first.pledge_event_id
    )
    before = session.exec(stmt.order_by(col(PledgeEvent.id).desc())).first()
    if before is None:
        change = PledgeChange(PledgeStatus.AWAITING, note=note)
    else:
        was_link_answer = session.exec(
            select(LinkAnswer.id).where(LinkAnswer.pledge_event_id == before.id)
        ).first()
        change = PledgeChange(
            status=PledgeStatus(before.to_status),
            delivery=Delivery(before.to_delivery),
            evidence_url=before.evidence_url,
            quote=before.quote,
            evidence_date=before.evidence_date,
            note=note,
            is_own_answer=was_link_answer is not None,
        )
    return _save_over(session, pledge, change, actor_id, now)


def _resave(
    session: Session,
    answer: LinkAnswer,
    actor_id: int,
    now: datetime,
    *,
    quote: str | None,
    note: str | None = None,
) -> PledgeEvent | None:
    """Save the standing link answer again with a new quote or note."""
    pledge = session.get_one(Pledge, answer.pledge_id)
    change = PledgeChange(
        status=PledgeStatus(pledge.status),
        delivery=Delivery(pledge.delivery),
        evidence_url=pledge.evidence_url,
        quote=quote,
        evidence_date=pledge.evidence_date,
        note=note if note is not None else pledge.note,
        is_own_answer=True,
    )
    return _save_over(session, pledge, change, actor_id, now)


def _decide(
    session: Session,
    answer: LinkAnswer,
    verdict: StatementState,
    reviewer_id: int,
    now: datetime,
) -> None:
    """Set a statement's verdict if it is still pending; otherwise someone decided first."""
    result = session.exec(
        update(LinkAnswer)
        .where(
            col(LinkAnswer.id) == answer.id,
            col(LinkAnswer.statement_state) == StatementState.PENDING.value,
        )
        .values(statement_state=verdict.value, reviewed_by_id=reviewer_id, reviewed_at=now)
        .execution_options(synchronize_session=False)
    )
    session.refresh(answer)
    if result.rowcount != 1:
        raise AnswerError("Someone else has already decided about this statement.")


def _save_over(
    session: Session, pledge: Pledge, change: PledgeChange, actor_id: int | None, now: datetime
) -> PledgeEvent | None:
    """Save a change over the pledge as it stands now; return its event (None if no change)."""
    _, event = save_pledge(
        session,
        _subject(pledge),
        pledge.recommendation_id,
        change,
        expected_version=pledge.version,
        actor_id=actor_id,
        now=now,
    )
    return event


def _subject(pledge: Pledge) -> Subject:
    """Return whose pledge it is."""
    return Subject(person_id=pledge.person_id, authority_id=pledge.authority_id)
