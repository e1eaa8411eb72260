"""Initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "authority",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("short_name", sa.String(length=200), nullable=False),
        sa.Column("gss_code", sa.String(length=9), nullable=True),
        sa.Column("code", sa.String(length=10), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("kind_name", sa.String(length=80), nullable=False),
        sa.Column("nation", sa.String(length=40), nullable=False),
        sa.Column("region", sa.String(length=80), nullable=True),
        sa.Column("parent_county_id", sa.Integer(), nullable=True),
        sa.Column("combined_authority_id", sa.Integer(), nullable=True),
        sa.Column("police_area_id", sa.Integer(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["combined_authority_id"],
            ["authority.id"],
            name=op.f("fk_authority_combined_authority_id_authority"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_county_id"],
            ["authority.id"],
            name=op.f("fk_authority_parent_county_id_authority"),
        ),
        sa.ForeignKeyConstraint(
            ["police_area_id"], ["authority.id"], name=op.f("fk_authority_police_area_id_authority")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authority")),
        sa.UniqueConstraint("code", name=op.f("uq_authority_code")),
        sa.UniqueConstraint("gss_code", name=op.f("uq_authority_gss_code")),
        sa.UniqueConstraint("slug", name=op.f("uq_authority_slug")),
    )
    with op.batch_alter_table("authority", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_authority_combined_authority_id"),
            ["combined_authority_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_authority_is_demo"), ["is_demo"], unique=False)
        batch_op.create_index(
            "ix_authority_kind_nation_region", ["kind", "nation", "region"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_authority_parent_county_id"), ["parent_county_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_authority_police_area_id"), ["police_area_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_authority_short_name"), ["short_name"], unique=False)

    op.create_table(
        "party",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dc_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party")),
        sa.UniqueConstraint("dc_id", name=op.f("uq_party_dc_id")),
        sa.UniqueConstraint("slug", name=op.f("uq_party_slug")),
    )
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_is_demo"), ["is_demo"], unique=False)
        batch_op.create_index(batch_op.f("ix_person_name"), ["name"], unique=False)

    op.create_table(
        "theme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_theme")),
        sa.UniqueConstraint("position", name=op.f("uq_theme_position")),
        sa.UniqueConstraint("slug", name=op.f("uq_theme_slug")),
    )
    op.create_table(
        "election",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("poll_date", sa.Date(), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id"], ["authority.id"], name=op.f("fk_election_authority_id_authority")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_election")),
        sa.UniqueConstraint("election_id", name=op.f("uq_election_election_id")),
    )
    with op.batch_alter_table("election", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_election_authority_id"), ["authority_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_election_poll_date"), ["poll_date"], unique=False)

    op.create_table(
        "recommendation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("source_title", sa.String(length=300), nullable=False),
        sa.Column("source_publisher", sa.String(length=200), nullable=False),
        sa.Column("source_date", sa.String(length=40), nullable=False),
        sa.Column("source_url", sa.String(length=2000), nullable=True),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["theme.id"], name=op.f("fk_recommendation_theme_id_theme")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation")),
        sa.UniqueConstraint("position", name=op.f("uq_recommendation_position")),
        sa.UniqueConstraint("slug", name=op.f("uq_recommendation_slug")),
    )
    with op.batch_alter_table("recommendation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recommendation_theme_id"), ["theme_id"], unique=False)

    op.create_table(
        "ballot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ballot_paper_id", sa.String(length=250), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("post_label", sa.String(length=200), nullable=False),
        sa.Column("post_id", sa.String(length=200), nullable=True),
        sa.Column("ward_gss", sa.String(length=9), nullable=True),
        sa.Column("seats_contested", sa.Integer(), nullable=True),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"], ["election.id"], name=op.f("fk_ballot_election_id_election")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballot")),
        sa.UniqueConstraint("ballot_paper_id", name=op.f("uq_ballot_ballot_paper_id")),
    )
    with op.batch_alter_table("ballot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ballot_election_id"), ["election_id"], unique=False)

    op.create_table(
        "pledge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("authority_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("delivery", sa.String(length=20), nullable=False),
        sa.Column("evidence_url", sa.String(length=2000), nullable=True),
        sa.Column("quote", sa.Text(), nullable=True),
        sa.Column("evidence_date", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "delivery IN ('not-yet-rated', 'in-progress', 'delivered', 'stalled', 'broken')",
            name=op.f("ck_pledge_delivery"),
        ),
        sa.CheckConstraint(
            "status IN ('awaiting-response', 'pledged', 'partial', 'declined')",
            name=op.f("ck_pledge_status"),
        ),
        sa.CheckConstraint(
            "(person_id IS NULL) <> (authority_id IS NULL)", name=op.f("ck_pledge_one_subject")
        ),
        sa.ForeignKeyConstraint(
            ["authority_id"], ["authority.id"], name=op.f("fk_pledge_authority_id_authority")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_pledge_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendation.id"],
            name=op.f("fk_pledge_recommendation_id_recommendation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pledge")),
        sa.UniqueConstraint(
            "recommendation_id",
            "authority_id",
            name=op.f("uq_pledge_recommendation_id_authority_id"),
        ),
        sa.UniqueConstraint(
            "recommendation_id", "person_id", name=op.f("uq_pledge_recommendation_id_person_id")
        ),
    )
    with op.batch_alter_table("pledge", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pledge_authority_id"), ["authority_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pledge_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            "ix_pledge_status_recommendation", ["status", "recommendation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_pledge_updated_at"), ["updated_at"], unique=False)

    op.create_table(
        "candidacy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("votes_cast", sa.Integer(), nullable=True),
        sa.Column("elected", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ballot_id"], ["ballot.id"], name=op.f("fk_candidacy_ballot_id_ballot")
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["party.id"], name=op.f("fk_candidacy_party_id_party")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_candidacy_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidacy")),
        sa.UniqueConstraint(
            "person_id", "ballot_id", name=op.f("uq_candidacy_person_id_ballot_id")
        ),
    )
    with op.batch_alter_table("candidacy", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_candidacy_ballot_id"), ["ballot_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_candidacy_party_id"), ["party_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_candidacy_person_id"), ["person_id"], unique=False)

    op.create_table(
        "pledgeevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pledge_id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("from_delivery", sa.String(length=20), nullable=True),
        sa.Column("to_delivery", sa.String(length=20), nullable=False),
        sa.Column("evidence_url", sa.String(length=2000), nullable=True),
        sa.Column("quote", sa.Text(), nullable=True),
        sa.Column("evidence_date", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pledge_id"], ["pledge.id"], name=op.f("fk_pledgeevent_pledge_id_pledge")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pledgeevent")),
    )
    with op.batch_alter_table("pledgeevent", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pledgeevent_occurred_at"), ["occurred_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_pledgeevent_pledge_id"), ["pledge_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pledgeevent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pledgeevent_pledge_id"))
        batch_op.drop_index(batch_op.f("ix_pledgeevent_occurred_at"))

    op.drop_table("pledgeevent")
    with op.batch_alter_table("candidacy", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_candidacy_person_id"))
        batch_op.drop_index(batch_op.f("ix_candidacy_party_id"))
        batch_op.drop_index(batch_op.f("ix_candidacy_ballot_id"))

    op.drop_table("candidacy")
    with op.batch_alter_table("pledge", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pledge_updated_at"))
        batch_op.drop_index("ix_pledge_status_recommendation")
        batch_op.drop_index(batch_op.f("ix_pledge_person_id"))
        batch_op.drop_index(batch_op.f("ix_pledge_authority_id"))

    op.drop_table("pledge")
    with op.batch_alter_table("ballot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ballot_election_id"))

    op.drop_table("ballot")
    with op.batch_alter_table("recommendation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recommendation_theme_id"))

    op.drop_table("recommendation")
    with op.batch_alter_table("election", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_election_poll_date"))
        batch_op.drop_index(batch_op.f("ix_election_authority_id"))

    op.drop_table("election")
    op.drop_table("theme")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_name"))
        batch_op.drop_index(batch_op.f("ix_person_is_demo"))

    op.drop_table("person")
    op.drop_table("party")
    with op.batch_alter_table("authority", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_authority_short_name"))
        batch_op.drop_index(batch_op.f("ix_authority_police_area_id"))
        batch_op.drop_index(batch_op.f("ix_authority_parent_county_id"))
        batch_op.drop_index("ix_authority_kind_nation_region")
        batch_op.drop_index(batch_op.f("ix_authority_is_demo"))
        batch_op.drop_index(batch_op.f("ix_authority_combined_authority_id"))

    op.drop_table("authority")
