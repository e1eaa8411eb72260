"""An authority's candidates arranged for its page: newest election first, ward by ward.

Listing every candidate of every election as its own "No answer yet" row made
Sheffield's page 19,500 px tall. The page shows the newest election open and the rest
collapsed, and inside each ward only the candidates who answered get a row; the others
are counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from itertools import groupby

from tracker.models import Pledge, PledgeStatus
from tracker.queries.candidates import CandidacyRow
from tracker.text import slugify


@dataclass(frozen=True)
class Ward:
    """One ballot: the candidates who answered, and those who have not yet."""

    label: str
    anchor: str
    answered: list[CandidacyRow]
    unanswered: list[CandidacyRow]


@dataclass(frozen=True)
class ElectionWards:
    """One election of the authority, ward by ward."""

    election_id: str
    poll_date: date
    wards: list[Ward]

    @property
    def candidate_count(self) -> int:
        """Return how many candidacies the election had."""
        return sum(len(w.answered) + len(w.unanswered) for w in self.wards)

    @property
    def answered_count(self) -> int:
        """Return how many of its candidates have answered."""
        return sum(len(w.answered) for w in self.wards)


def has_answered(pledges: Mapping[int, Pledge]) -> bool:
    """Return whether a candidate gave any answer (awaiting a response is none)."""
    return any(p.status != PledgeStatus.AWAITING.value for p in pledges.values())


def election_wards(
    rows: Iterable[CandidacyRow], statuses: Mapping[int, Mapping[int, Pledge]]
) -> list[ElectionWards]:
    """Group candidacies (already newest election first, then by ward) for the page."""
    found = []
    for (election_id, poll_date), in_election in groupby(
        rows, key=lambda r: (r.election_id, r.poll_date)
    ):
        wards = []
        for label, ballot in groupby(in_election, key=lambda r: r.post_label):
            people = list(ballot)
            said = [r for r in people if has_answered(statuses.get(r.person_id, {}))]
            wards.append(
                Ward(
                    label=label,
                    anchor=f"ward-{poll_date:%Y-%m-%d}-{slugify(label)}",
                    answered=said,
                    unanswered=[r for r in people if r not in said],
                )
            )
        found.append(ElectionWards(election_id=election_id, poll_date=poll_date, wards=wards))
    return sorted(found, key=lambda e: e.poll_date, reverse=True)
