"""The parts of a subject's page that follow its answers: the summary, the ask or badge.

The subject's page renders them beside its pledge table, and an inline save renders
them again as htmx out-of-band swaps, so "has not answered yet" or a stale count never
outlives the save that changed it. One builder per subject kind serves both.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from flask import url_for
from sqlmodel import Session

from tracker.asks import Ask, ask, campaign_email, salutation
from tracker.demo import shown_name
from tracker.models import Authority, Person, Pledge, PledgeStatus, Recommendation
from tracker.queries.authorities import Neighbours, ask_addressee, neighbours
from tracker.queries.pledges import pledges_of_subject, recommendations
from tracker.responsibilities import Duty, duties, responsibility_table

Answers = Sequence[tuple[Recommendation, Pledge | None]]


@dataclass(frozen=True)
class AnswerPanels:
    """What a subject's page says about its answers as a whole."""

    name: str
    answers: Answers  # the recommendations the subject is asked, with its pledges
    ask: Ask | None  # None once it has answered
    page_url: str
    badge_url: str

    @property
    def counts(self) -> list[tuple[PledgeStatus, int]]:
        """Return how many answers of each kind were given, in the statuses' order."""
        given = Counter(p.status for _, p in self.answers if p is not None)
        return [
            (s, given[s.value])
            for s in PledgeStatus
            if s is not PledgeStatus.AWAITING and given[s.value]
        ]

    @property
    def answered(self) -> int:
        """Return how many of its recommendations the subject has answered."""
        return sum(n for _, n in self.counts)


def has_answered(answers: Answers) -> bool:
    """Return whether any recorded pledge is an answer (awaiting a response is none)."""
    return any(p is not None and p.status != PledgeStatus.AWAITING.value for _, p in answers)


def candidate_panels(person: Person, answers: Answers) -> AnswerPanels:
    """Return a candidate's panels; they are asked every recommendation."""
    page = url_for("candidates.detail", person_id=person.id, slug=person.slug, _external=True)
    return AnswerPanels(
        name=shown_name(person),
        answers=answers,
        ask=None
        if has_answered(answers)
        else ask(
            person.name, [r for r, _ in answers], page, to=person.email, campaign=campaign_email()
        ),
        page_url=page,
        badge_url=url_for("badges.candidate", person_id=person.id, _external=True),
    )


def authority_panels(
    session: Session,
    authority: Authority,
    answers: Answers,
    *,
    own: Sequence[Duty],
    around: Neighbours,
) -> AnswerPanels:
    """Return an authority's panels; it is asked only what it can deliver (`own`)."""
    page = url_for("authorities.detail", slug=authority.slug, _external=True)
    mine = {d.recommendation.id for d in own if d.applies}
    return AnswerPanels(
        name=shown_name(authority),
        answers=[(r, p) for r, p in answers if r.id in mine],
        ask=None
        if has_answered(answers)
        else ask(
            salutation(*ask_addressee(session, authority, around)),
            [d.recommendation for d in own if d.applies],
            page,
            campaign=campaign_email(),
        ),
        page_url=page,
        badge_url=url_for("badges.authority", slug=authority.slug, _external=True),
    )


def authority_duties(session: Session, authority: Authority) -> list[Duty]:
    """Return each recommendation with whether this authority can deliver it."""
    return duties(authority, recommendations(session), responsibility_table(session))


def panels_of(session: Session, owner: Person | Authority) -> AnswerPanels:
    """Read a subject's answers afresh and return its panels (after a save)."""
    if isinstance(owner, Person):
        return candidate_panels(owner, pledges_of_subject(session, person_id=owner.id))
    return authority_panels(
        session,
        owner,
        pledges_of_subject(session, authority_id=owner.id),
        own=authority_duties(session, owner),
        around=neighbours(session, owner),
    )
