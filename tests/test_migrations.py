"""The migrations build exactly the schema the models describe, and seed the campaign."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import Session, col, select

from tracker import migrate
from tracker.db import Database
from tracker.models import Recommendation, Theme, metadata

SOURCE = (
    Path(__file__).resolve().parent.parent
    / "tracker"
    / "data"
    / ("hope-for-justice-local-elections-2024.md")
)

SEED = [
    (
        1,
        "governance-and-strategy",
        "priority-in-strategic-plans",
        "Make tackling modern slavery a priority for your region",
    ),
    (
        2,
        "governance-and-strategy",
        "resourced-multi-agency-partnership",
        "Resource multi-agency partnerships",
    ),
    (
        3,
        "safeguarding-and-human-rights",
        "safeguarding-and-independent-advocacy",
        "Place safeguarding and independent advocacy at the heart of the response",
    ),
    (
        4,
        "safeguarding-and-human-rights",
        "pathways-to-support",
        "Create pathways to support services",
    ),
    (5, "lived-experience", "listen-to-lived-experience", "Listen to people with lived experience"),
]


def test_models_match_migrated_schema(db: Session) -> None:
    context = MigrationContext.configure(
        db.connection(), opts={"compare_type": True, "include_object": migrate.is_modelled}
    )
    assert compare_metadata(context, metadata) == []


def test_recommendations_seeded_with_fixed_slugs_order_and_titles(db: Session) -> None:
    stmt = select(Recommendation, Theme).join(Theme).order_by(col(Recommendation.position))
    rows = [(r.position, t.slug, r.slug, r.title) for r, t in db.exec(stmt)]
    assert rows == SEED


def test_recommendation_text_is_quoted_verbatim_from_the_source(db: Session) -> None:
    source = " ".join(SOURCE.read_text(encoding="utf-8").split())
    for recommendation in db.exec(select(Recommendation)):
        assert recommendation.source_publisher == "Hope for Justice"
        assert recommendation.source_date == "March 2024"
        assert recommendation.title in source
        assert recommendation.body in source


def test_upgrade_is_idempotent_and_downgrade_reverses(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    migrate.upgrade(url)
    migrate.upgrade(url)
    database = Database(url)
    with database.session() as session:
        assert len(session.exec(select(Recommendation)).all()) == 5
    migrate.downgrade(url, "base")
    assert inspect(database.engine).get_table_names() == ["alembic_version"]
    migrate.upgrade(url)
    assert "pledgeevent" in inspect(database.engine).get_table_names()
    database.engine.dispose()
