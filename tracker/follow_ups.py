"""Chase pledges that show no delivery, 100 days and a year after the election.

`tracker follow-ups` runs daily. For each elected candidate and each authority with a
pledge that nobody has rated for delivery, it appends one follow-up event per milestone
that has passed (so feeds and history show it) and lists the pledge for campaigners.
It is idempotent, and it never marks a pledge broken: only a person judges that.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from tracker.models import (
    Ballot,
    Candidacy,
    Delivery,
    Election,
    EventKind,
    FollowUp,
    Milestone,
    Pledge,
    PledgeEvent,
    PledgeStatus,
    utcnow,
)

log = logging.getLogger(__name__)

# Authorities are asked at the campaign's election when they have none of their own.
CAMPAIGN_ELECTION = date(2024, 5, 2)
DELAYS = {Milestone.HUNDRED_DAYS: timedelta(days=100), Milestone.ONE_YEAR: timedelta(days=365)}
WORDS = {Milestone.HUNDRED_DAYS: "100 days", Milestone.ONE_YEAR: "one year"}
UNDELIVERED = (PledgeStatus.PLEDGED.value, PledgeStatus.PARTIAL.value)


@dataclass(frozen=True)
class Due:
    """A pledge that has reached a milestone with no delivery evidence."""

    pledge: Pledge
    milestone: Milestone
    election_date: date


def due_follow_ups(session: Session, *, today: date) -> list[Due]:
    """Return the milestones passed by unrated pledges that have no follow-up yet."""
    elections = _election_dates(session, today)
    done = set(session.exec(select(FollowUp.pledge_id, FollowUp.milestone)).all())
    stmt = select(Pledge).where(
        col(Pledge.status).in_(UNDELIVERED),
        col(Pledge.delivery) == Delivery.NOT_YET_RATED.value,
    )
    due = []
    for pledge in session.exec(stmt):
        if pledge.person_id is not None:
            held = elections["person"].get(pledge.person_id)
            if held is None:  # candidates are followed up only once elected
                continue
        else:
            held = elections["authority"].get(pledge.authority_id or 0, CAMPAIGN_ELECTION)
        for milestone, delay in DELAYS.items():
            if held + delay <= today and (pledge.id, milestone.value) not in done:
                due.append(Due(pledge, milestone, held))
    return due


def record_follow_ups(session: Session, *, today: date) -> list[FollowUp]:
    """Append a follow-up event for each milestone due; running again adds nothing."""
    made = []
    now = utcnow()
    for item in due_follow_ups(session, today=today):
        pledge = item.pledge
        event = PledgeEvent(
            pledge_id=pledge.id,
            kind=EventKind.FOLLOW_UP.value,
            occurred_at=now,
            from_status=pledge.status,
            to_status=pledge.status,
            from_delivery=pledge.delivery,
            to_delivery=pledge.delivery,
            note=f"No delivery evidence yet, {WORDS[item.milestone]} after the election of "
            f"{item.election_date.day} {item.election_date:%B %Y}.",
            version=pledge.version,
        )
        session.add(event)
        session.flush()
        follow_up = FollowUp(
            pledge_id=pledge.id,
            milestone=item.milestone.value,
            election_date=item.election_date,
            event_id=event.id,
            marked_at=now,
        )
        session.add(follow_up)
        made.append(follow_up)
    session.flush()
    log.info("recorded %d follow-ups", len(made))
    return made


def _election_dates(session: Session, today: date) -> dict[str, dict[int, date]]:
    """Return when each elected person was last elected, and each authority's last poll."""
    won = (
        select(Candidacy.person_id, func.max(Election.poll_date))
        .join(Ballot, col(Ballot.id) == Candidacy.ballot_id)
        .join(Election, col(Election.id) == Ballot.election_id)
        .where(col(Candidacy.elected).is_(True), col(Election.poll_date) <= today)
        .group_by(col(Candidacy.person_id))
    )
    polls = (
        select(Election.authority_id, func.max(Election.poll_date))
        .where(col(Election.poll_date) <= today)
        .group_by(col(Election.authority_id))
    )
    return {
        "person": dict(session.exec(won).all()),
        "authority": dict(session.exec(polls).all()),
    }
