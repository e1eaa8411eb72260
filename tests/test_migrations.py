"""The migrations build exactly the schema the models describe, and seed the campaign."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask.testing import FlaskCliRunner
from sqlalchemy import inspect, text
from sqlmodel import Session, col, select

from tracker import create_app, migrate
from tracker.db import Database, build_engine
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
        db.connection(),
        opts={
            "compare_type": True,
            "compare_server_default": True,
            "include_object": migrate.is_modelled,
        },
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


def scratch_runner(url: str) -> FlaskCliRunner:
    """A CLI runner for an app on its own database."""
    return create_app({"DATABASE_URL": url, "SECRET_KEY": "test"}).test_cli_runner()


def test_db_current_and_check_report_the_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'commands.db'}"
    runner = scratch_runner(url)
    migrate.upgrade(url, "0006")
    assert runner.invoke(args=["db", "current"]).output.strip() == "0006"
    behind = runner.invoke(args=["db", "check"])
    assert behind.exit_code == 1 and "Target database is not up to date" in behind.output
    migrate.upgrade(url)
    head = migrate.head_revision()
    assert runner.invoke(args=["db", "current"]).output.strip() == f"{head} (head)"
    checked = runner.invoke(args=["db", "check"])
    assert checked.exit_code == 0, checked.output
    assert "no migration needed" in checked.output


def test_db_check_finds_a_column_the_migrations_lack(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'drifted.db'}"
    migrate.upgrade(url)
    engine = build_engine(url)
    with engine.begin() as conn:  # a change made by hand, which no migration records
        conn.execute(text("ALTER TABLE party ADD COLUMN colour VARCHAR(7)"))
    engine.dispose()
    drifted = scratch_runner(url).invoke(args=["db", "check"])
    assert drifted.exit_code == 1
    assert "New upgrade operations detected" in drifted.output and "colour" in drifted.output


def test_db_revision_autogenerate_writes_the_next_numbered_migration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Written into a copy of the migrations, so the project's own folder is left alone.
    copy = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(migrate, "MIGRATIONS", copy)
    url = f"sqlite:///{tmp_path / 'revision.db'}"
    migrate.upgrade(url)
    engine = build_engine(url)
    with engine.begin() as conn:  # the models want this index; the database lost it
        conn.execute(text("DROP INDEX ix_apitoken_user_id"))
    engine.dispose()
    head = migrate.head_revision()
    result = scratch_runner(url).invoke(
        args=["db", "revision", "--autogenerate", "-m", "restore the token index"]
    )
    assert result.exit_code == 0, result.output
    following = f"{int(head) + 1:04d}"  # the project's numbering goes on
    (written,) = (copy / "versions").glob(f"{following}_*.py")
    source = written.read_text()
    assert f"revision: str = '{following}'" in source
    assert f"down_revision: str | None = '{head}'" in source
    assert "batch_op.create_index(batch_op.f('ix_apitoken_user_id')" in source


def test_notes_typed_before_0012_become_internal(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'notes.db'}"
    migrate.upgrade(url, "0011")
    database = Database(url)
    with database.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO authority (slug, name, short_name, code, kind, kind_name, nation,"
                " is_demo) VALUES ('notes-fictional', 'Notes Council (fictional)',"
                " 'Notes (fictional)', 'NFX', 'UA', 'Unitary authority', 'England', 1)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO pledge (recommendation_id, authority_id, status, delivery, note,"
                " created_at, updated_at, version) SELECT 1, id, 'pledged', 'not-yet-rated',"
                " 'Named in 2025 plan', '2026-01-01', '2026-01-01', 1 FROM authority"
            )
        )
    migrate.upgrade(url)
    with database.engine.connect() as connection:
        row = connection.execute(text("SELECT note, private_note FROM pledge")).one()
    assert tuple(row) == (None, "Named in 2025 plan")
    migrate.downgrade(url, "0011")
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT note FROM pledge")).scalar_one() == (
            "Named in 2025 plan"
        )
    database.engine.dispose()
