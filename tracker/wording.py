"""Correcting a recommendation's wording, without two admins overwriting each other."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col

from tracker.models import Recommendation


class WordingConflict(Exception):
    """Someone changed the recommendation after the editor loaded it."""


def reword_recommendation(
    session: Session,
    recommendation: Recommendation,
    *,
    title: str,
    summary: str,
    body: str,
    expected_version: int,
) -> None:
    """Save new wording if the recommendation is still at `expected_version`."""
    result = session.exec(
        update(Recommendation)
        .where(
            col(Recommendation.id) == recommendation.id,
            col(Recommendation.version) == expected_version,
        )
        .values(title=title, summary=summary, body=body, version=expected_version + 1)
        .execution_options(synchronize_session=False)
    )
    session.refresh(recommendation)
    if result.rowcount != 1:
        raise WordingConflict(recommendation.slug)
